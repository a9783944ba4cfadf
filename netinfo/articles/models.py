import datetime
import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxLengthValidator
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, gettext_noop

from netinfo.core.languages import LANGUAGE_CODES, translated_languages, url_in
from netinfo.core.text import folded

from .readability import measure
from .rendering import RenderedBody

REVIEW_INTERVAL_YEARS = 3
# What an article's text is made of (each per language), and the columns save() derives from it.
TEXT_FIELDS = ("title", "summary", "body")
DERIVED_FIELDS = [
    *(
        f"{name}_{code}"
        for name in ("body_html", "toc_html", "body_text")
        for code in LANGUAGE_CODES
    ),
    *("text_languages", "content_hashes", "translation_sources", "readability"),
]


def add_years(day, years):
    """The same calendar day `years` later (28 February for 29 February in a non-leap year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class TopicQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug_en):
        return self.get(slug_en=slug_en)


class Topic(models.Model):
    """A section of the site, such as "Diagnosis", grouping articles on the home page."""

    name = models.CharField(_("name"), max_length=100)
    # NULL when untranslated: unique per language without colliding on empty values.
    slug = models.SlugField(_("slug"), max_length=100, null=True, blank=True)  # noqa: DJ001
    description = models.TextField(_("short description"), blank=True, max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=[f"slug_{code}"], name=f"topic_slug_{code}_unique")
            for code in LANGUAGE_CODES
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("netinfo:topic-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug_en,)

    def translated_languages(self):
        return translated_languages(self, "name", "slug")


class Contributor(models.Model):
    """An author or medical reviewer, shown with credentials on the articles they worked on."""

    family_name = models.CharField(_("family name"), max_length=100)
    given_names = models.CharField(_("given names"), max_length=100, blank=True)
    credentials = models.CharField(
        _("credentials"),
        max_length=200,
        blank=True,
        help_text=_("Degrees and role, e.g. “MD, consultant endocrinologist”."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributor",
        help_text=_("The admin account of this person, if they have one."),
    )
    # Names and credentials folded (see folded()) for the admin's search, kept by save():
    # editors type "Muller" or "oberg" for Müller and Öberg.
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = self.searchable_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def searchable_text(self):
        credentials = [getattr(self, f"credentials_{code}") or "" for code in LANGUAGE_CODES]
        return folded("\n".join([self.given_names, self.family_name, *credentials]))

    @property
    def name(self):
        return " ".join(part for part in (self.given_names, self.family_name) if part)

    def with_credentials(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def as_csl_name(self):
        return {"family": self.family_name, "given": self.given_names}


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Live articles: published status and a publication time that has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def slugs(self):
        """Every slug, in any language, of these articles (internal links lead to them)."""
        rows = self.values_list(*(f"slug_{code}" for code in LANGUAGE_CODES))
        return frozenset(slug for row in rows for slug in row if slug)

    def review_overdue(self):
        return self.filter(next_review_due__lt=timezone.localdate())

    def missing_translation(self, language):
        empty = models.Q(**{f"title_{language}__isnull": True}) | models.Q(
            **{f"title_{language}": ""}
        )
        empty |= models.Q(**{f"body_{language}__isnull": True}) | models.Q(
            **{f"body_{language}": ""}
        )
        return self.filter(empty)

    def get_by_natural_key(self, slug_en):
        return self.get(slug_en=slug_en)

    def search(self, query, language, page=1):
        from .search import search_articles

        return search_articles(self, query, language, page)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Audience(models.TextChoices):
        PATIENTS = "patients", _("Patients and carers")
        PROFESSIONALS = "professionals", _("Health professionals")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(  # noqa: DJ001 (NULL when untranslated, see Topic.slug)
        _("slug"),
        max_length=200,
        null=True,
        blank=True,
        help_text=_(
            "The last part of the address, e.g. what-are-nets. Unique per language. When you "
            "change it, the old address goes on leading here."
        ),
    )
    summary = models.TextField(
        _("summary"),
        max_length=300,
        validators=[MaxLengthValidator(300)],
        help_text=_(
            "Plain text, at most 300 characters. Shown in search results and to search engines."
        ),
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Markdown: ## headings, *emphasis*, lists, [links](https://...), > quotes, tables. "
            "Cite with [@key], [@key1; @key2] or [@key, p. 5]. Place figures on a line of their "
            "own with [[figure:1]] or [[series:key]]."
        ),
    )
    # Derived from `body` on save, per language, so that a page view does no Markdown work.
    body_html = models.TextField(editable=False, blank=True)
    toc_html = models.TextField(editable=False, blank=True)
    body_text = models.TextField(editable=False, blank=True)
    # PostgreSQL only: the title, summary and text as a weighted full-text vector, kept up to
    # date by save() (on SQLite the column stays empty and search falls back to LIKE).
    search_vector = SearchVectorField(null=True, editable=False)

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="articles"
    )
    order = models.PositiveSmallIntegerField(_("order within topic"), default=0)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PATIENTS
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("A future date publishes the article automatically at that time."),
    )
    authors = models.ManyToManyField(
        Contributor,
        verbose_name=_("authors"),
        through="Authorship",
        related_name="authored_articles",
        blank=True,
    )
    medical_reviewer = models.ForeignKey(
        Contributor,
        verbose_name=_("medical reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_articles",
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    next_review_due = models.DateField(
        _("next review due"),
        null=True,
        blank=True,
        help_text=_("Left empty, it is set to three years after the last review."),
    )
    link_terms = models.BooleanField(
        _("explain glossary words"),
        default=True,
        help_text=_(
            "Link the first use of each glossary word to its short definition. Switch off where "
            "it would get in the way."
        ),
    )
    related_articles = models.ManyToManyField(
        "self", verbose_name=_("related articles"), symmetrical=False, blank=True
    )
    review_interval_years = models.PositiveSmallIntegerField(
        _("review interval (years)"),
        default=REVIEW_INTERVAL_YEARS,
        help_text=_("How long an approval lasts before the next medical review is due."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted for review by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    revision_of = models.ForeignKey(
        "self",
        verbose_name=_("working copy of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="working_copies",
        help_text=_(
            "Set on a working copy of a published article; approving it updates the original."
        ),
    )
    # Derived on save: the languages that have their own text ("en de"; a page reads this, not
    # the text, when its text comes from the fragment cache), hashes of each language's text, the English hash each translation was
    # last saved against (stale when it differs), and readability figures per language.
    text_languages = models.CharField(max_length=50, blank=True, default="", editable=False)
    content_hashes = models.JSONField(default=dict, editable=False)
    # What the page shows besides the text, per language (netinfo.articles.pages), rendered by
    # the save pipeline: authors, reference list, further resources, "What changed".
    page_parts = models.JSONField(default=dict, editable=False)
    translation_sources = models.JSONField(default=dict, editable=False)
    readability = models.JSONField(default=dict, editable=False)
    # What the content checks found in each language (netinfo.articles.checks), written by the
    # save pipeline with the rendered text.
    content_checks = models.JSONField(default=dict, editable=False)
    # Their counts, for the article list's filter and the review dashboard.
    content_errors = models.PositiveSmallIntegerField(
        _("errors in the text"), default=0, editable=False
    )
    content_warnings = models.PositiveSmallIntegerField(
        _("warnings about the text"), default=0, editable=False
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "order", "pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [("approve_article", _("Can approve and publish articles (medical review)"))]
        constraints = [
            models.UniqueConstraint(fields=[f"slug_{code}"], name=f"article_slug_{code}_unique")
            for code in LANGUAGE_CODES
        ]
        # Covers published() and the home page's per-topic numbering without reading the
        # (large) text columns of every row.
        indexes = [
            models.Index(
                fields=["status", "published_at", "topic", "order"], name="article_listing_idx"
            )
        ]

    def __str__(self):
        return self.title or self.title_en or "?"

    def save(self, *args, rendered=None, **kwargs):
        """
        Fill the article's own derived columns, then save. `rendered` is the body as the save
        pipeline (netinfo.articles.services) rendered it, once per language ({code: RenderedBody}, or
        {} for "not rendered yet"); without it the body is rendered here, unless
        `update_fields` leaves the text alone. Rows that depend on the article (citations,
        former addresses, the change log) are the pipeline's to write.
        """
        update_fields = kwargs.get("update_fields")
        text_saved = rendered is not None or update_fields is None
        text_saved = text_saved or any(name.startswith(TEXT_FIELDS) for name in update_fields)
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        if self.last_reviewed and not self.next_review_due:
            self.next_review_due = add_years(self.last_reviewed, self.review_interval_years)
        if text_saved:
            if rendered is None:
                rendered = self.render()
            for code in LANGUAGE_CODES:
                result = rendered.get(code) or RenderedBody()
                setattr(self, f"body_html_{code}", result.html)
                setattr(self, f"toc_html_{code}", result.toc_html)
                setattr(self, f"body_text_{code}", result.text)
            self.text_languages = " ".join(
                code for code in LANGUAGE_CODES if getattr(self, f"body_html_{code}")
            )
            self.track_translations()
            self.readability = {
                code: measure(getattr(self, f"body_text_{code}") or "", code)
                for code in LANGUAGE_CODES
                if getattr(self, f"body_text_{code}")
            }
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *DERIVED_FIELDS}
        super().save(*args, **kwargs)
        if text_saved:
            from .search import index_words, search_vector_updates

            if connection.vendor == "postgresql":
                Article.objects.filter(pk=self.pk).update(**search_vector_updates())
            index_words(self)

    def get_absolute_url(self):
        return reverse("netinfo:article-detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        if (
            self.next_review_due
            and self.last_reviewed
            and self.next_review_due <= self.last_reviewed
        ):
            raise ValidationError(
                {"next_review_due": _("The next review must be after the last review.")}
            )

    def natural_key(self):
        return (self.slug_en,)

    natural_key.dependencies = ["netinfo.topic"]

    def get_preview_url(self):
        return reverse("netinfo:article-preview", kwargs={"pk": self.pk})

    def saved_slugs(self):
        """{language: slug} as stored now, before this save; empty for a new article."""
        if self.pk is None or self._state.adding:
            return {}
        fields = [f"slug_{code}" for code in LANGUAGE_CODES]
        stored = Article.objects.filter(pk=self.pk).values(*fields).first() or {}
        return {code: stored.get(f"slug_{code}") for code in LANGUAGE_CODES}

    def translated_languages(self):
        """Languages with their own title, slug and text (no fallback)."""
        return [code for code in translated_languages(self, "title", "slug") if self.has_text(code)]

    def has_text(self, code):
        """Whether the language has its own body (its rendered body is filled exactly then)."""
        return code in self.text_languages.split()

    @property
    def review_overdue(self):
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    def track_translations(self):
        """
        Remember each language's text hash, and for every translation the English hash it was
        last saved against: a translation is stale once English changes after it.
        """
        hashes = {}
        for code in LANGUAGE_CODES:
            text = "\n".join(
                getattr(self, f"{f}_{code}") or "" for f in ("title", "summary", "body")
            )
            hashes[code] = hashlib.sha256(text.encode()).hexdigest() if text.strip() else ""
        sources = dict(self.translation_sources or {})
        for code in LANGUAGE_CODES:
            if code == "en":
                continue
            if not hashes[code]:
                sources.pop(code, None)
            elif hashes[code] != (self.content_hashes or {}).get(code) or code not in sources:
                sources[code] = hashes["en"]
        self.content_hashes, self.translation_sources = hashes, sources

    def stale_translations(self):
        """Languages whose text was last saved before the current English text existed."""
        english = (self.content_hashes or {}).get("en")
        return [
            code
            for code, source in (self.translation_sources or {}).items()
            if (self.content_hashes or {}).get(code) and source != english
        ]

    def render(self):
        """
        Rendered body per language ({code: RenderedBody}); reads figures and references but
        writes nothing. Languages without their own body render to nothing (English is shown).
        """
        from .rendering import render_article_body

        figures = list(self.figures.all()) if self.pk else []
        series = list(self.figure_series.all()) if self.pk else []
        return {
            code: render_article_body(
                getattr(self, f"body_{code}") or "",
                code,
                figures=figures,
                series=series,
                glossary=Term.objects.glossary(code) if self.link_terms else None,
            )
            for code in LANGUAGE_CODES
        }

    def external_links(self):
        """
        (field, language, address) of each external web address the article shows, for the
        link checker: the links in its text in each language, then its further resources
        (prefetch them). Field names are translated where they are shown.
        """
        from .checks import external_urls

        for code in LANGUAGE_CODES:
            for url in external_urls(getattr(self, f"body_{code}") or ""):
                yield gettext_noop("text"), code, url
        for resource in self.resources.all():
            yield gettext_noop("further resources"), "", resource.url


class FormerSlug(models.Model):
    """A slug an article had in a language; its old address redirects to the article's page."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="former_slugs",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    slug = models.SlugField(_("slug"), max_length=200)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("former address")
        verbose_name_plural = _("former addresses")
        constraints = [
            # The latest article to leave a slug gets its old links.
            models.UniqueConstraint(fields=["language", "slug"], name="former_slug_unique")
        ]

    def __str__(self):
        return f"/{self.language}/…/{self.slug}/"


