"""In Chromium: an editor submits, a medical reviewer approves, a visitor sees the result."""

import pytest
from django.utils import timezone

from tests.factories import make_article, make_reviewer, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def test_editor_submits_reviewer_approves_visitor_sees_it(page):
    make_user("writer", groups=["Editors"])
    make_reviewer("doctor", family="Weber", given="Anna", credentials="Dr. med., endocrinologist")
    article = make_article(
        "new-guide", published=False, title_en="A new guide", body="Plain words about NETs."
    )
    change = f"/admin/netinfo/article/{article.pk}/change/"

    log_in(page, "writer")
    page.goto(change)
    page.get_by_label("Status").select_option("in_review")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()

    log_in(page, "doctor")
    page.goto("/admin/dashboard/")
    waiting = page.get_by_role("region", name="Waiting for review (1)")
    assert "submitted by writer" in waiting.inner_text()
    waiting.get_by_role("link", name="A new guide").click()
    page.get_by_label("Status").select_option("published")
    page.get_by_label("Kind of change").select_option("clinical")
    page.get_by_label("What changed (English)").fill("First published after medical review.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()

    page.context.clear_cookies()
    page.goto("/en/articles/new-guide/")
    today = timezone.localdate()
    review = page.locator(".review-box").inner_text()
    assert (
        f"Last reviewed {today.day} {today:%B %Y} by Anna Weber, Dr. med., endocrinologist"
        in review
    )
    page.get_by_text("What changed").click()
    assert page.get_by_text("First published after medical review.").is_visible()


def visitor_text(page, url):
    """The article's text as a new visitor sees it (a browser of their own, nothing cached)."""
    origin = "/".join(page.url.split("/", 3)[:3])
    context = page.context.browser.new_context(base_url=origin)
    try:
        visitor = context.new_page()
        visitor.goto(url)
        body = visitor.locator(".article__body").inner_text()
        return body, visitor.locator(".changes__list").text_content()
    finally:
        context.close()


def test_editor_restores_an_old_version_and_visitors_see_it_only_after_approval(page):
    from netinfo.articles import services
    from netinfo.articles.models import Article
    from netinfo.articles.services import ChangeNote

    make_user("writer", groups=["Editors"])
    doctor = make_reviewer("doctor", family="Weber", given="Anna", credentials="Dr. med.")
    article = make_article("dosing", published=False, body="Take the first dose at night.")
    services.approve_and_publish(article, doctor, note=ChangeNote("clinical", {"en": "First."}))
    article.body_en = "Take the dose in the morning."
    services.approve_and_publish(article, doctor, note=ChangeNote("clinical", {"en": "Morning."}))

    log_in(page, "writer")
    page.goto(f"/admin/netinfo/article/{article.pk}/history/")
    page.locator("#change-history tbody tr").last.get_by_role("link").first.click()
    page.get_by_role("button", name="Make a working copy from this version").click()
    page.get_by_text("The version is now a working copy").wait_for()
    copy = Article.objects.get(revision_of=article)
    assert "first dose at night" in copy.body_en

    text, changes = visitor_text(page, "/en/articles/dosing/")
    assert "in the morning" in text
    assert "Morning." in changes

    log_in(page, "doctor")
    page.goto(f"/admin/netinfo/article/{copy.pk}/change/")
    assert "What this changes" in page.locator("#content-main").inner_text()
    page.get_by_label("Status").select_option("published")
    page.get_by_label("Kind of change").select_option("clinical")
    page.get_by_label("What changed (English)").fill("Back to the evening dose.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("The working copy was approved").wait_for()

    text, changes = visitor_text(page, "/en/articles/dosing/")
    assert "first dose at night" in text
    assert "Back to the evening dose." in changes
