"""A real browser loads the home page without errors and without contacting another host."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_loads_cleanly(page, live_server):
    errors, hosts = [], set()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto("/en/")
    page.wait_for_load_state("networkidle")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.is_visible()
    assert errors == []
    assert hosts == {urlsplit(live_server.url).netloc}
