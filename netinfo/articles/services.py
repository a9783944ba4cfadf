"""
The save pipeline: every change to an article's state is one of the steps below, and nothing
else writes it. The admin, the history view and the management commands call them with
explicit arguments: who, the change note, and what else to save with the article.

Each step checks the workflow's rules (netinfo.articles.governance) and refuses with WorkflowError (a
rule) or PermissionDenied (a role) before it writes anything. It then runs in one transaction
and records one revision (django-reversion) with the user and the change note: the article's
row, the objects that point at it (`save_related`: figures, authors, links), the body rendered
once per language, and the rows derived from it (citations, former addresses, the public
change log). Article.save() fills only the article's own derived columns.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import checks, governance
from .feedback import redact
from .governance import ARCHIVED, CLINICAL, CONTENT_FIELDS, EDITORIAL, PUBLISHED
from .models import (
    DERIVED_FIELDS,
    LANGUAGE_CODES,
    Article,
    ChangeLogEntry,
    Feedback,
    FormerSlug,
    rebuild_citations,
    rebuild_term_uses,
)
from .pages import refresh_page, refresh_pages
from .versions import INLINE_MODELS, PLACEMENT_ATTNAMES, ArticleSnapshot

DRAFT = Article.Status.DRAFT
IN_REVIEW = Article.Status.IN_REVIEW


@dataclass(frozen=True)
class ChangeNote:
    """What an editor says about a change: its kind and a summary per language."""

    kind: str = ""
    summaries: dict = field(default_factory=dict)

    @property
    def comment(self):
        """The revision's comment: the English summary."""
        return self.summaries.get("en", "")


NO_NOTE = ChangeNote()


