from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    """
    The link checker's results: every external web address the site shows, whether it still
    answers, and where it is used. It knows no domain app: the site layer hands it the
    addresses (netinfo.site.links) and each app's admin filters its objects by the results.
    """

    name = "netinfo.links"
    label = "links"
    verbose_name = _("Link checks")
    default_auto_field = "django.db.models.BigAutoField"
