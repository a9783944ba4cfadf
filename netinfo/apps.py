from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetinfoConfig(AppConfig):
    name = "netinfo"
    verbose_name = _("Disease information")
