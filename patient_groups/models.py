import datetime
import functools
import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy as _, gettext_noop
from django_countries import countries
from django_countries.fields import CountryField

from netinfo.core.text import folded

VERIFICATION_INTERVAL = datetime.timedelta(days=365)

# ISO 639-1 languages Django knows by name (so their names come translated), plus Chinese,
# which Django only lists by script.
LANGUAGE_NAMES = {
    code: info["name"] for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info
}
LANGUAGE_NAMES["zh"] = "Chinese"
_("Chinese")  # picked up by makemessages; Django's catalogue has the other names


def language_name(code):
    """The language's name in the active language ('de' -> 'German' / 'Deutsch')."""
    return display_names()["languages"].get(code, code)


def country_name(code):
    """The country's name in the active language ('DE' -> 'Germany' / 'Deutschland')."""
    name = display_names()["countries"].get(code)
    return name if name is not None else str(countries.name(code))


def display_names():
    """Country, language, service and coverage names in the active language."""
    return _display_names(translation.get_language())


# The names are fixed for the life of the process. Looked up one by one, through
# django-countries' and Django's translation layers, they took a third of the directory's time.
@functools.lru_cache(maxsize=8)
def _display_names(language):
    with translation.override(language):
        return {
            "countries": {code: str(name) for code, name in countries},
            "languages": {code: gettext(name) for code, name in LANGUAGE_NAMES.items()},
            "services": {value: str(label) for value, label in Service.choices},
            "coverage": {value: str(label) for value, label in PatientGroup.Coverage.choices},
        }


def place(country, coverage, names=None):
    """A group's country name, or its coverage ("International") when it has no country."""
    names = names or display_names()
    if country:
        name = names["countries"].get(country)
        return name if name is not None else str(countries.name(country))
    return names["coverage"].get(coverage, "")


def countries_named_in(text):
    """
    Codes of the countries whose names, in the active language, `text` contains as whole words,
    accents and capitals aside: "groups in germany" gives ["DE"] (and "woman" no Oman).
    """
    pattern, codes = _country_names_pattern(translation.get_language())
    return list(dict.fromkeys(codes[name] for name in pattern.findall(folded(text))))


# Names people type for countries whose official short names they rarely use.
COUNTRY_ALIASES = {
    "en": {
        **dict.fromkeys(["usa", "united states"], "US"),
        **dict.fromkeys(["uk", "great britain", "britain", "england", "scotland", "wales"], "GB"),
        "northern ireland": "GB",
        "holland": "NL",
        "czech republic": "CZ",
    },
    "de": {
        **dict.fromkeys(["usa", "vereinigte staaten"], "US"),
        **dict.fromkeys(["grossbritannien", "england", "schottland", "wales", "nordirland"], "GB"),
        "holland": "NL",
        "tschechische republik": "CZ",
    },
}


@functools.lru_cache(maxsize=8)
def _country_names_pattern(language):
    codes = {folded(name): code for code, name in _display_names(language)["countries"].items()}
    codes.update(COUNTRY_ALIASES.get(language, {}))
    # Longest first, so "papua new guinea" is found as a whole rather than as "guinea".
    names = sorted(codes, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, names)) + r")(?!\w)"), codes


def language_choices():
    return sorted(((code, language_name(code)) for code in LANGUAGE_NAMES), key=lambda c: c[1])


class Service(models.TextChoices):
    INFORMATION = "information", _("Information")
    HELPLINE = "helpline", _("Helpline")
    PEER_SUPPORT = "peer-support", _("Peer support")
    EVENTS = "events", _("Events")
    ADVOCACY = "advocacy", _("Advocacy")
    RESEARCH_FUNDING = "research-funding", _("Research funding")


class RegionManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_country(self, code):
        """The region that lists the country (ISO 3166-1 alpha-2), the first in order; or None."""
        code = (code or "").upper()
        return next((r for r in self.exclude(countries="") if code in r.country_list), None)


