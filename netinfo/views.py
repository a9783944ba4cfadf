import sys
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from django.views.static import serve

from references import exchange
from references.templatetags.reference_tags import REFERENCE_LIST_FIELDS

from .caching import public_page
from .cite import cite_article
from .models import (
    LANGUAGE_CODES,
    Article,
    Authorship,
    ChangeLogEntry,
    Citation,
    PreviewLink,
    Topic,
    url_in,
)
from .rendering import translated_value
from .search import MAX_QUERY_LENGTH, clean_query
from .structured_data import article_jsonld


def find_by_translated_slug(queryset, slug):
    """
    The object whose slug in the current language is `slug`, else one whose slug in another
    language is (the caller redirects to the right address). One query either way.
    """
    language = get_language()
    query = Q()
    for code in LANGUAGE_CODES:
        query |= Q(**{f"slug_{code}": slug})
    candidates = list(queryset.filter(query).order_by("pk")[: len(LANGUAGE_CODES)])
    for candidate in candidates:
        if getattr(candidate, f"slug_{language}") == slug:
            return candidate
    if not candidates:
        raise Http404
    return candidates[0]


class HomeView(TemplateView):
    template_name = "netinfo/home.html"

    def get_context_data(self, **kwargs):
        # The first few articles of each topic, numbered within the topic by the database.
        position = Window(RowNumber(), partition_by=F("topic_id"), order_by=[F("order"), F("pk")])
        articles = (
            Article.objects.published()
            .only(*LISTED, "topic_id", "order")
            .annotate(position=position)
            .filter(position__lte=HOME_ARTICLES_PER_TOPIC)
            .order_by("order", "pk")
        )
        topics = Topic.objects.annotate(
            published_count=Count("articles", filter=Q(articles__in=Article.objects.published()))
        ).prefetch_related(Prefetch("articles", queryset=articles))
        topics = [topic for topic in topics if topic.published_count]
        return super().get_context_data(topics=topics, **kwargs)


class AboutView(TemplateView):
    template_name = "netinfo/about.html"


@public_page
def topic_detail(request, slug):
    topic = find_by_translated_slug(
        Topic.objects.prefetch_related(Prefetch("articles", queryset=Article.objects.published())),
        slug,
    )
    if topic.get_absolute_url() != request.path:
        return redirect(topic.get_absolute_url(), permanent=True)
    return render(
        request,
        "netinfo/topic_detail.html",
        {
            "topic": topic,
            "articles": topic.articles.all(),
            "switcher_urls": {code: url_in(code, topic) for code in LANGUAGE_CODES},
        },
    )


LISTED = [f"{field}_{code}" for field in ("title", "slug", "summary") for code in LANGUAGE_CODES]
HOME_ARTICLES_PER_TOPIC = 6


# What an article page shows. Loading only these (every language of each, the page picks one)
# keeps the Markdown source, search text and editorial JSON off the page's one article query.
PAGE_FIELDS = [
    *("title", "slug", "summary", "body_html", "toc_html"),
    *("audience", "status", "published_at", "updated", "last_reviewed", "next_review_due"),
    *("topic__name", "topic__slug"),
    *("medical_reviewer__given_names", "medical_reviewer__family_name"),
    "medical_reviewer__credentials",
]


def article_queryset():
    return Article.objects.select_related("topic", "medical_reviewer").only(*PAGE_FIELDS)


