import functools
import re

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, Prefetch, Q, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from netinfo.core.languages import (
    find_by_translated_slug,
    translated_value,
    url_in,
)
from netinfo.core.page_cache import add_tags, public_page, tags_version
from netinfo.core.public_forms import refusal
from netinfo.core.text import folded
from references import exchange

from . import services
from .cite import cite_article
from .feedback import DetailsForm, HelpfulForm, answer_for, details_token
from .models import (
    LANGUAGE_CODES,
    Article,
    Citation,
    FormerSlug,
    PreviewLink,
    Term,
    TermUse,
    Topic,
)
from .structured_data import article_jsonld, term_jsonld, translated_definition


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
        topics = (
            Topic.objects.annotate(
                published_count=Count(
                    "articles", filter=Q(articles__in=Article.objects.published())
                )
            )
            .filter(published_count__gt=0)
            .prefetch_related(Prefetch("articles", queryset=articles))
        )
        # Read only when the template's fragment cache, kept per "articles" version, misses.
        return super().get_context_data(
            topics=topics,
            cache_version=tags_version("articles"),
            fragment_seconds=settings.FRAGMENT_CACHE_SECONDS,
            **kwargs,
        )


def glossary_terms(terms, language):
    """The terms with what the glossary shows of them in `language`, in its alphabetical order."""
    uses = TermUse.objects.filter(
        language=language, article__in=Article.objects.published()
    ).select_related("article")
    terms = terms.prefetch_related(
        "related_terms", Prefetch("uses", queryset=uses, to_attr="shown_uses")
    )
    shown = []
    for term in terms:
        name = term.name_in(language)
        definition, definition_language = translated_definition(term, language)
        shown.append(
            {
                "term": term,
                "name": name,
                "name_language": language if getattr(term, f"name_{language}") else "en",
                "letter": folded(name)[:1].upper(),
                "definition": definition,
                "definition_language": definition_language,
                "related": sorted(
                    term.related_terms.all(), key=lambda t: folded(t.name_in(language))
                ),
                "articles": [use.article for use in term.shown_uses],
            }
        )
    return sorted(shown, key=lambda entry: folded(entry["name"]))


@public_page(tags=["glossary", "articles"])  # each term lists the articles that use it
def glossary(request):
    language = get_language()
    entries = glossary_terms(Term.objects.all(), language)
    letters = {}
    for entry in entries:
        letters.setdefault(entry["letter"], []).append(entry)
    return render(
        request,
        "netinfo/glossary.html",
        {
            "letters": letters,
            # Terms that begin with a number ("5-HIAA") are listed first, and jumped to too.
            "alphabet": [letter for letter in letters if not "A" <= letter <= "Z"]
            + [chr(code) for code in range(ord("A"), ord("Z") + 1)],
            "switcher_urls": {
                code: url_in_language(code, "netinfo:glossary") for code in LANGUAGE_CODES
            },
        },
    )


@public_page(tags=["glossary"])
def term_detail(request, slug):
    term = find_by_translated_slug(Term.objects.all(), slug)
    if term.get_absolute_url() != request.path:
        return redirect(term.get_absolute_url(), permanent=True)
    language = get_language()
    entry = glossary_terms(Term.objects.filter(pk=term.pk), language)[0]
    url = request.build_absolute_uri(term.get_absolute_url())
    glossary_url = request.build_absolute_uri(reverse("netinfo:glossary"))
    response = render(
        request,
        "netinfo/term_detail.html",
        {
            "entry": entry,
            "jsonld": term_jsonld(term, url, glossary_url, language),
            "switcher_urls": {code: url_in(code, term) for code in LANGUAGE_CODES},
        },
    )
    listed = [f"article-{article.pk}" for article in entry["articles"]]
    return add_tags(response, f"term-{term.pk}", *listed)


class AboutView(TemplateView):
    template_name = "netinfo/about.html"


