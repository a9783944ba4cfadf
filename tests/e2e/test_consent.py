"""The cookie banner in Chromium: nothing optional before consent, reject, accept, withdraw."""

import pytest

from tests.conftest import serious_accessibility_problems
from tests.factories import make_article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _analytics_stand_in(settings):
    settings.ANALYTICS_STANDIN = True


def pk_cookies(page):
    return sorted(c["name"] for c in page.context.cookies() if c["name"].startswith("_pk_"))


def watch_requests(page):
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_fresh_visitor_sees_the_banner_with_equal_buttons(page):
    page.goto("/en/")
    banner = page.get_by_role("region", name="May we count your visit?")
    banner.wait_for()
    accept = banner.get_by_role("button", name="Accept all")
    reject = banner.get_by_role("button", name="Reject all")
    assert accept.get_attribute("class") == reject.get_attribute("class")
    assert accept.bounding_box()["height"] == reject.bounding_box()["height"]
    assert pk_cookies(page) == []
    assert serious_accessibility_problems(page) == []


def test_reject_all_then_three_pages_without_analytics(page):
    make_article("one")
    requests = watch_requests(page)
    page.goto("/en/")
    page.get_by_role("button", name="Reject all").click()
    page.get_by_text("your choice is saved").wait_for()
    for url in ["/en/articles/one/", "/en/patient-groups/", "/en/about/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("region", name="May we count your visit?").count() == 0
    assert pk_cookies(page) == []
    assert not any("analytics-standin" in url for url in requests)


def test_accept_all_loads_analytics_then_withdrawal_removes_its_cookies(page):
    requests = watch_requests(page)
    page.goto("/en/")
    page.get_by_role("button", name="Accept all").click()
    page.locator("html[data-analytics=loaded]").wait_for()
    assert any("analytics-standin.js" in url for url in requests)
    names = pk_cookies(page)
    assert (
        len(names) == 2 and names[0].startswith("_pk_id.1.") and names[1].startswith("_pk_ses.1.")
    )

    page.goto("/en/")  # the next page loads analytics again, without asking
    page.locator("html[data-analytics=loaded]").wait_for()
    assert page.get_by_role("region", name="May we count your visit?").count() == 0

    page.goto("/en/cookies/")
    assert page.get_by_label("Allow “Audience measurement”").is_checked()
    page.get_by_label("Allow “Audience measurement”").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.get_by_text("Your choices have been saved.").wait_for()
    assert pk_cookies(page) == []
    assert page.get_by_text("Currently: not allowed.").is_visible()


def test_banner_works_with_the_keyboard_alone(page):
    page.goto("/en/")
    page.get_by_role("button", name="Accept all").wait_for()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # "Customise or read more", at the end of the banner's text
    assert page.evaluate("document.activeElement.textContent") == "Customise or read more"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Accept all"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Reject all"
    page.keyboard.press("Enter")
    message = page.get_by_text("your choice is saved")
    message.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('consent-message')")
    assert "analytics=-1" in next(
        c["value"] for c in page.context.cookies() if c["name"] == "cookie_consent"
    )


def test_settings_page_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    from tests.conftest import replay_data_migrations

    replay_data_migrations()
    page.goto("/en/cookies/")
    page.get_by_role("button", name="Accept all").click()
    page.get_by_text("Your choices have been saved.").wait_for()
    assert page.get_by_label("Allow “Audience measurement”").is_checked()
    context.close()


def test_settings_page_passes_axe(page):
    page.goto("/de/cookies/")
    assert serious_accessibility_problems(page) == []
