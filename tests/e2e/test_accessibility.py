"""axe-core in Chromium: no serious or critical violation on any public page."""

from urllib.parse import urlsplit

import pytest

from tests.conftest import serious_accessibility_problems
from tests.quality import make_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_every_public_page_and_the_open_banner(page, live_server, settings):
    settings.ANALYTICS_STANDIN = True
    pages = make_pages()
    hosts, errors = set(), []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(pages["home"])
    page.get_by_role("region", name="May we count your visit?").wait_for()  # the banner is open
    problems = {"home with banner": serious_accessibility_problems(page)}
    page.get_by_role("button", name="Reject all").click()
    page.get_by_text("your choice is saved").wait_for()
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        problems[name] = serious_accessibility_problems(page)
    assert {name: found for name, found in problems.items() if found} == {}
    assert hosts == {urlsplit(live_server.url).netloc}
    assert errors == []


# WCAG 1.4.12: text must survive these spacings without being cut off or running off the page.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


def sideways(page, urls):
    """{url: pixels} for the pages that scroll sideways."""
    overflows = {}
    for url in urls:
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            overflows[url] = overflow
    return overflows


def test_small_screen_and_zoom(page):
    """
    Phone width at 200% zoom (WCAG 1.4.10, reflow at 320 CSS pixels): nothing on any page runs
    off its side, in either language, German compound words included; nor with the text
    spacing of WCAG 1.4.12.
    """
    pages = make_pages()
    page.set_viewport_size({"width": 320, "height": 640})
    assert sideways(page, pages.values()) == {}

    def with_text_spacing(route):
        # Added to the site's own style sheet: the CSP rightly refuses injected styles.
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + TEXT_SPACING)

    page.route("**/css/site.css", with_text_spacing)
    assert sideways(page, pages.values()) == {}
    page.unroute("**/css/site.css")

    # The cookie table stacks each cookie's facts instead of squeezing four columns.
    page.goto(pages["cookie-settings"])
    widths = page.eval_on_selector_all(
        ".cookie-table td", "cells => cells.map(cell => cell.getBoundingClientRect().width)"
    )
    assert widths and min(widths) > 250
    assert (
        page.locator(".cookie-table td").first.evaluate(
            "cell => getComputedStyle(cell, '::before').content"
        )
        == '"Purpose: "'
    )


def test_windows_contrast_themes(page):
    """
    With forced colours (Windows' contrast themes), which drop backgrounds and shadows, the
    keyboard focus stays visible on links and buttons and boxes keep their edges (WCAG 2.4.7,
    1.4.11).
    """
    pages = make_pages()
    page.emulate_media(forced_colors="active")
    page.goto(pages["article"])
    focus_styles = []
    for _ in range(6):
        page.keyboard.press("Tab")
        focus_styles.append(
            page.evaluate(
                """() => {
                  const style = getComputedStyle(document.activeElement);
                  return [document.activeElement.tagName, style.outlineStyle,
                          parseFloat(style.outlineWidth), style.outlineColor];
                }"""
            )
        )
    assert {tag for tag, *_style in focus_styles} >= {"A"}
    for tag, style, width, color in focus_styles:
        assert (style, width >= 2) == ("solid", True), (tag, style, width)
        assert color not in ("transparent", "rgba(0, 0, 0, 0)"), tag
    for box in page.locator(".review-box, .cite-page__text").all():  # the embed code's too
        assert box.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    page.goto(pages["directory"])
    assert page.locator(".filters").evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"


def test_dark_colour_scheme(page, live_server, settings):
    """
    With the device set to dark (prefers-color-scheme), every page turns light-on-dark and still
    has no serious axe-core violation, contrast included; the focus stays dark on yellow.
    """
    settings.ANALYTICS_STANDIN = True
    pages = make_pages()
    page.emulate_media(color_scheme="dark")
    page.goto(pages["home"])
    page.get_by_role("region", name="May we count your visit?").wait_for()
    problems = {"home with banner": serious_accessibility_problems(page)}
    page.get_by_role("button", name="Reject all").click()
    page.get_by_text("your choice is saved").wait_for()
    colours = {}
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        problems[name] = serious_accessibility_problems(page)
        colours[name] = tuple(
            page.evaluate(
                "() => [getComputedStyle(document.body).backgroundColor,"
                " getComputedStyle(document.body).color]"
            )
        )
    assert {name: found for name, found in problems.items() if found} == {}
    assert set(colours.values()) == {("rgb(18, 22, 25)", "rgb(230, 235, 239)")}, colours

    page.goto(pages["article"])
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the site name
    focused = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.backgroundColor, s.color]; }"
    )
    assert focused == ["rgb(255, 191, 71)", "rgb(27, 31, 35)"]

    # On paper the page stays dark on white, whatever the screen's setting.
    page.emulate_media(media="print", color_scheme="dark")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == (
        "rgb(255, 255, 255)"
    )
