import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netinfo.core.text import folded

from . import identifiers
from .formatting import format_reference, format_reference_html


class ReferenceQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(verified_at__isnull=False)

    def unverified(self):
        return self.filter(verified_at__isnull=True)

    def get_by_natural_key(self, key):
        return self.get(key=key)


# Generous limits, far above any real source, that keep a broken or hostile file from filling
# the library with megabytes of "title".
MAX_TITLE_LENGTH = 1000
MAX_NAME_LENGTH = 200
MAX_NAMES = 1000


def validate_names(value):
    """Authors and editors: a list of {"family", "given"} persons or {"literal"} organisations."""
    if not isinstance(value, list):
        raise ValidationError(_("Enter a list of names."), code="invalid")
    if len(value) > MAX_NAMES:
        raise ValidationError(
            _("At most %(limit)s names; list the first ones and tick “and others”.")
            % {"limit": MAX_NAMES},
            code="too_many",
        )
    for name in value:
        if not isinstance(name, dict) or not (name.get("family") or name.get("literal")):
            raise ValidationError(
                _("Each name needs a family name, or is an organisation."), code="invalid"
            )
        if not all(isinstance(part, str) for part in name.values()):
            raise ValidationError(_("Names must be text."), code="invalid")
        if any(len(part) > MAX_NAME_LENGTH for part in name.values()):
            raise ValidationError(
                _("A name is longer than %(limit)s characters.") % {"limit": MAX_NAME_LENGTH},
                code="too_long",
            )


