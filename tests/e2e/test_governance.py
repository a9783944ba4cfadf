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
    page.goto("/admin/netinfo/article/dashboard/")
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