class Authorship(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="authorships")
    contributor = models.ForeignKey(
        Contributor, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.UniqueConstraint(fields=["article", "contributor"], name="authorship_unique")
        ]

    def __str__(self):
        return str(self.contributor)


def figure_upload_to(instance, filename):
    """A random file name: nothing an uploader typed reaches the file system or a URL."""
    extension = Path(filename).suffix.lower().lstrip(".")
    extension = {"jpeg": "jpg"}.get(extension, extension)
    return f"figures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class FigureSeries(models.Model):
    """Figures shown side by side under one shared caption, placed with [[series:key]]."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="figure_series")
    key = models.SlugField(
        _("key"), max_length=50, help_text=_("Used in the body as [[series:key]].")
    )
    caption = models.TextField(_("shared caption"), blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("figure series")
        verbose_name_plural = _("figure series")
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="figureseries_key_unique")
        ]

    def __str__(self):
        return self.key


class Figure(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="figures")
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Used in the body as [[figure:number]].")
    )
    image = models.ImageField(
        _("image"),
        upload_to=figure_upload_to,
        width_field="width",
        height_field="height",
        # The figure form checks what an upload is (netinfo.core.images.validate_image).
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt = models.CharField(
        _("alternative text"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    decorative = models.BooleanField(
        _("decorative"),
        default=False,
        help_text=_("Only if the image adds no information; it then needs no alternative text."),
    )
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(
        _("credit"), max_length=300, help_text=_("Required, e.g. “Courtesy of ...”.")
    )
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    series = models.SlugField(
        _("series"),
        max_length=50,
        blank=True,
        help_text=_("The key of a figure series this figure belongs to, if any."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="figure_number_unique")
        ]

    def __str__(self):
        return _("Figure %(number)s") % {"number": self.number}

    def clean(self):
        errors = {}
        if not self.decorative and not self.alt_en:
            errors["alt_en"] = _("Describe the image, or mark it as decorative.")
        if errors:
            raise ValidationError(errors)


class ExternalResource(models.Model):
    """A further-reading link shown under an article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField("URL", max_length=500)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("further resource")
        verbose_name_plural = _("further resources")

    def __str__(self):
        return self.title


