from modeltranslation.translator import TranslationOptions, register

from .models import PatientGroup, Region


@register(Region)
class RegionTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}


@register(PatientGroup)
class PatientGroupTranslation(TranslationOptions):
    fields = ("description",)