class Reference(models.Model):
    """
    One source in the citation library, cited from articles as [@key].

    The bibliographic fields mirror CSL-JSON (see to_csl/from_csl). `rendered` holds the NLM
    citation per site language, computed on save, so that pages never run the formatter.
    """

    class Type(models.TextChoices):
        JOURNAL_ARTICLE = "article-journal", _("Journal article")
        BOOK = "book", _("Book")
        CHAPTER = "chapter", _("Book chapter")
        WEBPAGE = "webpage", _("Web page")
        REPORT = "report", _("Report or guideline")

    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        help_text=_(
            "What editors type to cite this source, e.g. oronsky2017 for [@oronsky2017]. "
            "Lower-case letters, digits and hyphens."
        ),
        error_messages={"unique": _("Another reference already uses this key.")},
    )
    type = models.CharField(
        _("type"), max_length=20, choices=Type.choices, default=Type.JOURNAL_ARTICLE
    )
    authors = models.JSONField(_("authors"), default=list, blank=True, validators=[validate_names])
    and_others = models.BooleanField(
        _("and others"),
        default=False,
        help_text=_("The author list is incomplete: “et al.” follows the names given."),
    )
    title = models.TextField(
        _("title"), blank=True, validators=[MaxLengthValidator(MAX_TITLE_LENGTH)]
    )
    container_title = models.CharField(_("journal, book or website"), max_length=300, blank=True)
    container_title_short = models.CharField(
        _("journal abbreviation (NLM)"),
        max_length=200,
        blank=True,
        help_text=_("As in the NLM Catalog, e.g. “Virchows Arch” for Virchows Archiv."),
    )
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    publisher_place = models.CharField(_("place of publication"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(2200)],
    )
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    volume = models.CharField(_("volume"), max_length=50, blank=True)
    issue = models.CharField(_("issue"), max_length=50, blank=True)
    pages = models.CharField(
        _("pages"), max_length=50, blank=True, help_text=_("In full, e.g. 461-475.")
    )
    edition = models.CharField(_("edition"), max_length=50, blank=True)
    editors = models.JSONField(_("editors"), default=list, blank=True, validators=[validate_names])
    # Identifiers are NULL when absent, so that "unique" applies only to real values.
    doi = models.CharField(
        "DOI",
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        error_messages={"unique": _("Another reference already has this DOI.")},
    )
    pmid = models.CharField(
        "PMID",
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        error_messages={"unique": _("Another reference already has this PubMed ID.")},
    )
    pmcid = models.CharField(
        "PMCID",
        max_length=16,
        null=True,
        blank=True,
        unique=True,
        error_messages={"unique": _("Another reference already has this PubMed Central ID.")},
    )
    isbn = models.CharField("ISBN", max_length=13, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    accessed = models.DateField(
        _("accessed"), null=True, blank=True, help_text=_("When you last opened the web page.")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(
        _("internal note"), blank=True, help_text=_("For editors only; never shown to visitors.")
    )
    rendered = models.JSONField(default=dict, editable=False)
    # Key, titles, names and identifiers without accents or capitals (netinfo.core.text.folded),
    # for the admin's search: "oberg" finds Öberg K, on SQLite too, where `authors` is stored
    # as JSON with "\u00d6berg" for Öberg. Kept up to date by save().
    search_text = models.TextField(editable=False, blank=True, default="")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(year__isnull=False),
                name="reference_month_needs_year",
            ),
        ]

    def __str__(self):
        return self.key

    def save(self, *args, **kwargs):
        self.key = (self.key or "").lower()
        for field, normalize in identifiers.NORMALIZERS.items():
            value = getattr(self, field)
            if value:
                try:
                    setattr(self, field, normalize(value))
                except ValueError:
                    pass  # full_clean reports it; save() stores what it was given
            elif field != "isbn":
                setattr(self, field, None)
        self.rendered = self.render()
        self.search_text = self.searchable_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "rendered", "search_text"}
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        """Normalise identifiers first, so that length and uniqueness checks see the stored form."""
        errors = {}
        self.key = (self.key or "").lower()
        for field, normalize in identifiers.NORMALIZERS.items():
            value = getattr(self, field)
            if value is None or not value.strip():
                setattr(self, field, None if field != "isbn" else "")
                continue
            try:
                setattr(self, field, normalize(value))
            except ValueError as error:
                errors[field] = [str(error)]
        exclude = set(exclude or ()) | set(errors)
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    def clean(self):
        errors = {}
        if self.day and not self.month:
            errors["day"] = _("A day needs a month.")
        if self.month and not self.year:
            errors["month"] = _("A month needs a year.")
        if self.type == self.Type.WEBPAGE:
            if not self.url:
                errors["url"] = _("A web page needs its address (URL).")
            if not self.accessed:
                errors["accessed"] = _("A web page needs the date you accessed it.")
        if self.type == self.Type.CHAPTER and not self.container_title:
            errors["container_title"] = _("A book chapter needs the title of the book.")
        if self.is_verified and not self.title:
            errors["title"] = _("A reference can be marked verified only once its title is known.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_verified(self):
        return self.verified_at is not None

    def natural_key(self):
        return (self.key,)

    def get_admin_url(self):
        return reverse("admin:references_reference_change", args=[self.pk])

    def render(self):
        """The formatted citation in every site language: {"en": {"text", "html"}, ...}."""
        csl = self.to_csl()
        return {
            code: {"text": format_reference(csl, code), "html": format_reference_html(csl, code)}
            for code, _name in settings.LANGUAGES
        }

    def searchable_text(self):
        """search_text for the reference's current values; call it before bulk_create()."""
        names = [
            " ".join(filter(None, (name.get("given"), name.get("family"), name.get("literal"))))
            for name in [*self.authors, *self.editors]
            if isinstance(name, dict)
        ]
        fields = [self.key, self.title, self.container_title, self.container_title_short]
        ids = [self.doi or "", self.pmid or "", self.pmcid or ""]
        return folded("\n".join([*fields, *names, *ids]))

    def formatted(self, language):
        """The stored citation text for `language` (English if missing)."""
        return stored_citation(self.rendered, language, "text")

    def formatted_html(self, language):
        return stored_citation(self.rendered, language, "html")

    def mark_verified(self, user):
        self.verified_at = timezone.now()
        self.verified_by = user

    # Links built from the identifier columns, not from formatted text.
    def doi_url(self):
        return identifiers.doi_url(self.doi) if self.doi else ""

    def external_links(self, doi_resolver="https://doi.org/"):
        """
        (field, language, address) of the reference's web addresses, for the link checker; its
        DOI through `doi_resolver`, none when that is empty.
        """
        if self.url:
            yield "URL", "", self.url
        if self.doi and doi_resolver:
            yield "DOI", "", identifiers.doi_url(self.doi, doi_resolver)

    def pubmed_url(self):
        return identifiers.pubmed_url(self.pmid) if self.pmid else ""

    def pmc_url(self):
        return identifiers.pmc_url(self.pmcid) if self.pmcid else ""

    # CSL-JSON ------------------------------------------------------------------------------

    def to_csl(self):
        """This reference as a CSL-JSON item; from_csl(to_csl()) gives the same reference."""
        item = {"id": self.key, "type": self.type}
        if self.authors:
            item["author"] = self.authors
        if self.editors:
            item["editor"] = self.editors
        text_fields = {
            "title": self.title,
            "container-title": self.container_title,
            "container-title-short": self.container_title_short,
            "publisher": self.publisher,
            "publisher-place": self.publisher_place,
            "volume": self.volume,
            "issue": self.issue,
            "page": self.pages,
            "edition": self.edition,
            "DOI": self.doi,
            "PMID": self.pmid,
            "PMCID": self.pmcid,
            "ISBN": self.isbn,
            "URL": self.url,
            "note": self.note,
        }
        item.update({name: value for name, value in text_fields.items() if value})
        if self.year:
            item["issued"] = {
                "date-parts": [[p for p in (self.year, self.month, self.day) if p is not None]]
            }
        if self.accessed:
            item["accessed"] = {
                "date-parts": [[self.accessed.year, self.accessed.month, self.accessed.day]]
            }
        if self.and_others:
            item["custom"] = {"and-others": True}
        return item

    def to_public_csl(self):
        """
        This reference as a CSL-JSON item with only what visitors may see (PUBLIC_CSL_FIELDS):
        for the downloads on article pages. to_csl() keeps the editors' note, for backups and
        for moving references between sites through the admin.
        """
        return {name: value for name, value in self.to_csl().items() if name in PUBLIC_CSL_FIELDS}

    @classmethod
    def from_csl(cls, item):
        """
        An unsaved Reference from a CSL-JSON item. Raises ValueError when the item's shape is
        wrong; call full_clean() to check the values themselves.
        """
        if not isinstance(item, dict):
            raise ValueError(_("an entry must be an object with fields"))

        def text(name):
            value = item.get(name, "")
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                raise ValueError(_("field “%(name)s” must be text") % {"name": name})
            return value.strip()

        def date(name):
            value = item.get(name)
            if value in (None, "", {}):
                return []
            try:
                parts = value["date-parts"][0]
                return [int(part) for part in parts if part not in (None, "")]
            except (KeyError, IndexError, TypeError, ValueError):
                raise ValueError(_("field “%(name)s” is not a CSL date") % {"name": name}) from None

        def names(name):
            value = item.get(name) or []
            if not isinstance(value, list) or not all(isinstance(n, dict) for n in value):
                raise ValueError(_("field “%(name)s” must be a list of names") % {"name": name})
            return [
                {k: str(v).strip() for k, v in n.items() if k in NAME_PARTS and v} for n in value
            ]

        issued = date("issued")
        accessed = date("accessed")
        try:
            accessed_date = datetime.date(*accessed[:3]) if len(accessed) >= 3 else None
        except ValueError:
            raise ValueError(_("field “accessed” is not a valid date")) from None
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
        csl_type = text("type") or cls.Type.JOURNAL_ARTICLE
        return cls(
            key=text("id").lower(),
            type=CSL_TYPES.get(csl_type, csl_type),
            authors=names("author"),
            and_others=bool(custom.get("and-others")),
            title=text("title"),
            container_title=text("container-title"),
            container_title_short=text("container-title-short"),
            publisher=text("publisher"),
            publisher_place=text("publisher-place"),
            year=issued[0] if len(issued) > 0 else None,
            month=issued[1] if len(issued) > 1 else None,
            day=issued[2] if len(issued) > 2 else None,
            volume=text("volume"),
            issue=text("issue"),
            pages=text("page"),
            edition=text("edition"),
            editors=names("editor"),
            doi=text("DOI") or None,
            pmid=text("PMID") or None,
            pmcid=text("PMCID") or None,
            isbn=text("ISBN"),
            url=text("URL"),
            accessed=accessed_date,
            note=text("note"),
        )


# The CSL-JSON fields of a reference that visitors may download. A list of what is public,
# not of what is internal, so that a field added later stays internal until it is named here.
PUBLIC_CSL_FIELDS = {
    *("id", "type", "author", "editor", "title", "container-title", "container-title-short"),
    *("publisher", "publisher-place", "volume", "issue", "page", "edition", "issued"),
    *("DOI", "PMID", "PMCID", "ISBN", "URL", "accessed"),
    "custom",  # only the "and others" flag ("et al."), see to_csl()
}
NAME_PARTS = {"family", "given", "literal", "non-dropping-particle", "dropping-particle", "suffix"}

# CSL types that other tools use for what this library calls by one name.
CSL_TYPES = {
    "article": "article-journal",
    "article-magazine": "article-journal",
    "paper-conference": "chapter",
    "post-weblog": "webpage",
    "post": "webpage",
    "document": "report",
}


def stored_citation(rendered, language, form):
    """
    The citation that Reference.save() stored in `rendered`, for `language` (English if there
    is none in it), as "text" or "html" (every field escaped).
    """
    return (rendered.get(language) or rendered.get("en") or {}).get(form, "")
