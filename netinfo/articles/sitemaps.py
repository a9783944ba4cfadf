from django.contrib.sitemaps import Sitemap

from .models import Article, Term, Topic


class TranslatedSitemap(Sitemap):
    """One URL per language the object exists in, with hreflang alternates and x-default."""

    i18n = True
    alternates = True
    x_default = True

    def get_languages_for_item(self, item):
        return item.translated_languages()


class ArticleSitemap(TranslatedSitemap):
    def items(self):
        return Article.objects.published().order_by("pk")

    def lastmod(self, item):
        return item.updated


class TopicSitemap(TranslatedSitemap):
    def items(self):
        return Topic.objects.filter(articles__in=Article.objects.published()).distinct()


class TermSitemap(TranslatedSitemap):
    def items(self):
        return Term.objects.order_by("pk")

    def lastmod(self, item):
        return item.updated
