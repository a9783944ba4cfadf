from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    """Disease articles, their references, figures, review workflow and change log."""

    name = "netinfo.articles"
    # The label the app had when it was the project package itself: migrations, permissions,
    # content types, revision data and template folders (templates/netinfo/) are named by it.
    label = "netinfo"
    verbose_name = _("Disease information")

    def ready(self):
        from .search import ensure_sqlite_index

        post_migrate.connect(ensure_sqlite_index, sender=self)