class SearchWord(models.Model):
    """
    A word an article's text uses, per language: the site's own vocabulary, from which the
    search offers "Did you mean ...?" for a word it cannot find (netinfo.articles.search).
    Written by Article.save() with the text, like the search index itself.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="search_words")
    language = models.CharField(max_length=10)
    word = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language", "word"], name="searchword_unique"
            )
        ]
        indexes = [models.Index(fields=["language", "word"], name="searchword_language_word")]

    def __str__(self):
        return self.word


class Citation(models.Model):
    """
    Which references an article cites, in which language, under which number and how often.
    Rebuilt from the body by `rebuild_citations()` whenever an article is saved.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    reference = models.ForeignKey(
        "references.Reference", on_delete=models.PROTECT, related_name="citations"
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    number = models.PositiveSmallIntegerField()
    count = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["article", "language", "number"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language", "reference"], name="citation_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["article", "language", "number"], name="citation_number_unique"
            ),
        ]

    def __str__(self):
        return _("“%(article)s” cites it as [%(number)s] (%(language)s)") % {
            "article": self.article,
            "number": self.number,
            "language": self.language,
        }


class ChangeLogEntryQuerySet(models.QuerySet):
    def public(self):
        return self.order_by("-created", "-pk")

    def of_live_articles(self):
        """Entries of articles visitors can read now, by the one rule for that (published())."""
        return self.filter(article__in=Article.objects.published())


