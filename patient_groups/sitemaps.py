from django.contrib.sitemaps import Sitemap

from .models import PatientGroup


class PatientGroupSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return PatientGroup.objects.active().order_by("pk")

    def lastmod(self, item):
        return item.updated
