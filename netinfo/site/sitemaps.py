"""The sitemap of the whole site: pages, topics, articles, glossary and groups, in every language."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from netinfo.articles.sitemaps import ArticleSitemap, TermSitemap, TopicSitemap
from patient_groups.sitemaps import PatientGroupSitemap


class PageSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return [
            *("netinfo:home", "netinfo:about", "netinfo:updates", "netinfo:glossary"),
            "patient_groups:group-list",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "topics": TopicSitemap,
    "articles": ArticleSitemap,
    "glossary": TermSitemap,
    "patient-groups": PatientGroupSitemap,
}
