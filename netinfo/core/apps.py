from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """
    What every app of the site uses and that knows none of them: the page cache, text folding,
    language helpers, error and health pages, the site chrome's template tags, uploads.
    """

    name = "netinfo.core"
    label = "core"
    verbose_name = _("Site basics")