@public_page(tags=[])
def topic_detail(request, slug):
    topic = find_by_translated_slug(
        Topic.objects.prefetch_related(Prefetch("articles", queryset=Article.objects.published())),
        slug,
    )
    if topic.get_absolute_url() != request.path:
        return redirect(topic.get_absolute_url(), permanent=True)
    response = render(
        request,
        "netinfo/topic_detail.html",
        {
            "topic": topic,
            "articles": topic.articles.all(),
            "switcher_urls": {code: url_in(code, topic) for code in LANGUAGE_CODES},
            "name_language": translated_value(topic, "name", get_language())[1],
        },
    )
    return add_tags(response, f"topic-{topic.pk}", f"articles-in-topic-{topic.pk}")


LISTED = [f"{field}_{code}" for field in ("title", "slug", "summary") for code in LANGUAGE_CODES]
HOME_ARTICLES_PER_TOPIC = 6


def translated(*fields):
    return [f"{field}_{code}" for field in fields for code in LANGUAGE_CODES]


# What an article page reads besides its text: every language of each (the page picks one),
# and which languages have their own text. The text, its table of contents and what was
# rendered with it (article.page_parts) are read only when the page's cached fragment is
# rendered (article_page's text()), and so are the topic, the medical reviewer and the related
# articles: after an edit, or once per cache period.
PAGE_FIELDS = [
    *translated("title", "slug", "summary"),
    *("audience", "status", "published_at", "updated", "last_reviewed", "next_review_due"),
    *("topic", "medical_reviewer", "text_languages"),
]


def for_article_page(articles):
    """`articles` with what an article page reads before its cached fragment."""
    return articles.only(*PAGE_FIELDS)


