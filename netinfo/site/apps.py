from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """
    The site as a whole, above its apps: the review dashboard, the site search across articles
    and patient groups, the sitemap, backups, demo content, and which changes empty the page
    cache.
    """

    name = "netinfo.site"
    label = "site"
    verbose_name = _("The site as a whole")

    def ready(self):
        # Cache invalidation is the one thing signals do here: it must follow every change to
        # public content, whether made in the admin, a command or a data import.
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

        from netinfo.articles.models import Article, Term

        from . import invalidation

        for model in invalidation.CONTENT_MODELS:
            label = model._meta.label
            post_save.connect(
                invalidation.changed, sender=model, dispatch_uid=f"page-cache-save-{label}"
            )
            post_delete.connect(
                invalidation.changed, sender=model, dispatch_uid=f"page-cache-delete-{label}"
            )
        for through in (Article.related_articles.through, Term.related_terms.through):
            m2m_changed.connect(
                invalidation.related_changed,
                sender=through,
                dispatch_uid=f"page-cache-related-{through._meta.label}",
            )
        # A release runs `migrate`; pages kept from the previous one would point at its static
        # files and show its templates, and the file or Redis cache outlives a restart. Once per
        # migrate: after the articles app's migrations.
        post_migrate.connect(
            invalidation.release,
            sender=apps.get_app_config("netinfo"),
            dispatch_uid="page-cache-migrate",
        )
