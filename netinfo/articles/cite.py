"""'Cite this page': the NLM web-page citation of an article itself."""

from django.utils import timezone

from references.formatting import format_reference

SITE = "NET Info"


def date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]}


def article_csl(article, authors, url, language, accessed=None):
    accessed = accessed or timezone.localdate()
    item = {
        "id": f"netinfo-{article.pk}",
        "type": "webpage",
        # Authors as the page shows them (Article.page_parts): dicts with family and given names.
        "author": [{"family": a["family"], "given": a["given"]} for a in authors]
        or [{"literal": SITE}],
        "title": getattr(article, f"title_{language}") or article.title_en,
        "container-title": SITE,
        "publisher": SITE,
        "URL": url,
        "accessed": date_parts(accessed),
        "custom": {"updated": date_parts(timezone.localdate(article.updated))},
    }
    if article.published_at:
        item["issued"] = {"date-parts": [[timezone.localdate(article.published_at).year]]}
    return item


def cite_article(article, authors, url, language):
    return format_reference(article_csl(article, authors, url, language), language)
