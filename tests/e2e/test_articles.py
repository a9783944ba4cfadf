"""A visitor finds an article and reads it in German."""

import pytest

from tests.factories import make_article, make_topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_topic_article_then_german(page):
    topic = make_topic("treatment", name_en="Treatment", slug_de="behandlung", name_de="Behandlung")
    make_article(
        "treatment-options",
        topic=topic,
        title_en="Treatment options",
        body="## Surgery\n\nAn operation is the main treatment.",
        slug_de="behandlungsmoeglichkeiten",
        title_de="Behandlungsmöglichkeiten",
        summary_de="Kurz.",
        body_de="## Operation\n\nDie Operation ist die wichtigste Behandlung.",
    )
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto("/en/")
    page.get_by_role("link", name="Treatment", exact=True).click()
    page.wait_for_url("**/en/topics/treatment/")
    page.get_by_role("link", name="Treatment options").click()
    page.wait_for_url("**/en/articles/treatment-options/")
    assert page.get_by_role("heading", level=1).inner_text() == "Treatment options"

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch").click()
    page.wait_for_url("**/de/articles/behandlungsmoeglichkeiten/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", level=1).inner_text() == "Behandlungsmöglichkeiten"
    assert "Die Operation ist die wichtigste Behandlung." in page.locator("main").inner_text()
    assert errors == []
