from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    """Cookie consent on top of django-cookie-consent: our texts, records and enforcement."""

    name = "netinfo.consent"
    label = "consent"
    verbose_name = _("Proof of consent")