class Region(models.Model):
    """A part of the world the directory is grouped by, in the order visitors see them."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("short description"), blank=True, max_length=500)
    # Which countries' groups belong here: the directory offers only these countries once the
    # region is chosen, and a group's country must be one of its region's (seeded by
    # migration 0009; staff keep the list under Regions).
    countries = models.CharField(
        _("countries"),
        max_length=1200,
        blank=True,
        help_text=_(
            "ISO 3166 codes of the countries in this region, separated by spaces (e.g. “DE FR”). "
            "Empty: groups from any country (e.g. worldwide)."
        ),
    )

    objects = RegionManager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    @property
    def country_list(self):
        return self.countries.split()

    def covers(self, code):
        """Whether a group from the country (alpha-2 code) belongs in this region."""
        return not self.countries or code.upper() in self.country_list

    def clean(self):
        codes = [code.upper() for code in dict.fromkeys(self.countries.split())]
        unknown = [code for code in codes if code not in countries]
        if unknown:
            raise ValidationError(
                {
                    "countries": _(
                        "Unknown country codes: %(codes)s. Use ISO 3166 codes such as DE, FR, JP."
                    )
                    % {"codes": ", ".join(unknown)}
                }
            )
        self.countries = " ".join(codes)


class PatientGroupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=PatientGroup.Status.ACTIVE)

    def in_region(self, region):
        return self.filter(region=region)

    def in_country(self, code):
        return self.filter(country=code)

    def serving_language(self, code):
        """Groups whose space-separated `languages` include `code`."""
        return self.filter(
            models.Q(languages=code)
            | models.Q(languages__startswith=f"{code} ")
            | models.Q(languages__endswith=f" {code}")
            | models.Q(languages__contains=f" {code} ")
        )

    def matching(self, text):
        """Groups whose name, acronym, former names or city contain `text`, accents and case aside."""
        # As a subquery, the text is looked for in the patientgroup_search index alone; in the
        # outer query the database would read every group's row, stored entry and all.
        found = PatientGroup.objects.filter(search_text__contains=folded(text)).values("pk")
        return self.filter(pk__in=found)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def verification_overdue(self):
        cutoff = timezone.localdate() - VERIFICATION_INTERVAL
        return self.filter(
            models.Q(last_verified__isnull=True) | models.Q(last_verified__lt=cutoff)
        )


# Addresses under /patient-groups/ that are pages of their own, not groups (patient_groups.urls).
RESERVED_SLUGS = {"add", "thank-you"}
# What the directory's name search looks in (PatientGroup.search_text).
SEARCHED_FIELDS = {"name", "acronym", "former_names", "city"}
# What a group's entry in the directory shows (PatientGroup.listing_html).
LISTED_FIELDS = {
    *("name", "slug", "acronym", "former_names", "country", "coverage", "website"),
    *("languages", "services"),
}


def is_url(value):
    try:
        URLValidator()(value)
    except ValidationError:
        return False  # the field's own validation reports it
    return True


class PatientGroup(models.Model):
    """A patient association in the directory."""

    class Coverage(models.TextChoices):
        NATIONAL = "national", _("National")
        MULTINATIONAL = "multinational", _("Several countries (e.g. pan-European)")
        INTERNATIONAL = "international", _("International")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("As the group writes it; not translated.")
    )
    slug = models.SlugField(_("slug"), max_length=220, unique=True, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    former_names = models.TextField(
        _("former names"), blank=True, help_text=_("One per line; shown as “formerly …”.")
    )
    country = CountryField(
        _("country"), blank=True, db_index=True, help_text=_("Empty for international groups.")
    )
    coverage = models.CharField(
        _("coverage"), max_length=20, choices=Coverage.choices, default=Coverage.NATIONAL
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="groups"
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    languages = models.CharField(
        _("languages served"),
        max_length=200,
        blank=True,
        help_text=_("ISO 639-1 codes separated by spaces, e.g. “de en”."),
    )
    description = models.TextField(_("short description"), blank=True, max_length=1000)
    services = models.CharField(_("services"), max_length=200, blank=True)
    alliance_member = models.BooleanField(_("member of the international alliance"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(
        _("internal note"), blank=True, help_text=_("For staff only; never shown to visitors.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # The searched fields, folded (see folded()); kept up to date by save().
    search_text = models.TextField(editable=False, blank=True, default="")
    # The group's entry in the directory, per language, rendered by save() from
    # templates/patient_groups/includes/_group_entry.html: the directory shows 50 at a time.
    listing_html = models.JSONField(editable=False, default=dict)

    objects = PatientGroupQuerySet.as_manager()

    class Meta:
        ordering = ["region__order", Lower("name")]
        verbose_name = _("patient group")
        verbose_name_plural = _("patient groups")
        permissions = [("export_patientgroup", _("Can export patient groups"))]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "country"],
                name="patientgroup_name_country_unique",
                violation_error_message=_("A group with this name already exists in this country."),
            )
        ]
        indexes = [
            # The directory reads a page region by region in this order, straight from the
            # index; without it every page sorted all groups (see patient_groups.views).
            models.Index(
                models.F("status"),
                models.F("region"),
                Lower("name"),
                models.F("id"),
                name="patientgroup_directory_order",
            ),
            # The filter options: each country and each list of languages of active groups is
            # found by one look-up in these (patient_groups.filters.filter_options).
            models.Index(fields=["status", "country"], name="patientgroup_countries"),
            models.Index(fields=["status", "languages"], name="patientgroup_languages"),
            # The name search (matching(): search_text LIKE '%...%') reads this index, not
            # every group's row with its stored entry.
            models.Index(fields=["status", "search_text"], name="patientgroup_search"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        self.search_text = self.searchable_text()
        self.listing_html = self.render_listing()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = set()
            if SEARCHED_FIELDS & set(update_fields):
                derived.add("search_text")
            if LISTED_FIELDS & set(update_fields):
                derived.add("listing_html")
            kwargs["update_fields"] = {*update_fields, *derived}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("patient_groups:group-detail", kwargs={"slug": self.slug})

    def render_listing(self):
        """The group's directory entry in each site language; call it before bulk_create()."""
        listing = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                listing[code] = render_to_string(
                    "patient_groups/includes/_group_entry.html", {"group": self}
                )
        return listing

    def listing(self):
        """The group's directory entry (HTML) in the active language."""
        return self.listing_html.get(translation.get_language()) or ""

    def searchable_text(self):
        """search_text for the group's current values; call it before bulk_create()."""
        return folded("\n".join([self.name, self.acronym, self.former_names, self.city]))

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["patient_groups.region"]

    def clean(self):
        errors = {}
        self.languages = " ".join(dict.fromkeys(self.languages.lower().split()))
        unknown = [code for code in self.language_list if code not in LANGUAGE_NAMES]
        if unknown:
            errors["languages"] = _(
                "Unknown language codes: %(codes)s. Use ISO 639-1 codes such as de, en, fr."
            ) % {"codes": ", ".join(unknown)}
        unknown = [s for s in self.service_list if s not in Service.values]
        if unknown:
            errors["services"] = _("Unknown services: %(services)s.") % {
                "services": ", ".join(unknown)
            }
        if (
            self.website
            and is_url(self.website)
            and not self.website.lower().startswith(("http://", "https://"))
        ):
            # URLField accepts ftp:// too; visitors need a web page.
            errors["website"] = _("Enter a web address that starts with https:// or http://.")
        if self.coverage == self.Coverage.NATIONAL and not self.country:
            errors["country"] = _("A national group needs a country.")
        if self.country and self.region_id and not self.region.covers(self.country.code):
            errors["region"] = self.region_problem()
        if errors:
            raise ValidationError(errors)

    def external_links(self):
        """(field, language, address) of the group's web addresses, for the link checker."""
        if self.website:
            yield gettext_noop("website"), "", self.website

    def region_problem(self):
        """Why the group's country does not belong in its region, and what to do instead."""
        values = {"country": country_name(self.country.code), "region": self.region.name}
        usual = Region.objects.for_country(self.country.code)
        if usual is not None:
            return _(
                "%(country)s is not one of the countries of “%(region)s”; it belongs to "
                "“%(usual)s”. Choose that region, or add the country to “%(region)s” under "
                "Regions."
            ) % {**values, "usual": usual.name}
        return (
            _(
                "%(country)s is not one of the countries of “%(region)s”. Choose another region, "
                "or add the country to “%(region)s” under Regions."
            )
            % values
        )

    def unique_slug(self):
        base = slugify(f"{self.name} {self.country or ''}")[:200] or "group"
        slug, number = base, 1
        while (
            slug in RESERVED_SLUGS
            or PatientGroup.objects.filter(slug=slug).exclude(pk=self.pk).exists()
        ):
            number += 1
            slug = f"{base}-{number}"
        return slug

    @property
    def language_list(self):
        return self.languages.split()

    @property
    def service_list(self):
        return self.services.split()

    def language_names(self):
        return [language_name(code) for code in self.language_list]

    def service_names(self):
        labels = display_names()["services"]
        return [labels[s] for s in self.service_list if s in labels]

    def place(self):
        """Where the group works, in the active language: its country, or its coverage."""
        return place(self.country.code, self.coverage)

    def former_name_list(self):
        return [line.strip() for line in self.former_names.splitlines() if line.strip()]

    def phone_uri(self):
        """
        The phone number as a tel: address, so that visitors on a phone can call with a tap:
        "+44 (0)20 7946 0000" gives tel:+442079460000. Empty unless `phone` is one number
        (text such as "0800 123 456 or 0800 654 321" stays plain text).
        """
        number = self.phone.strip()
        if not re.fullmatch(r"\+?[\d\s./()-]+", number):
            return ""
        if number.startswith("+"):
            number = number.replace("(0)", "")  # the national trunk prefix, not dialled from abroad
        digits = re.sub(r"\D", "", number)
        if not 5 <= len(digits) <= 15:  # ITU-T E.164 allows at most 15 digits
            return ""
        return f"tel:{'+' if number.startswith('+') else ''}{digits}"

    @property
    def verification_overdue(self):
        return (
            self.last_verified is None
            or self.last_verified < timezone.localdate() - VERIFICATION_INTERVAL
        )

    def mark_verified(self, user):
        self.last_verified = timezone.localdate()
        self.verified_by = user