class ChangeLogEntry(models.Model):
    """One line of an article's public "What changed" list, written whenever it is published."""

    class Kind(models.TextChoices):
        CLINICAL = "clinical", _("Clinical update")
        EDITORIAL = "editorial", _("Editorial change")
        REVIEW = "review", _("Reviewed, no changes")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="changes")
    created = models.DateTimeField(_("date"), default=timezone.now)
    kind = models.CharField(_("kind of change"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("what changed"), max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        Contributor,
        verbose_name=_("medical reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ChangeLogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")

    def __str__(self):
        return (
            f"{self.created:%Y-%m-%d} {self.get_kind_display()}: {self.summary_en or self.summary}"
        )


def preview_expiry():
    return timezone.now() + datetime.timedelta(days=PREVIEW_LINK_DAYS)


PREVIEW_LINK_DAYS = 14


class PreviewLink(models.Model):
    """
    A link that shows one article, draft or not, to an outside clinical reviewer without an
    account: signed, expiring, revocable, read-only and never indexed.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    note = models.CharField(
        _("for whom"), max_length=200, blank=True, help_text=_("e.g. the reviewer's name.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"), default=preview_expiry)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self):
        return self.note or str(self.token)

    def get_absolute_url(self):
        return reverse("netinfo:review-preview", kwargs={"token": self.signed_token()})

    @property
    def is_valid(self):
        return not self.revoked and self.expires_at > timezone.now()

    def signed_token(self):
        # A plain signature, not signing.dumps(), which stamps the current second into the
        # value: the same link would then read differently on every admin page view, so an
        # editor who copied it twice would hold two different addresses. Expiry is kept on the
        # row (expires_at), where it can also be revoked, not in the token.
        return signing.Signer(salt=PREVIEW_SALT).sign(str(self.token))

    @classmethod
    def from_signed(cls, value):
        """The valid link for a signed token, or None (tampered, unknown, revoked or expired)."""
        try:
            token = uuid.UUID(signing.Signer(salt=PREVIEW_SALT).unsign(value))
        except (signing.BadSignature, ValueError, TypeError):
            return None
        link = cls.objects.select_related("article").filter(token=token).first()
        return link if link is not None and link.is_valid else None


PREVIEW_SALT = "netinfo.preview-link"


def rebuild_citations(article, rendered=None):
    """
    Make the article's Citation rows what its body cites now, per language; rows that are
    already right are left alone (an editorial fix rarely changes what is cited).
    """
    if rendered is None:
        rendered = article.render()
    wanted = {
        (pk, code, number, count)
        for code, result in rendered.items()
        for pk, number, count in result.citations
    }
    fields = ("reference_id", "language", "number", "count")
    stored = set(Citation.objects.filter(article=article).values_list(*fields))
    if stored == wanted:
        return
    Citation.objects.filter(article=article).delete()
    Citation.objects.bulk_create(
        Citation(article=article, **dict(zip(fields, row, strict=True)))
        for row in sorted(wanted, key=lambda row: (row[1], row[2]))
    )


class FeedbackQuerySet(models.QuerySet):
    def with_comment(self):
        return self.exclude(comment="")

    def unhandled(self):
        return self.with_comment().filter(handled_at__isnull=True)


class Feedback(models.Model):
    """
    A reader's answer to "Was this page helpful?" on an article, with what they added: stored
    with the language and the article's version they read, without anything that identifies
    them (no cookie, no address; e-mail addresses and phone numbers in the comment removed).
    """

    class Missing(models.TextChoices):
        UNCLEAR = "unclear", _("It was hard to understand")
        INCOMPLETE = "incomplete", _("It did not answer my question")
        OUTDATED = "outdated", _("It seemed out of date")
        WRONG = "wrong", _("Something seemed wrong")
        OTHER = "other", _("Something else")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(_("language"), max_length=10)
    # The django-reversion version the reader saw (None: published before versions existed).
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    helpful = models.BooleanField(_("helpful"))
    missing = models.CharField(
        _("what was missing"), max_length=100, blank=True, help_text=_("Codes, space-separated.")
    )
    comment = models.TextField(_("comment"), blank=True, max_length=500)
    created = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(
        _("editor's note"),
        blank=True,
        help_text=_("What was done about it; never shown to readers."),
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("reader feedback")
        verbose_name_plural = _("reader feedback")
        indexes = [models.Index(fields=["article", "version"], name="feedback_article_version")]

    def __str__(self):
        answer = _("helpful") if self.helpful else _("not helpful")
        return f"{self.article} – {answer} ({self.created:%Y-%m-%d})"

    def missing_labels(self):
        labels = dict(self.Missing.choices)
        return [labels[code] for code in self.missing.split() if code in labels]


class TermQuerySet(models.QuerySet):
    def matching(self, text, language):
        """Terms whose name or other forms, in `language` or English, contain `text`."""
        found = models.Q()
        for code in dict.fromkeys([language, "en"]):
            found |= models.Q(**{f"name_{code}__icontains": text})
            found |= models.Q(**{f"other_forms_{code}__icontains": text})
        return self.filter(found)

    def glossary(self, language):
        """The terms as `language`'s articles mark them (netinfo.articles.glossary.Glossary)."""
        from .glossary import Entry, Glossary

        entries = []
        for term in self.all():
            forms = term.forms(language)
            if forms:
                entries.append(
                    Entry(
                        term.pk,
                        term.name_in(language),
                        term.url_in(language),
                        term.summary(language),
                        forms,
                    )
                )
        return Glossary(entries)


class Term(models.Model):
    """
    A medical word explained in plain language, in each language: shown in the glossary, and
    where an article first uses it. Editors and medical reviewers keep the terms; changing one
    renders again the articles that use it (services.save_term).
    """

    name = models.CharField(_("term"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, null=True, blank=True)  # noqa: DJ001
    other_forms = models.TextField(
        _("other forms"),
        blank=True,
        help_text=_(
            "One per line: plurals, inflected forms, abbreviations and other names the articles "
            "use, e.g. “somatostatin analogues”, “SSA”. Capitals do not matter."
        ),
    )
    definition = models.TextField(
        _("definition"),
        blank=True,
        help_text=_(
            "In plain language; Markdown. The first paragraph is what an article shows. Cite "
            "with [@key]."
        ),
    )
    definition_html = models.TextField(editable=False, blank=True, default="")
    pronunciation = models.CharField(
        _("pronunciation"), max_length=120, blank=True, help_text=_("e.g. so-ma-to-STAT-in")
    )
    related_terms = models.ManyToManyField("self", verbose_name=_("related terms"), blank=True)
    medical_reviewer = models.ForeignKey(
        Contributor,
        verbose_name=_("medical reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_terms",
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary")
        constraints = [
            models.UniqueConstraint(fields=[f"slug_{code}"], name=f"term_slug_{code}_unique")
            for code in LANGUAGE_CODES
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("netinfo:term-detail", kwargs={"slug": self.slug})

    def translated_languages(self):
        return translated_languages(self, "name", "slug", "definition")

    def name_in(self, language):
        return getattr(self, f"name_{language}") or self.name_en

    def url_in(self, language):
        return url_in(language, self)

    def forms(self, language):
        """The name and other forms articles in `language` may use, as written."""
        if language not in self.translated_languages():
            return []
        name = getattr(self, f"name_{language}")
        others = (getattr(self, f"other_forms_{language}") or "").splitlines()
        return list(dict.fromkeys(form.strip() for form in [name, *others] if form.strip()))

    def summary(self, language):
        """The definition's first paragraph as plain text, for an article's in-place note."""
        from .rendering import plain_text

        html = getattr(self, f"definition_html_{language}") or ""
        first = html.split("</p>", 1)[0]
        return plain_text(first)

    def external_links(self):
        """(field, language, address) of the links in the definition, for the link checker."""
        from .checks import external_urls

        for code in LANGUAGE_CODES:
            for url in external_urls(getattr(self, f"definition_{code}") or ""):
                yield gettext_noop("definition"), code, url

    def render(self):
        """definition_html for each language (with citation numbers)."""
        from .rendering import render_article_body

        for code in LANGUAGE_CODES:
            body = render_article_body(getattr(self, f"definition_{code}") or "", code)
            setattr(self, f"definition_html_{code}", body.html)


class TermUse(models.Model):
    """An article that marks a term, per language (written with the article's text)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="term_uses")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="uses")
    language = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "term", "language"], name="termuse_unique")
        ]

    def __str__(self):
        return f"{self.term} [{self.language}]"


def rebuild_term_uses(article, rendered):
    """Which terms the article marks now, per language (services.write, with the citations)."""
    wanted = {(pk, code) for code, result in rendered.items() for pk in result.terms}
    stored = set(TermUse.objects.filter(article=article).values_list("term_id", "language"))
    if stored == wanted:
        return
    TermUse.objects.filter(article=article).delete()
    TermUse.objects.bulk_create(
        TermUse(article=article, term_id=pk, language=code) for pk, code in sorted(wanted)
    )