def url_in_language(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def article_by_pk(pk):
    """Any article, published or not (previews), with what its page shows."""
    found = for_article_page(Article.objects.filter(pk=pk)).first()
    if found is None:
        raise Http404
    return found


def content_language(article, language):
    """The language an article's page in `language` shows its text in: its own, else English."""
    return language if language in article.translated_languages() else "en"


def stored_text(article, content_language, language):
    """What an article's page shows, as the save pipeline stored it: one query."""
    body_html, toc_html, page_parts = (
        Article.objects.filter(pk=article.pk)
        .values_list(f"body_html_{content_language}", f"toc_html_{content_language}", "page_parts")
        .get()
    )
    parts = page_parts.get(language) or {}
    return {
        "body_html": body_html,
        "toc_html": toc_html,
        "parts": parts,
        "authors": parts.get("authors", []),
    }


def article_tags(article):
    """The cache tags of an article's pages (netinfo.site.invalidation says what they mean)."""
    return [f"article-{article.pk}", f"topic-{article.topic_id}"]


def article_page(request, article, *, preview="", preview_url=None):
    """
    The article page, for visitors, for staff ("staff") and for outside reviewers ("shared");
    `preview_url(language)` gives a preview's address in a language. What the page shows
    besides its text was rendered when the article was saved (article.page_parts); the page
    itself asks the database for the article and its related articles only.
    """
    language = get_language()
    written_in = article.translated_languages()
    shown_in = content_language(article, language)
    # The page's address in each language, for the language switcher and search engines.
    urls = {code: url_in(code, article) for code in LANGUAGE_CODES}
    # A page shown in English under another language's address points search engines at the
    # English original.
    canonical = request.build_absolute_uri(urls[shown_in])
    alternates = {code: request.build_absolute_uri(urls[code]) for code in written_in}

    # Callables, which the template calls only when it renders the fragment that shows them
    # (a cache miss); text() is read once however often it is called.
    @functools.cache
    def text():
        return stored_text(article, shown_in, language)

    def related():
        return article.related_articles.published().only(*LISTED).order_by("topic__order", "order")

    def jsonld():
        return article_jsonld(article, text()["authors"], canonical, shown_in)

    def cite_text():
        return cite_article(article, text()["authors"], canonical, shown_in)

    context = {
        "article": article,
        "content_language": shown_in,
        "is_fallback": shown_in != language,
        "text": text,
        "related_articles": related,
        "jsonld": jsonld,
        "cite_text": cite_text,
        "canonical_url": canonical,
        "alternate_urls": alternates,
        # For "Embed this page": the addresses partners copy.
        "embed_url": request.build_absolute_uri(
            reverse("netinfo:article-embed", kwargs={"slug": article.slug})
        ),
        "api_url": request.build_absolute_uri(
            reverse("api:article-detail", kwargs={"slug": article.slug})
        )
        + f"?language={shown_in}",
        # A preview's switcher stays in the preview, in the languages the article is written in.
        "switcher_urls": urls
        if preview_url is None
        else {
            code: preview_url(code) for code in LANGUAGE_CODES if code in {*written_in, language}
        },
        "preview": preview,
        # For the template's fragment cache (see article_detail.html).
        "cache_version": tags_version(*article_tags(article)),
        "today": timezone.localdate().isoformat(),
        "fragment_seconds": settings.FRAGMENT_CACHE_SECONDS,
    }
    return add_tags(render(request, "netinfo/article_detail.html", context), *article_tags(article))


@public_page(tags=[])
def article_detail(request, slug):
    published = for_article_page(Article.objects.published())
    # Usually the slug is the page language's own: one lookup in that slug's unique index.
    article = published.filter(**{f"slug_{get_language()}": slug}).first()
    if article is None:
        # Another language's slug (an untranslated article, a shared link), the slug in other
        # capitals, or a slug the article had before: the visitor is sent to its address.
        try:
            article = find_by_translated_slug(published, slug)
        except Http404:
            return redirect_from_former_slug(slug)
    if article.get_absolute_url() != request.path:
        return redirect(article.get_absolute_url(), permanent=True)
    return article_page(request, article)


# In an embed, links open a new tab (<base target="_blank">), except the jumps within the
# article, to a reference and back, which stay in the frame.
IN_PAGE_LINK_RE = re.compile(r'(<a\b[^>]*?)\shref="#')


def in_page_links_stay(html):
    return IN_PAGE_LINK_RE.sub(r'\1 target="_self" href="#', html)


# Partners show an article on their own site in an <iframe>: this page alone may be framed by
# any site (every other page refuses to be, against clickjacking). No banner, cookie or
# analytics; search engines are sent to the article's own page.
@csp_replace({"frame-ancestors": ["*"]})
@xframe_options_exempt
@public_page(tags=[])
def article_embed(request, slug):
    article = find_by_translated_slug(for_article_page(Article.objects.published()), slug)
    address = reverse("netinfo:article-embed", kwargs={"slug": article.slug})
    if address != request.path:
        return redirect(address, permanent=True)
    language = get_language()
    shown_in = content_language(article, language)
    text = stored_text(article, shown_in, language)
    text["body_html"] = in_page_links_stay(text["body_html"])
    text["references"] = in_page_links_stay(text["parts"].get("references", ""))
    response = render(
        request,
        "netinfo/article_embed.html",
        {
            "article": article,
            "content_language": shown_in,
            "text": text,
            "canonical_url": request.build_absolute_uri(url_in(shown_in, article)),
        },
    )
    return add_tags(response, *article_tags(article))


def redirect_from_former_slug(slug):
    """
    An address whose slug an article has left leads to the article (permanently, so that
    search engines move on too); a slug from the current language wins over one from another.
    """
    former = (
        FormerSlug.objects.filter(slug__iexact=slug, article__in=Article.objects.published())
        .select_related("article")
        .order_by(Case(When(language=get_language(), then=0), default=1), "-pk")
        .first()
    )
    if former is None:
        raise Http404
    return redirect(former.article.get_absolute_url(), permanent=True)


EXPORT_FORMATS = {"ris": "ris", "bib": "bibtex", "json": "csl-json"}


@public_page(tags=[])
def article_references(request, slug, format):
    """The references an article cites, as a file for a reference manager."""
    if format not in EXPORT_FORMATS:
        raise Http404
    article = find_by_translated_slug(Article.objects.published(), slug)
    language = content_language(article, get_language())
    references = [
        citation.reference
        for citation in Citation.objects.filter(article=article, language=language)
        .select_related("reference")
        .order_by("number")
    ]
    fmt = EXPORT_FORMATS[format]
    _label, extension, content_type = exchange.FORMATS[fmt]
    body = exchange.write([reference.to_public_csl() for reference in references], fmt)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    filename = f"{article.slug}-references.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return add_tags(response, *article_tags(article))


@never_cache
def review_preview(request, token):
    """An article shared with an outside reviewer by a signed, expiring, revocable link."""
    link = PreviewLink.from_signed(token)
    if link is None:
        raise Http404
    article = article_by_pk(link.article_id)
    response = article_page(
        request,
        article,
        preview="shared",
        preview_url=lambda code: url_in_language(code, "netinfo:review-preview", token=token),
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@staff_member_required
def article_preview(request, pk):
    """Any article, draft or not, as visitors would see it: staff only, never indexed."""
    if not request.user.has_perm("netinfo.view_article"):
        raise PermissionDenied
    article = article_by_pk(pk)
    response = article_page(
        request,
        article,
        preview="staff",
        preview_url=lambda code: url_in_language(code, "netinfo:article-preview", pk=pk),
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# At most this many answers to "Was this page helpful?" from one address in an hour.
FEEDBACK_PER_HOUR = 20


# No CSRF cookie on public pages (they are cached): refusal() checks where the answer came
# from and how often (netinfo.core.public_forms). Never cached, sets no cookie.
@csrf_exempt
@never_cache
@require_POST
def article_feedback(request, slug):
    """The answer to "Was this page helpful?", then a form to say more."""
    article = find_by_translated_slug(Article.objects.published(), slug)
    form = HelpfulForm(request.POST)
    refused = refusal(request, "feedback", FEEDBACK_PER_HOUR)
    if refused or not form.is_valid():
        status, message = refused or (400, gettext("Please answer Yes or No."))
        return feedback_page(request, article, status=status, message=message)
    helpful = form.cleaned_data["helpful"] == "yes"
    if form.is_spam():
        return feedback_page(request, article, done=True)
    feedback = services.record_feedback(article, get_language(), helpful)
    details = DetailsForm(initial={"feedback": details_token(feedback)}, helpful=helpful)
    return feedback_page(request, article, form=details, helpful=helpful)


@csrf_exempt
@never_cache
@require_POST
def article_feedback_details(request, slug):
    """What the reader adds to their answer: a comment, and on "No" what was missing."""
    article = find_by_translated_slug(Article.objects.published(), slug)
    # "What was missing?" is asked after a "No", also when the form comes back with an error.
    answer = answer_for(request.POST.get("feedback", ""))
    helpful = answer.helpful if answer else True
    form = DetailsForm(request.POST, helpful=helpful)
    refused = refusal(request, "feedback", FEEDBACK_PER_HOUR)
    if refused:
        status, message = refused
        return feedback_page(request, article, status=status, message=message)
    if not form.is_valid():
        if "feedback" in form.errors:
            return feedback_page(request, article, status=400, message=form.errors["feedback"][0])
        return feedback_page(request, article, form=form, helpful=helpful, status=400)
    if not form.is_spam():
        services.add_feedback_details(
            form.cleaned_data["feedback"],
            comment=form.cleaned_data["comment"],
            missing=form.cleaned_data.get("missing", []),
        )
    return feedback_page(request, article, done=True)


def feedback_page(request, article, *, form=None, helpful=True, done=False, status=200, message=""):
    return render(
        request,
        "netinfo/feedback.html",
        {"article": article, "form": form, "helpful": helpful, "done": done, "message": message},
        status=status,
    )