# What a suggestion may propose for a group's public record, in the order forms show them.
PROPOSED_FIELDS = [
    *("name", "acronym", "country", "city", "website", "email", "phone", "languages"),
    "description",
]


class SuggestionQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=Suggestion.Status.WAITING)


class Suggestion(models.Model):
    """
    What a visitor proposes for the directory, without an account: a correction to a group's
    record, or an association to add. Directory staff accept it into the record
    (patient_groups.services.accept_suggestion) or decline it. The contact address is for
    their questions only: it is never published, exported or copied into the record.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        NEW = "new", _("New association")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    group = models.ForeignKey(
        PatientGroup,
        verbose_name=_("patient group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
        help_text=_("The group corrected, or the one created from this suggestion."),
    )
    name = models.CharField(_("name of the association"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    country = CountryField(_("country"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    email = models.EmailField(
        _("public e-mail of the association"),
        blank=True,
        help_text=_("Shown to visitors, so that patients can write to the association."),
    )
    phone = models.CharField(_("public phone number"), max_length=50, blank=True)
    languages = models.CharField(
        _("languages served"),
        max_length=200,
        blank=True,
        help_text=_("ISO 639-1 codes separated by spaces, e.g. “de en”."),
    )
    description = models.TextField(_("short description"), blank=True, max_length=1000)
    message = models.TextField(
        _("message to the editors"),
        blank=True,
        max_length=2000,
        help_text=_("What is wrong or out of date, or anything else we should know."),
    )
    contact_email = models.EmailField(
        _("your e-mail, for our questions"),
        blank=True,
        help_text=_("Never published. We only write if we have a question about your suggestion."),
    )
    language = models.CharField(_("language of the form"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    created = models.DateTimeField(_("received"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("suggestion for the directory")
        verbose_name_plural = _("suggestions for the directory")

    def __str__(self):
        if self.kind == self.Kind.CORRECTION and self.group_id:
            return gettext("Correction to %(name)s") % {"name": self.group.name}
        return gettext("New association: %(name)s") % {"name": self.name}

    def proposed_changes(self):
        """[(field, current value, proposed value)] where the suggestion differs from the record."""
        current = self.group if self.kind == self.Kind.CORRECTION else None
        changes = []
        for name in PROPOSED_FIELDS:
            proposed = str(getattr(self, name) or "")
            now = str(getattr(current, name) or "") if current is not None else ""
            if proposed and proposed != now:
                changes.append((PatientGroup._meta.get_field(name), now, proposed))
        return changes
