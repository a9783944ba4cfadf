"""Plain functions that build test data. Tests never use the demo content."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def make_user(username="user", *, groups=(), is_staff=None, is_superuser=False, **fields):
    """A user with password "pw", in the named staff groups (staff status if in any group)."""
    User = get_user_model()
    if is_staff is None:
        is_staff = bool(groups) or is_superuser
    user = User.objects.create_user(
        username,
        password="pw",
        is_staff=is_staff,
        is_superuser=is_superuser,
        **fields,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def make_superuser(username="root"):
    return make_user(username, is_superuser=True)


def make_topic(slug="topic", **fields):
    from netinfo.articles.models import Topic

    fields.setdefault("name_en", slug.replace("-", " ").title())
    return Topic.objects.create(slug_en=slug, **fields)


def make_article(slug="article", *, topic=None, published=True, body="Some text.", **fields):
    """
    A published article (English only unless *_de fields are given), written by the save
    pipeline's core (rendered, cited, with its page's parts) but without a revision: History
    starts with what a test does.
    """
    import datetime

    from django.utils import timezone

    from netinfo.articles.models import Article

    fields.setdefault("title_en", slug.replace("-", " ").capitalize())
    fields.setdefault("summary_en", f"Summary of {slug}.")
    fields.setdefault("body_en", body)
    if published:
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    article = Article(slug_en=slug, topic=topic or make_topic(f"topic-for-{slug}"), **fields)
    return refresh(article)


def refresh(article):
    """Write an article as the save pipeline does, after a test changed what it shows."""
    from netinfo.articles import pages, services

    services.write(article)
    pages.refresh_page(article)
    return article


def png_bytes(width=40, height=30, color="#336699", image_format="PNG"):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, image_format)
    return buffer.getvalue()


def make_figure(article, number=1, **fields):
    from django.core.files.base import ContentFile

    from netinfo.articles.models import Figure

    fields.setdefault("alt_en", f"Figure {number} alt text")
    fields.setdefault("credit_en", "Courtesy of the test suite")
    figure = Figure(article=article, number=number, **fields)
    figure.image.save(f"f{number}.png", ContentFile(png_bytes(), name=f"f{number}.png"), save=False)
    figure.save()
    return figure


def make_reference(key="ref", **fields):
    from references.models import Reference

    fields.setdefault("authors", [{"family": key.capitalize(), "given": "A"}])
    fields.setdefault("title", f"A study called {key}")
    fields.setdefault("container_title_short", "J Test")
    fields.setdefault("year", 2020)
    return Reference.objects.create(key=key, **fields)


def make_group(name="Group", *, region="europe", country="DE", **fields):
    from patient_groups.models import PatientGroup, Region

    if country == "":
        fields.setdefault("coverage", PatientGroup.Coverage.INTERNATIONAL)
    return PatientGroup.objects.create(
        name=name, country=country, region=Region.objects.get(slug=region), **fields
    )


def make_reviewer(
    username="reviewer", family="Reviewer", given="Rita", credentials="MD, oncologist"
):
    """A Medical reviewers member with the contributor record approval needs."""
    from netinfo.articles.models import Contributor

    user = make_user(username, groups=["Medical reviewers"])
    Contributor.objects.create(
        family_name=family, given_names=given, credentials_en=credentials, user=user
    )
    return user


def admin_article_data(article, **changes):
    """The article's admin change form as a browser would post it, with `changes` applied."""
    from netinfo.articles.models import LANGUAGE_CODES

    data = {
        "topic": article.topic_id,
        "order": article.order,
        "audience": article.audience,
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d") if article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article.published_at else "",
        "review_interval_years": article.review_interval_years,
        "change_kind": "",
        "change_summary_en": "",
        "change_summary_de": "",
    }
    for field in ("title", "slug", "summary", "body"):
        for code in LANGUAGE_CODES:
            data[f"{field}_{code}"] = getattr(article, f"{field}_{code}") or ""
    inlines = {
        "authorships": article.authorships.all(),
        "figures": article.figures.all(),
        "figure_series": article.figure_series.all(),
        "resources": article.resources.all(),
        "preview_links": article.preview_links.all(),
    }
    for prefix, rows in inlines.items():
        rows = list(rows)
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-article"] = article.pk
            if prefix == "figures":
                data.update(
                    {
                        f"figures-{i}-number": row.number,
                        f"figures-{i}-series": row.series,
                        f"figures-{i}-credit_en": row.credit_en,
                        f"figures-{i}-credit_de": row.credit_de or "",
                        f"figures-{i}-alt_en": row.alt_en,
                        f"figures-{i}-alt_de": row.alt_de or "",
                        f"figures-{i}-caption_en": row.caption_en or "",
                        f"figures-{i}-caption_de": row.caption_de or "",
                        f"figures-{i}-licence": row.licence,
                    }
                )
    data.update(changes)
    return data


def make_term(name_en, slug_en, *, forms_en=(), name_de="", slug_de=None, forms_de=(), **fields):
    """A glossary term, saved as the admin saves it (definition rendered, articles re-marked)."""
    from netinfo.articles import services
    from netinfo.articles.models import Term

    fields.setdefault("definition_en", f"What {name_en} means, in plain words.\n\nMore detail.")
    if name_de:
        fields.setdefault("definition_de", f"Was {name_de} bedeutet.")
    return services.save_term(
        Term(
            name_en=name_en,
            slug_en=slug_en,
            other_forms_en="\n".join(forms_en),
            name_de=name_de,
            slug_de=slug_de,
            other_forms_de="\n".join(forms_de),
            **fields,
        )
    )
