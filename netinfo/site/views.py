"""
Pages that span the apps: the site search (articles, patient groups and the directory of a
country, in one box), the sitemap and the review dashboard.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import get_language, gettext as _

from netinfo.core.page_cache import public_page, tags_version
from netinfo.core.text import MAX_QUERY_LENGTH, clean_query

from .dashboard import DUE_SOON_DAYS, needs_attention
from .search import search_site
from .sitemaps import SITEMAPS

# Results show articles, glossary terms and patient groups.
SEARCHED = ["articles", "glossary", "directory"]


@public_page(query=["q", "page"], tags=SEARCHED)
def search(request):
    language = get_language()
    raw = request.GET.get("q", "")
    query, shortened = clean_query(raw)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1

    # A callable: the template calls it (once, in a {% with %}) only when its fragment cache,
    # kept per query, page, language and the versions of SEARCHED, does not hold them already.
    def results():
        return search_site(query, language, page)

    return render(
        request,
        "netinfo/search.html",
        {
            "query": query,
            "page": page,
            "shortened": shortened,
            "results": results if query else None,
            "searched": "q" in request.GET,
            "max_length": MAX_QUERY_LENGTH,
            "cache_version": tags_version(*SEARCHED),
            "fragment_seconds": settings.FRAGMENT_CACHE_SECONDS,
        },
    )


@public_page(query=["p"], tags=SEARCHED)  # p: the page of a long sitemap
def sitemap(request):
    return sitemap_view(request, sitemaps=SITEMAPS)


def dashboard(request):
    """The review dashboard: what needs attention, each list for those allowed to see it."""
    if not request.user.is_staff:
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("Review dashboard"),
        "lists": needs_attention(request.user),
        "due_soon_days": DUE_SOON_DAYS,
    }
    return TemplateResponse(request, "admin/site/dashboard.html", context)
