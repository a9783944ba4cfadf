"""
Clinical governance: the review workflow of articles and what approval records.

States: draft -> in review -> published -> archived. Editors write and submit for review;
only medical reviewers (permission netinfo.approve_article) publish, and every publication is
a medical approval that records the reviewer and resets the review dates. A published article
may be changed by an editor only as an "editorial change" (a typo, a broken link), which is
logged as such and never touches the review dates. A clinical change to a published article
is made on a working copy, which replaces the original when a reviewer approves it, so that
visitors only ever see reviewed text.
"""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    LANGUAGE_CODES,
    Article,
    Authorship,
    ChangeLogEntry,
    Contributor,
    ExternalResource,
    Figure,
    FigureSeries,
    add_years,
    rebuild_citations,
)

CLINICAL = ChangeLogEntry.Kind.CLINICAL
EDITORIAL = ChangeLogEntry.Kind.EDITORIAL
CONTENT_FIELDS = ["title", "summary", "body"]


def can_approve(user):
    return user.has_perm("netinfo.approve_article")


def reviewer_profile(user):
    """The contributor record (name and credentials) of a user, or None."""
    try:
        return user.contributor
    except Contributor.DoesNotExist:
        return None


def stored_status(article):
    if article.pk is None:
        return None
    return Article.objects.filter(pk=article.pk).values_list("status", flat=True).first()


def transition_problems(user, article, old_status, new_status, *, changed, kind, summary):
    """
    Why `user` may not save `article` moving from `old_status` to `new_status`: a list of
    (field, message) pairs, empty when the change is allowed.
    """
    problems = []
    approver = can_approve(user)
    publishing = new_status == Article.Status.PUBLISHED and old_status != Article.Status.PUBLISHED
    editing_live = old_status == Article.Status.PUBLISHED and new_status == Article.Status.PUBLISHED
    if publishing or (old_status != new_status and new_status == Article.Status.ARCHIVED):
        if not approver:
            problems.append(
                (
                    "status",
                    _(
                        "Only medical reviewers can publish or archive. Set the status to “In review” to ask for a review."
                    ),
                )
            )
    if old_status == Article.Status.PUBLISHED and new_status in (
        Article.Status.DRAFT,
        Article.Status.IN_REVIEW,
    ):
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
        if approver and reviewer_profile(user) is None:
            problems.append(
                (
                    "status",
                    _(
                        "Your account has no contributor record with your name and credentials, which approval records. Ask an administrator to link one to your account."
                    ),
                )
            )
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
        if kind == CLINICAL and approver and reviewer_profile(user) is None:
            problems.append(
                (
                    "change_kind",
                    _(
                        "Your account has no contributor record with your name and credentials, which approval records. Ask an administrator to link one to your account."
                    ),
                )
            )
    return problems


def approve(article, user):
    """Record a medical approval: the reviewer, today's date and the next review date."""
    today = timezone.localdate()
    article.medical_reviewer = reviewer_profile(user)
    article.last_reviewed = today
    article.next_review_due = add_years(today, article.review_interval_years)
    if article.published_at is None:
        article.published_at = timezone.now()


def log_change(article, user, kind, summaries, reviewer=None):
    """A line in the article's public change log; `summaries` maps language codes to text."""
    fields = {f"summary_{code}": summaries.get(code, "") for code in LANGUAGE_CODES}
    return ChangeLogEntry.objects.create(
        article=article,
        kind=kind,
        summary=summaries.get("en", ""),
        user=user,
        reviewer=reviewer,
        **fields,
    )


def submit_for_review(article, user):
    article.submitted_by = user
    article.submitted_at = timezone.now()


@transaction.atomic
def make_working_copy(article, user):
    """A draft copy of a published article (with figures, links and authors) to change and review."""
    marker = uuid.uuid4().hex[:6]
    copy = Article.objects.get(pk=article.pk)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.revision_of = article
    copy.status = Article.Status.DRAFT
    copy.submitted_by = copy.submitted_at = None
    for code in LANGUAGE_CODES:
        slug = getattr(article, f"slug_{code}")
        setattr(copy, f"slug_{code}", f"{slug}-working-copy-{marker}"[:200] if slug else None)
    copy.save()
    copy.related_articles.set(article.related_articles.all())
    for model in (Figure, FigureSeries, ExternalResource, Authorship):
        for item in model.objects.filter(article=article):
            item.pk = None
            item.id = None
            item._state.adding = True
            item.article = copy
            item.save()
    copy.save()  # render with the copied figures
    rebuild_citations(copy)
    return copy


@transaction.atomic
def merge_working_copy(copy):
    """Put an approved working copy's content into the original article and delete the copy."""
    original = Article.objects.select_for_update().get(pk=copy.revision_of_id)
    for field in CONTENT_FIELDS:
        for code in LANGUAGE_CODES:
            setattr(original, f"{field}_{code}", getattr(copy, f"{field}_{code}"))
    for field in ("topic", "order", "audience", "review_interval_years"):
        setattr(original, field, getattr(copy, field))
    for model in (Figure, FigureSeries, ExternalResource, Authorship):
        model.objects.filter(article=original).delete()
        model.objects.filter(article=copy).update(article=original)
    original.related_articles.set(copy.related_articles.exclude(pk=original.pk))
    original.status = Article.Status.PUBLISHED
    copy.delete()
    return original


def publish_changes(article, user, old_status, *, changed, kind, summaries):
    """
    After an admin save: approve, log and merge as the workflow says. Returns the article
    visitors see (the original, when a working copy was approved).
    """
    new_status = article.status
    if new_status == Article.Status.IN_REVIEW and old_status != Article.Status.IN_REVIEW:
        submit_for_review(article, user)
        Article.objects.filter(pk=article.pk).update(
            submitted_by=user, submitted_at=article.submitted_at
        )
        return article
    publishing = new_status == Article.Status.PUBLISHED and old_status != Article.Status.PUBLISHED
    editing_live = old_status == new_status == Article.Status.PUBLISHED and changed
    if not (publishing or editing_live):
        return article
    target = article
    if publishing and article.revision_of_id:
        target = merge_working_copy(article)
    reviewer = None
    if publishing or kind == CLINICAL:
        approve(target, user)
        reviewer = target.medical_reviewer
        kind = CLINICAL
    target.submitted_by = target.submitted_at = None
    target.save()
    rebuild_citations(target)
    log_change(target, user, kind, summaries, reviewer=reviewer)
    return target


def confirm_review(article, user, summaries):
    """A scheduled review that changed nothing: new review dates and a "reviewed" log line."""
    approve(article, user)
    article.save(
        update_fields=[
            "medical_reviewer",
            "last_reviewed",
            "next_review_due",
            "published_at",
            "updated",
        ]
    )
    log_change(
        article, user, ChangeLogEntry.Kind.REVIEW, summaries, reviewer=article.medical_reviewer
    )
