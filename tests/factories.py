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
    from netinfo.models import Topic

    fields.setdefault("name_en", slug.replace("-", " ").title())
    return Topic.objects.create(slug_en=slug, **fields)


def make_article(slug="article", *, topic=None, published=True, body="Some text.", **fields):
    """A published article (English only unless *_de fields are given)."""
    import datetime

    from django.utils import timezone

    from netinfo.models import Article, rebuild_citations

    fields.setdefault("title_en", slug.replace("-", " ").capitalize())
    fields.setdefault("summary_en", f"Summary of {slug}.")
    fields.setdefault("body_en", body)
    if published:
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    article = Article.objects.create(
        slug_en=slug, topic=topic or make_topic(f"topic-for-{slug}"), **fields
    )
    rebuild_citations(article)
    return article


def png_bytes(width=40, height=30, color="#336699", image_format="PNG"):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, image_format)
    return buffer.getvalue()


def make_figure(article, number=1, **fields):
    from django.core.files.base import ContentFile

    from netinfo.models import Figure

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
