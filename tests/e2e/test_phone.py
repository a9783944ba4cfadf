"""
On a phone, as patients read: citations a finger can use, and a cookie banner that leaves room
to read. Measured in Chromium at 320 and 390 CSS px, in English and German.
"""

import pytest

from tests.conftest import serious_accessibility_problems
from tests.factories import make_article, make_reference, make_topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONES = [(320, 568), (390, 844)]
TARGET = 24  # CSS px, WCAG 2.2's minimum target size (2.5.8)


def make_cited_article():
    for key in ("rindi2022", "pavel2020", "strosberg2017"):
        make_reference(key, title=f"A study called {key}")
    sentences_en = (
        "Neuroendocrine tumours grow from cells that make hormones [@rindi2022]. "
        "Most grow slowly, and many are found by chance during a scan for something else "
        "[@pavel2020; @strosberg2017]. Treatment depends on where the tumour started, how far "
        "it has spread and how fast it grows [@rindi2022]."
    )
    sentences_de = (
        "Neuroendokrine Tumoren entstehen aus Zellen, die Hormone bilden [@rindi2022]. "
        "Die meisten wachsen langsam, und viele werden zufällig bei einer Untersuchung "
        "entdeckt [@pavel2020; @strosberg2017]. Die Behandlung richtet sich danach, wo der "
        "Tumor entstanden ist, wie weit er sich ausgebreitet hat und wie schnell er wächst "
        "[@rindi2022]."
    )
    make_article(
        "what-are-nets",
        topic=make_topic("basics", slug_de="grundlagen", name_de="Grundlagen"),
        title_en="What are neuroendocrine tumours?",
        body="\n\n".join([sentences_en] * 4),
        slug_de="was-sind-net",
        title_de="Was sind neuroendokrine Tumoren?",
        summary_de="Eine kurze Einführung.",
        body_de="\n\n".join([sentences_de] * 4),
    )


def boxes(page, selector):
    return page.locator(selector).evaluate_all(
        "elements => elements.map(e => { const r = e.getBoundingClientRect();"
        " return {width: r.width, height: r.height, left: r.left, top: r.top}; })"
    )


@pytest.mark.parametrize("width,height", PHONES)
@pytest.mark.parametrize("address", ["/en/articles/what-are-nets/", "/de/articles/was-sind-net/"])
def test_citations_a_finger_can_use(page, width, height, address):
    make_cited_article()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(address)
    numbers = boxes(page, ".article__body .citation a")
    backlinks = boxes(page, ".reference-list__back a")
    assert len(numbers) == 16 and len(backlinks) == 16  # 4 citations a paragraph, 8 + 4 + 4
    for box in numbers + backlinks:
        assert box["width"] >= TARGET - 0.5 and box["height"] >= TARGET - 0.5, box
    # No number starts a line: it always follows the last word of its sentence.
    paragraph_left = boxes(page, ".article__body p")[0]["left"]
    for box in boxes(page, ".article__body .citation"):
        assert box["left"] > paragraph_left + 20, box
    # Lines keep their spacing: the taller targets do not push lines apart.
    line = page.locator(".article__body p").first.evaluate(
        "p => parseFloat(getComputedStyle(p).lineHeight)"
    )
    paragraph = boxes(page, ".article__body p")[0]
    lines = round(paragraph["height"] / line)
    assert paragraph["height"] <= lines * line + 1
    # Back from the reference list: the citation lands in view, with the lines above it.
    page.locator(".reference-list__back a").nth(2).click()
    target = page.locator(":target")
    assert target.get_attribute("id") == "cite-1-3"
    top = target.evaluate("e => e.getBoundingClientRect().top")
    assert height * 0.2 <= top <= height * 0.6, top
    assert serious_accessibility_problems(page) == []


# A third of a common phone's screen; on the smallest (320 x 568) a little over half, as the
# two choices and the sentence that makes them informed choices must stay whole.
@pytest.mark.parametrize("width,height,share", [(390, 844, 1 / 3), (320, 568, 0.55)])
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_cookie_banner_leaves_room_to_read(page, settings, width, height, share, language):
    settings.ANALYTICS_STANDIN = True
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/{language}/")
    banner = page.locator(".consent-banner")
    banner.wait_for()
    box = banner.bounding_box()
    assert box["height"] <= height * share, (box["height"], height)
    # The same two choices, equal in size, both on the first screen.
    buttons = banner.locator(".consent-button")
    assert buttons.count() == 2
    first, second = (buttons.nth(i).bounding_box() for i in range(2))
    assert (first["width"], first["height"]) == (second["width"], second["height"])
    # Their words whole, inside them.
    assert buttons.evaluate_all("bs => bs.every(b => b.scrollWidth <= b.clientWidth)")
    assert max(first["y"] + first["height"], second["y"] + second["height"]) <= height
    # In the page's flow, never over it: whatever takes focus is not covered by the banner.
    assert banner.evaluate("e => getComputedStyle(e).position") in ("static", "relative")
    for _ in range(8):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const r = document.activeElement.getBoundingClientRect();"
            " const x = r.left + r.width / 2, y = r.top + r.height / 2;"
            " const top = document.elementFromPoint(x, y);"
            " return !top || document.activeElement.contains(top) ||"
            " top.contains(document.activeElement); }"
        )
        assert focused
    assert serious_accessibility_problems(page) == []
