"""What needs attention: the lists on the admin's review dashboard."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from netinfo.articles.models import Article, ChangeLogEntry, Contributor, Feedback
from netinfo.links.models import Link
from patient_groups.models import PatientGroup, Suggestion
from references.models import Reference

DUE_SOON_DAYS = 90
# A version's helpful share counts once this many readers answered, and is flagged when it is
# this many points below the version before.
FEEDBACK_MIN_ANSWERS = 5
FEEDBACK_DROP_POINTS = 15


def needs_attention(user):
    """The dashboard's lists, each only for users allowed to see its objects."""
    today = timezone.localdate()
    lists = {}
    if user.has_perm("netinfo.view_article"):
        live = Article.objects.published().select_related("topic").order_by("next_review_due", "pk")
        lists["overdue"] = list(live.filter(next_review_due__lt=today))
        lists["due_soon"] = list(
            live.filter(
                next_review_due__gte=today,
                next_review_due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
            )
        )
        # Published before the workflow, or imported: visitors read text no reviewer checked.
        lists["never_reviewed"] = list(live.filter(last_reviewed__isnull=True).order_by("pk"))
        lists["waiting"] = list(
            Article.objects.filter(status=Article.Status.IN_REVIEW)
            .select_related("submitted_by", "revision_of")
            .order_by("submitted_at", "pk")
        )
        candidates = Article.objects.exclude(status=Article.Status.ARCHIVED).only(
            "pk", "title_en", "title_de", "slug_en", "slug_de", "text_languages", "status",
            "content_hashes", "translation_sources", "readability", "audience",
            "content_errors", "content_warnings",
        )  # fmt: skip
        lists["translations"] = [
            (article, "missing" if "de" not in article.translated_languages() else "stale")
            for article in candidates
            if "de" not in article.translated_languages() or "de" in article.stale_translations()
        ]
        lists["readability"] = [
            (article, code, figures)
            for article in candidates
            if article.audience == Article.Audience.PATIENTS
            for code, figures in sorted(article.readability.items())
            if not figures.get("meets_target")
        ]
        # What the content checks found (netinfo.articles.checks), errors first.
        lists["content_checks"] = sorted(
            (
                article
                for article in candidates
                if article.content_errors or article.content_warnings
            ),
            key=lambda article: (-article.content_errors, -article.content_warnings, article.pk),
        )
        # German pages show these in English (marked lang="en") until someone translates them.
        lists["german_changes"] = list(
            ChangeLogEntry.objects.of_live_articles()
            .filter(Q(summary_de="") | Q(summary_de__isnull=True))
            .select_related("article")
            .order_by("article__title_en", "-created", "-pk")
        )
        live_ids = Article.objects.published().values("pk")
        lists["german_credentials"] = list(
            Contributor.objects.filter(
                Q(authored_articles__in=live_ids) | Q(reviewed_articles__in=live_ids)
            )
            .exclude(Q(credentials_en="") | Q(credentials_en__isnull=True))
            .filter(Q(credentials_de="") | Q(credentials_de__isnull=True))
            .distinct()
            .order_by("family_name", "given_names", "pk")
        )
    if user.has_perm("netinfo.view_feedback"):
        lists["feedback_comments"] = list(
            Article.objects.filter(feedback__in=Feedback.objects.unhandled())
            # Only what the list shows: grouping by every body column would be slow.
            .only("pk", "title_en", "title_de")
            .annotate(comments=Count("feedback"))
            .order_by("-comments", "pk")
        )
        lists["feedback_drops"] = helpful_drops()
    if user.has_perm("references.view_reference"):
        lists["unverified"] = list(Reference.objects.unverified().order_by("key"))
    if user.has_perm("patient_groups.view_patientgroup"):
        lists["groups"] = list(
            PatientGroup.objects.active()
            .verification_overdue()
            .select_related("region")
            .order_by("name")
        )
    if user.has_perm("links.view_link"):
        lists["links"] = link_problems(user)
    if user.has_perm("patient_groups.view_suggestion"):
        lists["suggestions"] = list(
            Suggestion.objects.waiting().select_related("group").order_by("created", "pk")
        )
    return lists


def link_problems(user):
    """
    [(link, [(use, admin page or "")])]: broken links, then links that moved permanently, each
    with where it is used (the admin page only where the user may see the object).
    """
    links = (
        Link.objects.needing_attention()
        .prefetch_related("uses__content_type")
        .order_by("-failures_in_a_row", "url")
    )
    return [
        (
            link,
            [
                (use, use.admin_url() if user.has_perm(viewing(use.content_type)) else "")
                for use in link.uses.all()
            ],
        )
        for link in links
    ]


def viewing(content_type):
    return f"{content_type.app_label}.view_{content_type.model}"


def helpful_drops():
    """
    [(article, share before, share now)] of articles whose latest version readers find less
    helpful than the one before: each with FEEDBACK_MIN_ANSWERS answers or more.
    """
    rows = (
        Feedback.objects.exclude(version=None)
        .values("article", "version")
        .annotate(answers=Count("pk"), helpful=Count("pk", filter=Q(helpful=True)))
        .filter(answers__gte=FEEDBACK_MIN_ANSWERS)
        .order_by("article", "-version")
    )
    shares = {}
    for row in rows:
        shares.setdefault(row["article"], []).append(round(100 * row["helpful"] / row["answers"]))
    dropped = {
        pk: (versions[1], versions[0])
        for pk, versions in shares.items()
        if len(versions) > 1 and versions[1] - versions[0] >= FEEDBACK_DROP_POINTS
    }
    articles = Article.objects.in_bulk(dropped)
    return [(articles[pk], *dropped[pk]) for pk in sorted(dropped)]
