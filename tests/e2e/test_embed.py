"""A partner's page on another origin shows one of our articles in an iframe."""

import datetime
import http.server
import threading

import pytest

from tests.factories import make_article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class PartnerPage(http.server.BaseHTTPRequestHandler):
    html = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args):
        pass


def test_a_partner_page_shows_an_article_with_its_source(page, live_server):
    from tests.conftest import serious_accessibility_problems

    make_article(
        "fatigue",
        title_en="Fatigue and NETs",
        body="Tiredness is common.",
        last_reviewed=datetime.date(2026, 3, 1),
    )
    # live_server answers on localhost; the partner's page on 127.0.0.1 is another origin.
    embed = f"{live_server.url}/en/embed/articles/fatigue/"
    PartnerPage.html = (
        "<!DOCTYPE html><html lang='en'><title>Partner</title><h1>Our association</h1>"
        f"<iframe src='{embed}' title='Fatigue and NETs' width='600' height='700'></iframe>"
    ).encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PartnerPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        frame = page.frame_locator("iframe")
        frame.get_by_role("heading", level=1, name="Fatigue and NETs").wait_for()
        assert "Tiredness is common." in frame.locator("main").inner_text()
        assert "Last reviewed 1 March 2026" in frame.locator(".review-box").inner_text()
        source = frame.get_by_role("link", name="NET Info")
        assert source.get_attribute("href") == f"{live_server.url}/en/articles/fatigue/"
        assert page.context.cookies() == []
    finally:
        server.shutdown()
    # The embed page on its own passes axe, as every page must.
    page.goto(embed)
    assert serious_accessibility_problems(page) == []


def test_the_code_is_copied_with_one_press(page, live_server):
    from tests.conftest import serious_accessibility_problems

    make_article("fatigue", title_en="Fatigue and NETs")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/en/articles/fatigue/")
    page.get_by_text("Show this page on your website").click()
    page.get_by_role("button", name="Copy the code").click()
    page.get_by_role("status").filter(has_text="Copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f'<iframe src="{live_server.url}/en/embed/articles/fatigue/"')
    assert copied == page.get_by_label("Code for your web page").input_value()
    assert serious_accessibility_problems(page) == []
