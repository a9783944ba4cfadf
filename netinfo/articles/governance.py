"""
Clinical governance: the rules of the review workflow. The steps that follow them, and that
write articles, are in netinfo.articles.services; nothing here writes to the database.

States: draft -> in review -> published -> archived. Editors write and submit for review;
only medical reviewers (permission netinfo.approve_article) publish, and every publication is
a medical approval that records the reviewer and resets the review dates. A published article
may be changed by an editor only as an "editorial change" (a typo, a broken link), which is
logged as such and never touches the review dates. A clinical change to a published article
is made on a working copy, which replaces the original when a reviewer approves it, so that
visitors only ever see reviewed text.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import checks
from .models import LANGUAGE_CODES, Article, ChangeLogEntry, Contributor, add_years

CLINICAL = ChangeLogEntry.Kind.CLINICAL
EDITORIAL = ChangeLogEntry.Kind.EDITORIAL
PUBLISHED = Article.Status.PUBLISHED
ARCHIVED = Article.Status.ARCHIVED
# What a working copy changes, and what approving it puts into the published article.
CONTENT_FIELDS = ["title", "summary", "body"]
PLACEMENT_FIELDS = ["topic", "order", "audience", "review_interval_years"]


def can_edit(user):
    return user.has_perm("netinfo.change_article")


def can_approve(user):
    return user.has_perm("netinfo.approve_article")


def reviewer_profile(user):
    """The contributor record (name and credentials) of a user, or None."""
    try:
        return user.contributor
    except (Contributor.DoesNotExist, AttributeError):
        return None


def stored_status(article):
    """The article's status as saved in the database (None for a new article)."""
    if article.pk is None:
        return None
    return Article.objects.filter(pk=article.pk).values_list("status", flat=True).first()


def written_languages(article):
    """The languages in which the article has a body of its own, as it stands in memory."""
    return [code for code in LANGUAGE_CODES if (getattr(article, f"body_{code}") or "").strip()]


def missing_profile_message():
    """Approval records the reviewer's name and credentials: where to add them."""
    return format_html(
        '{} <a href="{}">{}</a>',
        _(
            "Your account has no contributor record with your name and credentials, which approval records."
        ),
        reverse("admin:netinfo_contributor_add") + "?user=me",
        _("Add your contributor record and link it to your account."),
    )


def transition_problems(
    user, article, old_status, new_status, *, changed, kind, summaries, languages=None
):
    """
    Why `user` may not save `article` moving from `old_status` to `new_status`: a list of
    (field, message) pairs, empty when the change is allowed. `summaries` maps languages to the
    change note visitors will read under "What changed"; `languages` are those the article is
    written in (by default, as it stands in memory).
    """
    if languages is None:
        languages = written_languages(article)
    problems = []
    approver = can_approve(user)
    summary = summaries.get("en", "")
    publishing = new_status == PUBLISHED and old_status != PUBLISHED
    editing_live = old_status == PUBLISHED and new_status == PUBLISHED
    if publishing or (old_status != new_status and new_status == ARCHIVED):
        if not approver:
            problems.append(
                (
                    "status",
                    _(
                        "Only medical reviewers can publish or archive. Set the status to “In review” to ask for a review."
                    ),
                )
            )
    if old_status == PUBLISHED and new_status in (Article.Status.DRAFT, Article.Status.IN_REVIEW):
        if not approver:
            problems.append(
                (
                    "status",
                    _(
                        "Only medical reviewers can take a published article off the site. To change it, use “Propose a clinical change”."
                    ),
                )
            )
    if publishing:
        if kind == EDITORIAL:
            problems.append(
                (
                    "change_kind",
                    _("Publishing is a medical approval: mark it as a clinical update."),
                )
            )
        if not summary:
            problems.append(
                (
                    "change_summary_en",
                    _("Say in a sentence what is new; visitors see it under “What changed”."),
                )
            )
        problems += note_language_problems(languages, summaries)
        if approver and reviewer_profile(user) is None:
            problems.append(("status", missing_profile_message()))
    if editing_live and changed:
        if not kind:
            problems.append(
                (
                    "change_kind",
                    _(
                        "This article is published: say whether this is an editorial change (a typo, a broken link) or a clinical update."
                    ),
                )
            )
        elif kind == CLINICAL and not approver:
            problems.append(
                (
                    "change_kind",
                    _(
                        "Clinical changes to a published article need a new review: use “Propose a clinical change” to make a working copy, or mark a typo fix as editorial."
                    ),
                )
            )
        if not summary:
            problems.append(
                (
                    "change_summary_en",
                    _("Say in a sentence what changed; visitors see it under “What changed”."),
                )
            )
        if kind == CLINICAL:
            problems += note_language_problems(languages, summaries)
        if kind == CLINICAL and approver and reviewer_profile(user) is None:
            problems.append(("change_kind", missing_profile_message()))
    if publishing or (editing_live and changed):
        problems += content_check_problems(article)
    return problems


def content_check_problems(article):
    """The content checks' errors, which stop publishing (warnings are the reviewer's call)."""
    found = checks.check_article(article, Article.objects.published().slugs())
    return [
        (
            f"body_{code}",
            _("Line %(line)s: %(message)s %(fix)s")
            % {"line": line, "message": message, "fix": fix},
        )
        for code, line, message, fix in checks.errors(found)
    ]


def note_language_problems(languages, summaries):
    """
    A medical approval is announced in every language the article is written in: the German
    page's "What changed" must not describe the new text in English only.
    """
    return [
        (
            f"change_summary_{code}",
            _("Say what changed in this language too; the article is written in it."),
        )
        for code in languages
        if code != "en" and not summaries.get(code)
    ]


def approve(article, user):
    """Record a medical approval: the reviewer, today's date and the next review date."""
    today = timezone.localdate()
    article.medical_reviewer = reviewer_profile(user)
    article.last_reviewed = today
    article.next_review_due = add_years(today, article.review_interval_years)
    if article.published_at is None:
        article.published_at = timezone.now()
