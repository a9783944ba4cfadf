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
        from cookie_consent.models import Cookie, CookieGroup
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

        from netinfo.articles import models
        from netinfo.core.page_cache import bump_content_version
        from patient_groups.models import PatientGroup, Region
        from references.models import Reference

        content_models = [
            models.Topic,
            models.Contributor,
            models.Article,
            models.Authorship,
            models.Figure,
            models.FigureSeries,
            models.ExternalResource,
            models.Citation,
            # Written after the article is saved when it is published or reviewed.
            models.ChangeLogEntry,
            # The glossary's pages; the articles that use a term are saved again with it.
            models.Term,
            Reference,
            Region,
            PatientGroup,
            CookieGroup,
            Cookie,
        ]
        for model in content_models:
            post_save.connect(
                bump_content_version,
                sender=model,
                dispatch_uid=f"page-cache-save-{model._meta.label}",
            )
            post_delete.connect(
                bump_content_version,
                sender=model,
                dispatch_uid=f"page-cache-delete-{model._meta.label}",
            )
        m2m_changed.connect(
            bump_content_version,
            sender=models.Article.related_articles.through,
            dispatch_uid="page-cache-related-articles",
        )
        m2m_changed.connect(
            bump_content_version,
            sender=models.Term.related_terms.through,
            dispatch_uid="page-cache-related-terms",
        )
        # A release runs `migrate`; pages kept from the previous one would point at its static
        # files and show its templates, and the file or Redis cache outlives a restart. Once per
        # migrate: after the articles app's migrations.
        post_migrate.connect(
            bump_content_version,
            sender=apps.get_app_config("netinfo"),
            dispatch_uid="page-cache-migrate",
        )
