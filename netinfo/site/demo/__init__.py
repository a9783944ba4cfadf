"""
Demo content for `make run`: topics, five articles in English and German, their references, a
glossary of about thirty terms and a placeholder image series. Loaded by `manage.py load_demo_content`; never used by tests.

Loading is idempotent: anything that already exists (found by slug, key or number) is left as
it is, so editors' changes survive a second `make run`.
"""

import io
import json
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from netinfo.articles import services
from netinfo.articles.models import (
    Article,
    ChangeLogEntry,
    ExternalResource,
    Figure,
    FigureSeries,
    Term,
    Topic,
)
from references.models import Reference

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "de")


def placeholder_png(label):
    """A plainly labelled placeholder, 800 x 600, so nobody mistakes it for a real scan."""
    image = Image.new("RGB", (800, 600), "#1d2b36")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 779, 579), outline="#8fa7b8", width=4)
    big = ImageFont.load_default(size=120)
    small = ImageFont.load_default(size=40)
    draw.text((400, 260), label, fill="#ffffff", font=big, anchor="mm")
    draw.text((400, 400), "PLACEHOLDER", fill="#c7d5df", font=small, anchor="mm")
    draw.text((400, 450), "not a real scan", fill="#c7d5df", font=small, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def translated(data, name):
    return {f"{name}_{code}": data.get(f"{name}_{code}", "") for code in LANGUAGES}


@transaction.atomic
def load(log=print):
    created = {"references": 0, "glossary terms": 0, "topics": 0, "articles": 0, "figures": 0}
    for item in json.loads((HERE / "references.json").read_text()):
        if not Reference.objects.filter(key=item["id"]).exists():
            # Saved without full_clean on purpose: these records are incomplete and stay marked
            # unverified until an editor checks them (the admin then asks for what is missing).
            Reference.from_csl(item).save()
            created["references"] += 1

    # Before the articles, so that their rendering marks the words the glossary explains.
    terms = {}
    glossary = json.loads((HERE / "glossary.json").read_text())
    for data in glossary:
        term = Term.objects.filter(slug_en=data["slug_en"]).first()
        if term is None:
            term = services.save_term(
                Term(
                    **translated(data, "name"),
                    **translated(data, "slug"),
                    **translated(data, "other_forms"),
                    **translated(data, "definition"),
                    **translated(data, "pronunciation"),
                )
            )
            created["glossary terms"] += 1
        terms[data["slug_en"]] = term
    for data in glossary:
        term = terms[data["slug_en"]]
        if not term.related_terms.exists():
            term.related_terms.set([terms[slug] for slug in data["related"] if slug in terms])

    manifest = json.loads((HERE / "demo.json").read_text())
    topics = {}
    for data in manifest["topics"]:
        topic = Topic.objects.filter(slug_en=data["slug_en"]).first()
        if topic is None:
            topic = Topic.objects.create(
                order=data["order"],
                **translated(data, "name"),
                **translated(data, "slug"),
                **translated(data, "description"),
            )
            created["topics"] += 1
        topics[data["slug_en"]] = topic

    articles = {}
    for data in manifest["articles"]:
        article = Article.objects.filter(slug_en=data["slug_en"]).first()
        if article is None:
            article = Article(
                topic=topics[data["topic"]],
                order=data["order"],
                status=Article.Status.PUBLISHED,
                published_at=timezone.now(),
                **translated(data, "title"),
                **translated(data, "slug"),
                **translated(data, "summary"),
                **{
                    f"body_{code}": (HERE / "articles" / f"{data['file']}.{code}.md").read_text()
                    for code in LANGUAGES
                },
            )
            services.import_article(
                article,
                save_related=lambda article=article, data=data: add_demo_parts(article, data),
                comment="Demo content",
            )
            created["articles"] += 1
            created["figures"] += len(data.get("figures", []))
        articles[data["slug_en"]] = article

    for data in manifest["articles"]:
        article = articles[data["slug_en"]]
        if not article.related_articles.exists():
            article.related_articles.set([articles[slug] for slug in data.get("related", [])])

    if any(created.values()):
        log("Demo content loaded: " + ", ".join(f"{n} {what}" for what, n in created.items()) + ".")
    else:
        log("Demo content is already loaded; nothing changed.")
    return created


def add_demo_parts(article, data):
    """What belongs to a demo article: its change-log line, links, figure series and figures."""
    # Not a medical approval (that records a reviewer): the demo says so where it shows.
    ChangeLogEntry.objects.create(
        article=article,
        kind=ChangeLogEntry.Kind.EDITORIAL,
        summary_en="First published. Not yet checked by a medical reviewer.",
        summary_de="Erstmals veröffentlicht. Noch nicht medizinisch geprüft.",
    )
    for order, resource in enumerate(data.get("resources", []), start=1):
        ExternalResource.objects.create(
            article=article,
            order=order,
            url=resource["url"],
            publisher=resource["publisher"],
            **translated(resource, "title"),
        )
    for series in data.get("series", []):
        FigureSeries.objects.create(
            article=article, key=series["key"], **translated(series, "caption")
        )
    for figure_data in data.get("figures", []):
        figure = Figure(
            article=article,
            number=figure_data["number"],
            series=figure_data.get("series", ""),
            licence="CC0",
            **translated(figure_data, "alt"),
            **translated(figure_data, "caption"),
            **translated(data, "credit"),
        )
        figure.image.save(
            f"placeholder-{figure.number}.png",
            # A named file: Django reads the dimensions only from files with a name.
            ContentFile(placeholder_png(figure_data["label"]), name="placeholder.png"),
            save=False,
        )
        figure.save()