class WorkflowError(Exception):
    """A step the workflow's rules refuse; `problems` are (field or None, message) pairs."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(str(message) for _field, message in self.problems))

    @property
    def messages(self):
        return [message for _field, message in self.problems]


# The parts every step is made of -------------------------------------------------------------


@contextmanager
def step(user, comment):
    """One transaction and one revision, by `user`, with `comment` (the change note)."""
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(str(comment))
        yield


def require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def check(user, article, *, stored, note, changed=True):
    """Refuse when the rules forbid moving `article` from `stored` to its status in memory."""
    problems = governance.transition_problems(
        user,
        article,
        stored,
        article.status,
        changed=changed,
        kind=note.kind,
        summaries=note.summaries,
    )
    if problems:
        raise WorkflowError(problems)


def write(article, *, save_related=None):
    """
    Save the article, then what points at it (`save_related`, e.g. the admin's inline forms),
    then its body rendered once per language with the figures as saved, then the derived rows.
    """
    slugs_before = article.saved_slugs()
    if article.pk is None:
        # The row first, so that figures and authors can point at it; rendered below, once
        # the figures its body places exist.
        article.save(rendered={})
    if save_related is not None:
        save_related()
    rendered = article.render()
    article.content_checks = checks.check_article(article, Article.objects.published().slugs())
    article.content_errors, article.content_warnings = checks.counts(article.content_checks)
    article.save(rendered=rendered)
    rebuild_citations(article, rendered)
    rebuild_term_uses(article, rendered)
    keep_former_slugs(article, slugs_before)
    return article


def keep_former_slugs(article, slugs_before):
    """
    Links to a page outlive its slug: links from other sites, bookmarks, and printed pages,
    which carry the address. A slug the article leaves keeps leading to it (FormerSlug).
    """
    for code, old in slugs_before.items():
        current = getattr(article, f"slug_{code}")
        if old == current:
            continue
        if old:
            FormerSlug.objects.update_or_create(
                language=code, slug=old, defaults={"article": article}
            )
        if current:
            # Back to a slug it had before: the live address needs no redirect.
            FormerSlug.objects.filter(article=article, language=code, slug=current).delete()


def log_change(article, user, kind, summaries, reviewer=None):
    """A line in the article's public change log; `summaries` maps language codes to text."""
    fields = {f"summary_{code}": summaries.get(code, "") for code in LANGUAGE_CODES}
    return ChangeLogEntry.objects.create(
        article=article,
        kind=kind,
        summary=summaries.get("en", ""),
        user=user if user is not None and user.is_authenticated else None,
        reviewer=reviewer,
        **fields,
    )


def clear_submission(article):
    article.submitted_by = None
    article.submitted_at = None


# The steps ------------------------------------------------------------------------------------


def save_draft(article, user, *, note=NO_NOTE, save_related=None):
    """
    Save an article visitors cannot see: a new one, a draft, one in review (it stays there;
    set back to draft, its submission is withdrawn) or an archived one.
    """
    stored = governance.stored_status(article)
    if stored is None:
        require(user.has_perm("netinfo.add_article"), _("You may not add articles."))
    else:
        require(governance.can_edit(user), _("You may not change articles."))
    if stored == PUBLISHED or article.status not in (DRAFT, stored):
        raise WorkflowError([("status", _("This change of status is a step of its own."))])
    if article.status == DRAFT:
        clear_submission(article)
    with step(user, note.comment):
        write(article, save_related=save_related)
        refresh_page(article)
    return article


def submit_for_review(article, user, *, note=NO_NOTE, save_related=None):
    """Ask for a medical review: the article goes to "In review", with who asked and when."""
    stored = governance.stored_status(article)
    require(governance.can_edit(user), _("You may not change articles."))
    article.status = IN_REVIEW
    check(user, article, stored=stored, note=note)
    article.submitted_by = user
    article.submitted_at = timezone.now()
    with step(user, note.comment):
        write(article, save_related=save_related)
        refresh_page(article)
    return article


def approve_and_publish(article, user, *, note, save_related=None):
    """
    A medical approval: publish a draft or an article in review, put an approved working copy
    in place of the published article (merge_working_copy), or publish a clinical change a
    reviewer made to a live article. Records the reviewer and the review dates and adds a line
    to the public change log. Returns the article visitors now see.
    """
    require(governance.can_approve(user), _("Only medical reviewers can approve articles."))
    stored = governance.stored_status(article)
    article.status = PUBLISHED
    if stored == PUBLISHED:
        note = replace(note, kind=CLINICAL)
    check(user, article, stored=stored, note=note)
    with step(user, note.comment):
        target = article
        if article.revision_of_id:
            if save_related is not None:
                save_related()
                save_related = None
            target = merge_working_copy(article)
        target.status = PUBLISHED
        governance.approve(target, user)
        clear_submission(target)
        write(target, save_related=save_related)
        log_change(target, user, CLINICAL, note.summaries, reviewer=target.medical_reviewer)
        refresh_page(target)
    return target


def merge_working_copy(copy):
    """
    Put an approved working copy's content into the original article and delete the copy;
    part of approve_and_publish(), which renders and logs. Returns the original (unsaved).
    """
    original = Article.objects.select_for_update().get(pk=copy.revision_of_id)
    for name in CONTENT_FIELDS:
        for code in LANGUAGE_CODES:
            setattr(original, f"{name}_{code}", getattr(copy, f"{name}_{code}"))
    for attname in PLACEMENT_ATTNAMES:
        setattr(original, attname, getattr(copy, attname))
    moved = []
    for model in INLINE_MODELS:
        model.objects.filter(article=original).delete()
        items = list(model.objects.filter(article=copy))
        model.objects.filter(article=copy).update(article=original)
        moved += items
    original.related_articles.set(copy.related_articles.exclude(pk=original.pk))
    copy.delete()
    # The revision keeps the figures, links and authors as they now are: the original's.
    for item in moved:
        item.article = original
        reversion.add_to_revision(item)
    return original


def publish_editorial_fix(article, user, *, note, save_related=None):
    """
    A change to a live article that needs no new review (a typo, a broken link): saved at
    once, logged as editorial, review dates untouched.
    """
    require(governance.can_edit(user), _("You may not change articles."))
    stored = governance.stored_status(article)
    if stored != PUBLISHED or article.status != PUBLISHED:
        raise WorkflowError([(None, _("Only a published article gets editorial fixes."))])
    note = replace(note, kind=note.kind or EDITORIAL)
    if note.kind != EDITORIAL:
        raise WorkflowError([("change_kind", _("An editorial fix is marked as editorial."))])
    check(user, article, stored=stored, note=note)
    with step(user, note.comment):
        write(article, save_related=save_related)
        log_change(article, user, EDITORIAL, note.summaries)
        refresh_page(article)
    return article


def save_without_change(article, user, *, note=NO_NOTE, save_related=None):
    """
    A save of a live article that changes nothing visitors see (a preview link, say): what
    points at the article is saved, the article itself is left as it is.
    """
    require(governance.can_edit(user), _("You may not change articles."))
    with step(user, note.comment):
        if save_related is not None:
            save_related()
    return article


def confirm_review(article, user, *, note):
    """A scheduled review that changed nothing: new review dates and a "reviewed" log line."""
    require(governance.can_approve(user), _("Only medical reviewers can confirm reviews."))
    if governance.reviewer_profile(user) is None:
        raise WorkflowError([(None, governance.missing_profile_message())])
    if governance.stored_status(article) != PUBLISHED:
        raise WorkflowError([(None, _("Only a published article can be confirmed as reviewed."))])
    with step(user, note.comment):
        governance.approve(article, user)
        review_fields = ["medical_reviewer", "last_reviewed", "next_review_due", "published_at"]
        article.save(update_fields=[*review_fields, "updated"])
        log_change(
            article,
            user,
            ChangeLogEntry.Kind.REVIEW,
            note.summaries,
            reviewer=article.medical_reviewer,
        )
        refresh_page(article)
    return article


def archive(article, user, *, note=NO_NOTE, save_related=None):
    """Take an article off the site for good (medical reviewers only)."""
    stored = governance.stored_status(article)
    require(governance.can_approve(user), _("Only medical reviewers can archive articles."))
    article.status = ARCHIVED
    check(user, article, stored=stored, note=note)
    clear_submission(article)
    with step(user, note.comment):
        write(article, save_related=save_related)
        refresh_page(article)
    return article


def withdraw(article, user, *, note=NO_NOTE, save_related=None):
    """Take a live article off the site back to draft or review (medical reviewers only)."""
    stored = governance.stored_status(article)
    require(governance.can_approve(user), _("Only medical reviewers can unpublish articles."))
    if stored != PUBLISHED or article.status not in (DRAFT, IN_REVIEW):
        raise WorkflowError([("status", _("Only a published article can be withdrawn."))])
    check(user, article, stored=stored, note=note)
    if article.status == IN_REVIEW:
        article.submitted_by, article.submitted_at = user, timezone.now()
    else:
        clear_submission(article)
    with step(user, note.comment):
        write(article, save_related=save_related)
        refresh_page(article)
    return article


def propose_clinical_change(article, user, *, snapshot=None, comment=None):
    """
    A working copy of a published article (with its figures, links and authors, or with those
    of `snapshot`, an earlier version) to change and send for review. It carries none of the
    live article's review dates; approving it replaces the published text.
    """
    require(governance.can_edit(user), _("You may not change articles."))
    if governance.stored_status(article) != PUBLISHED or article.revision_of_id:
        raise WorkflowError([(None, _("Only a published article can have a working copy."))])
    marker = uuid.uuid4().hex[:6]
    copy = Article.objects.get(pk=article.pk)
    copy.pk = copy.id = None
    copy._state.adding = True  # Django's documented way to copy a model instance
    copy.revision_of = article
    copy.status = DRAFT
    clear_submission(copy)
    copy.medical_reviewer = copy.last_reviewed = copy.next_review_due = None
    copy.published_at = None
    for code in LANGUAGE_CODES:
        slug = getattr(article, f"slug_{code}")
        setattr(copy, f"slug_{code}", f"{slug}-working-copy-{marker}"[:200] if slug else None)
    if snapshot is not None:
        snapshot.apply_to(copy)

    def save_related():
        if snapshot is not None:
            snapshot.replace_inlines(copy)
            return
        copy.related_articles.set(article.related_articles.all())
        for model in INLINE_MODELS:
            for item in model.objects.filter(article=article):
                item.pk = item.id = None
                item._state.adding = True
                item.article = copy
                item.save()

    with step(user, comment or _("Working copy made for a clinical change.")):
        write(copy, save_related=save_related)
        refresh_page(copy)
    return copy


def restore_version(article, version, user):
    """
    Bring back an earlier version (django-reversion) of an article's text, figures, links and
    authors. A draft, an article in review (which goes back to draft) or an archived one gets
    the version's content. A published article is never changed directly: the version becomes
    a working copy, which goes through review like any clinical change. Refuses, changing
    nothing, when something the version needs no longer exists. Returns the article changed.
    """
    require(governance.can_edit(user), _("You may not change articles."))
    snapshot = ArticleSnapshot.of_version(version)
    problems = snapshot.problems()
    if problems:
        raise WorkflowError([(None, problem) for problem in problems])
    saved_on = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
    comment = _("Restored the version saved on %(date)s.") % {"date": saved_on}
    stored = governance.stored_status(article)
    if stored == PUBLISHED:
        return propose_clinical_change(article, user, snapshot=snapshot, comment=comment)
    snapshot.apply_to(article)
    if article.status == IN_REVIEW:
        article.status = DRAFT
        clear_submission(article)
    with step(user, comment):
        write(article, save_related=lambda: snapshot.replace_inlines(article))
        refresh_page(article)
    return article


def recover_deleted(version, user):
    """A deleted article back from its last version, as a draft that needs a review again."""
    require(user.has_perm("netinfo.add_article"), _("You may not add articles."))
    snapshot = ArticleSnapshot.of_version(version)
    problems = snapshot.problems()
    if problems:
        raise WorkflowError([(None, problem) for problem in problems])
    article = Article(status=DRAFT)
    snapshot.apply_to(article)
    for code in LANGUAGE_CODES:
        slug = snapshot.fields.get(f"slug_{code}")
        if slug and Article.objects.filter(**{f"slug_{code}": slug}).exists():
            slug = f"{slug}-restored-{uuid.uuid4().hex[:6]}"[:200]
        setattr(article, f"slug_{code}", slug or None)
    with step(user, _("Recovered a deleted article as a draft.")):
        write(article, save_related=lambda: snapshot.replace_inlines(article))
        refresh_page(article)
    return article


def import_article(article, *, save_related=None, user=None, comment=""):
    """
    Write an article as an operator's file or the demo content describes it, status and dates
    included (manage.py load_demo_content, generate_bench_data): the same pipeline, without
    an editor's rules, which a command run on the server does not go through.
    """
    with step(user, comment):
        write(article, save_related=save_related)
        refresh_page(article)
    return article


def render_articles(articles, *, user=None, comment=""):
    """
    Render `articles` again from their Markdown, once per language, in one revision: after a
    backup is loaded (no HTML is taken from a file) or a release changes how articles look
    (manage.py render_articles). Their own dates stay as they are.
    """
    with step(user, comment):
        for article in articles:
            rerender(article)
            refresh_page(article)


def rerender(article):
    """The article's body rendered again as stored (no revision: its text did not change)."""
    rendered = article.render()
    article.save(rendered=rendered, update_fields=DERIVED_FIELDS)
    rebuild_citations(article, rendered)
    rebuild_term_uses(article, rendered)


def refresh_citing_articles(reference):
    """A reference's citation changed: the pages of the articles citing it show it anew."""
    refresh_pages(Article.objects.filter(citations__reference=reference).distinct())


def refresh_authored_articles(contributor):
    """A contributor's name or credentials changed: the pages that name them show it anew."""
    refresh_pages(Article.objects.filter(authorships__contributor=contributor).distinct())


# The admin's form: which step a save is -------------------------------------------------------


def step_for(stored, status, *, kind, changed):
    """The step an edit form's save means, from the stored and the chosen status."""
    if status == PUBLISHED:
        if stored != PUBLISHED:
            return approve_and_publish
        if not changed:
            return save_without_change
        return approve_and_publish if kind == CLINICAL else publish_editorial_fix
    if status == ARCHIVED and stored != ARCHIVED:
        return archive
    if stored == PUBLISHED:
        return withdraw
    if status == IN_REVIEW and stored != IN_REVIEW:
        return submit_for_review
    return save_draft


# Readers' feedback -------------------------------------------------------------------------


def record_feedback(article, language, helpful):
    """A reader's answer to "Was this page helpful?", with the version of the article they read."""
    from reversion.models import Version

    version = Version.objects.get_for_object(article).values_list("pk", flat=True).first()
    return Feedback.objects.create(
        article=article, language=language, version=version, helpful=helpful
    )


def add_feedback_details(feedback, *, comment, missing):
    """What the reader added to their answer; e-mail addresses and phone numbers removed."""
    feedback.comment = redact(comment.strip())[:500]
    feedback.missing = " ".join(missing)
    feedback.save(update_fields=["comment", "missing"])
    return feedback


def mark_feedback_handled(feedback, user, note=""):
    """An editor has read the comment and done what it asked, or decided not to."""
    feedback.handled_at = timezone.now()
    feedback.handled_by = user
    feedback.note = note or feedback.note
    feedback.save(update_fields=["handled_at", "handled_by", "note"])


# The glossary ----------------------------------------------------------------------------


@transaction.atomic
def save_term(term, *, save_related=None):
    """
    Save a glossary term with its definition rendered, then render again the articles that
    use it or may now use it (a new name or form can match words they mark nowhere yet).
    """
    term.render()
    term.save()
    if save_related is not None:
        save_related()
    for article in articles_for_term(term):
        rerender(article)
    return term


def articles_for_term(term):
    """Articles that mark the term, and those whose text holds one of its forms."""
    found = Q(term_uses__term=term)
    for code in LANGUAGE_CODES:
        for form in term.forms(code):
            found |= Q(**{f"body_{code}__icontains": form})
    return Article.objects.filter(found).distinct()
