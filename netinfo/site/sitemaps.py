"""The sitemap of the whole site: pages, topics, articles and patient groups, in every language."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from netinfo.articles.sitemaps import ArticleSitemap, TopicSitemap
from patient_groups.sitemaps import PatientGroupSitemap


class PageSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return ["netinfo:home", "netinfo:about", "netinfo:updates", "patient_groups:group-list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "topics": TopicSitemap,
    "articles": ArticleSitemap,
    "patient-groups": PatientGroupSitemap,
}
