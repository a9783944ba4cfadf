from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientGroupsConfig(AppConfig):
    name = "patient_groups"
    verbose_name = _("Patient groups")