def article_page(request, article, *, preview=""):
    """The article page, for visitors, for staff ("staff") and for outside reviewers ("shared")."""
    language = get_language()
    content_language = language if language in article.translated_languages() else "en"
    # One query per relation, whatever the number of authors, links or citations.
    authors = [
        authorship.contributor
        for authorship in Authorship.objects.filter(article=article).select_related("contributor")
    ]
    citations = (
        Citation.objects.filter(article=article, language=content_language)
        .select_related("reference")
        .only("number", "count", *(f"reference__{field}" for field in REFERENCE_LIST_FIELDS))
        .order_by("number")
    )
    related = article.related_articles.published().only(*LISTED, "topic_id", "order").order_by()
    # A page shown in English under another language's address points search engines at the
    # English original.
    canonical = request.build_absolute_uri(url_in(content_language, article))
    alternates = {
        code: request.build_absolute_uri(url) for code, url in article.language_urls().items()
    }
    context = {
        "article": article,
        "topic": article.topic,
        "content_language": content_language,
        "is_fallback": content_language != language,
        "body_html": getattr(article, f"body_html_{content_language}"),
        "toc_html": getattr(article, f"toc_html_{content_language}"),
        "authors": authors,
        "citations": list(citations),
        "resources": list(article.resources.all()),
        "related_articles": list(related),
        "canonical_url": canonical,
        "alternate_urls": alternates,
        "switcher_urls": {code: url_in(code, article) for code in LANGUAGE_CODES},
        "jsonld": article_jsonld(article, authors, canonical, content_language),
        "cite_text": cite_article(article, authors, canonical, content_language),
        "preview": preview,
        "changes": [
            (entry, *translated_value(entry, "summary", language))
            for entry in ChangeLogEntry.objects.filter(article=article).public()
        ],
    }
    return render(request, "netinfo/article_detail.html", context)


@public_page
def article_detail(request, slug):
    article = find_by_translated_slug(article_queryset().published(), slug)
    if article.get_absolute_url() != request.path:
        return redirect(article.get_absolute_url(), permanent=True)
    return article_page(request, article)


EXPORT_FORMATS = {"ris": "ris", "bib": "bibtex", "json": "csl-json"}


@public_page
def article_references(request, slug, format):
    """The references an article cites, as a file for a reference manager."""
    if format not in EXPORT_FORMATS:
        raise Http404
    article = find_by_translated_slug(Article.objects.published(), slug)
    language = get_language()
    if language not in article.translated_languages():
        language = "en"
    references = [
        citation.reference
        for citation in Citation.objects.filter(article=article, language=language)
        .select_related("reference")
        .order_by("number")
    ]
    fmt = EXPORT_FORMATS[format]
    _label, extension, content_type = exchange.FORMATS[fmt]
    body = exchange.write([reference.to_csl() for reference in references], fmt)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    filename = f"{article.slug}-references.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
def review_preview(request, token):
    """An article shared with an outside reviewer by a signed, expiring, revocable link."""
    link = PreviewLink.from_signed(token)
    if link is None:
        raise Http404
    article = get_object_or_404(article_queryset(), pk=link.article_id)
    response = article_page(request, article, preview="shared")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@staff_member_required
def article_preview(request, pk):
    """Any article, draft or not, as visitors would see it: staff only, never indexed."""
    if not request.user.has_perm("netinfo.view_article"):
        raise PermissionDenied
    article = get_object_or_404(article_queryset(), pk=pk)
    response = article_page(request, article, preview="staff")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public_page
def search(request):
    language = get_language()
    raw = request.GET.get("q", "")
    query, shortened = clean_query(raw)
    results = Article.objects.published().search(query, language) if query else []
    return render(
        request,
        "netinfo/search.html",
        {
            "query": query,
            "shortened": shortened,
            "results": results,
            "searched": "q" in request.GET,
            "max_length": MAX_QUERY_LENGTH,
        },
    )


@public_page
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/"]
    lines += [f"Disallow: /{code}/preview/" for code in LANGUAGE_CODES]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def media(request, path):
    """
    An uploaded image, with headers that keep any file from running as a page: only image
    types, no sniffing, a sandboxing CSP and an inline attachment disposition.
    """
    suffix = PurePosixPath(path).suffix.lower()
    if suffix not in MEDIA_TYPES:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = MEDIA_TYPES[suffix]
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = f'inline; filename="{PurePosixPath(path).name}"'
    # File names are random and never reused, so browsers may keep them for a year.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def favicon(request):
    """Browsers ask for /favicon.ico on pages without an icon link (the admin)."""
    return redirect(static("img/favicon.svg"), permanent=True)


def server_error(request):
    """
    The 500 page, or a 503 "try again shortly" page with Retry-After when the database is out
    of reach. Renders without the database and without context processors.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        return response
    return defaults.server_error(request)


def hello(request):
    """The benchmark's baseline: the cheapest response the same stack can give."""
    return HttpResponse("Hello", content_type="text/plain")


@never_cache
def healthz(request):
    """Liveness and database check for load balancers: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
