"""
An article whole: its text, its place on the site, its related articles, figures, figure
series, further resources and authors, as a saved version (django-reversion) holds it or as
the database holds it now. Used to restore an earlier version (netinfo.articles.services) and to show a
reviewer what a working copy changes against the live article.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from reversion.models import Version

from netinfo.core.diffs import field_changes, marked_words, translated_originals
from references.citations import citation_problems

from .models import (
    LANGUAGE_CODES,
    TEXT_FIELDS,
    Article,
    Authorship,
    Contributor,
    ExternalResource,
    Figure,
    FigureSeries,
    Topic,
)
from .rendering import marker_problems

# What is edited with an article, in its admin form, and versioned with it.
INLINE_MODELS = [Figure, FigureSeries, ExternalResource, Authorship]
# Where the article sits on the site; a working copy's approval and a restore carry them over.
PLACEMENT_ATTNAMES = ["topic_id", "order", "audience", "review_interval_years"]
TEXT_ATTNAMES = [f"{name}_{code}" for name in TEXT_FIELDS for code in LANGUAGE_CODES]


def plain_value(value):
    """A field's value as a version stores it: files by name."""
    return value.name if isinstance(value, FieldFile) else value


def field_values(obj):
    return {f.attname: plain_value(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


@dataclass
class ArticleSnapshot:
    fields: dict  # the article's own fields, by attname
    related: list = field(default_factory=list)  # primary keys of its related articles
    # {model: [{attname: value}]} for each of INLINE_MODELS; "__str__" holds the object's name
    inlines: dict = field(default_factory=dict)

    @classmethod
    def of_article(cls, article):
        """The article and what belongs to it, as saved in the database now."""
        inlines = {}
        for model in INLINE_MODELS:
            inlines[model] = [
                {**field_values(item), "__str__": str(item)}
                for item in model.objects.filter(article=article).order_by("pk")
            ]
        return cls(
            fields=field_values(article),
            related=list(article.related_articles.values_list("pk", flat=True)),
            inlines=inlines,
        )

    @classmethod
    def of_version(cls, version):
        """The article as `version` saved it, with the figures, links and authors saved with it."""
        fields = {name: plain_value(value) for name, value in version.field_dict.items()}
        related = list(fields.pop("related_articles", None) or [])
        article_pk = int(version.object_id)
        types = ContentType.objects.get_for_models(*INLINE_MODELS)
        models_by_type = {content_type.pk: model for model, content_type in types.items()}
        saved_with = [
            (models_by_type[other.content_type_id], other)
            for other in version.revision.version_set.filter(
                content_type__in=list(types.values())
            ).order_by("pk")
        ]
        rows = [
            (model, {**{k: plain_value(v) for k, v in other.field_dict.items()}})
            for model, other in saved_with
        ]
        reprs = [other.object_repr for _model, other in saved_with]
        owners = {article_pk} | deleted_working_copies(
            article_pk, {row["article_id"] for _model, row in rows}
        )
        inlines = {model: [] for model in INLINE_MODELS}
        for (model, row), name in zip(rows, reprs, strict=True):
            if row.get("article_id") in owners:
                inlines[model].append({**row, "__str__": name})
        return cls(fields=fields, related=related, inlines=inlines)

    def problems(self):
        """What this snapshot needs that no longer exists, as messages; empty when complete."""
        problems = []
        if not Topic.objects.filter(pk=self.fields.get("topic_id")).exists():
            problems.append(_("The topic this version was filed under no longer exists."))
        authors = self.inlines.get(Authorship, [])
        existing = set(
            Contributor.objects.filter(
                pk__in=[row["contributor_id"] for row in authors]
            ).values_list("pk", flat=True)
        )
        for row in authors:
            if row["contributor_id"] not in existing:
                problems.append(
                    _("The author “%(name)s” of this version no longer exists.")
                    % {"name": row["__str__"]}
                )
        figures = self.inlines.get(Figure, [])
        for row in figures:
            if not row.get("image") or not default_storage.exists(row["image"]):
                problems.append(
                    _("The image file of figure %(number)s (%(file)s) is no longer stored.")
                    % {"number": row["number"], "file": row.get("image") or "–"}
                )
        numbers = {str(row["number"]) for row in figures}
        series = {row["series"] for row in figures if row.get("series")}
        for code in LANGUAGE_CODES:
            body = self.fields.get(f"body_{code}") or ""
            for problem in [*citation_problems(body), *marker_problems(body, numbers, series)]:
                problems.append(f"[{code}] {problem}")
        return problems

    def apply_to(self, article):
        """Put the snapshot's text and place on the site into `article` (not saved)."""
        for attname in [*TEXT_ATTNAMES, *PLACEMENT_ATTNAMES]:
            if attname in self.fields:
                setattr(article, attname, self.fields[attname])

    def replace_inlines(self, article):
        """Give the (saved) article the snapshot's figures, links, authors and related articles."""
        for model in INLINE_MODELS:
            model.objects.filter(article=article).delete()
            originals = translated_originals(model)
            for row in self.inlines.get(model, []):
                values = {
                    name: value
                    for name, value in row.items()
                    if name not in ("id", "article_id", "__str__") and name not in originals
                }
                model.objects.create(article=article, **values)
        article.related_articles.set(
            Article.objects.filter(pk__in=self.related).exclude(pk=article.pk)
        )


def deleted_working_copies(article_pk, article_pks):
    """
    Of `article_pks`, the working copies of article `article_pk` that no longer exist. Before
    approval recorded it otherwise, a version saved when a working copy was approved kept the
    figures, links and authors as the copy had them, pointing at the deleted copy.
    """
    candidates = {pk for pk in article_pks if pk is not None and pk != article_pk}
    candidates -= set(Article.objects.filter(pk__in=candidates).values_list("pk", flat=True))
    found = set()
    if candidates:
        versions = Version.objects.get_for_model(Article).filter(
            object_id__in=[str(pk) for pk in candidates]
        )
        for version in versions:
            if version.field_dict.get("revision_of_id") == article_pk:
                found.add(int(version.object_id))
    return found


def last_published_version(article, *, limit=100):
    """The newest saved version of `article` in which it was published, or None."""
    versions = Version.objects.get_for_object(article).select_related("revision")
    for version in versions.order_by("-revision__date_created", "-pk")[:limit]:
        if version.field_dict.get("status") == Article.Status.PUBLISHED:
            return version
    return None


# What a reviewer compares ---------------------------------------------------------------------


def inline_key(model, row):
    """How one figure, link or author is matched between two snapshots of an article."""
    if model is Figure:
        return row["number"]
    if model is FigureSeries:
        return row["key"]
    if model is ExternalResource:
        return row["url"]
    return row["contributor_id"]


def inline_label(model, row):
    if model is Figure:
        return _("Figure %(number)s") % {"number": row["number"]}
    if model is FigureSeries:
        return _("Figure series “%(key)s”") % {"key": row["key"]}
    return row["__str__"]


def readable(fields):
    """The compared fields of an article, with the topic by name rather than by number."""
    values = {name: fields.get(name) for name in [*TEXT_ATTNAMES, *PLACEMENT_ATTNAMES]}
    topic = Topic.objects.filter(pk=values.pop("topic_id")).first()
    values["topic"] = str(topic) if topic else ""
    return values


def snapshot_changes(old, new):
    """
    What `new` changes against `old`, field by field and language by language, with changed
    words marked, as [(label, [(field, old_html, new_html)])] (the History view's shape).
    """
    sections = []
    own = field_changes(Article, readable(old.fields), readable(new.fields))
    titles = dict(
        Article.objects.filter(pk__in={*old.related, *new.related}).values_list("pk", "title_en")
    )
    old_related = "\n".join(sorted(titles.get(pk, "?") for pk in old.related))
    new_related = "\n".join(sorted(titles.get(pk, "?") for pk in new.related))
    if old_related != new_related:
        label = str(Article._meta.get_field("related_articles").verbose_name)
        own.append((label, *marked_words(old_related, new_related)))
    if own:
        sections.append((_("The article"), own))
    for model in INLINE_MODELS:
        before = {inline_key(model, row): row for row in old.inlines.get(model, [])}
        after = {inline_key(model, row): row for row in new.inlines.get(model, [])}
        for key, row in after.items():
            compared = {name: value for name, value in row.items() if name not in SKIPPED}
            if key not in before:
                label = _("%(name)s (new)") % {"name": inline_label(model, row)}
                sections.append((label, field_changes(model, {}, compared)))
                continue
            previous = {k: v for k, v in before[key].items() if k not in SKIPPED}
            changes = field_changes(model, previous, compared)
            if changes:
                sections.append((inline_label(model, row), changes))
        for key, row in before.items():
            if key not in after:
                sections.append((_("%(name)s (removed)") % {"name": inline_label(model, row)}, []))
    return sections


# Bookkeeping of figures, links and authors that a comparison leaves out.
SKIPPED = {"id", "article_id", "__str__", "width", "height"}
