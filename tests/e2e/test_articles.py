"""A visitor finds an article and reads it in German."""

import pytest
from django.utils import translation

from tests.factories import make_article, make_reference, make_topic, refresh

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


def test_a_printed_article_keeps_its_addresses(page):
    """
    Patients print articles for their doctor. On paper a link cannot be followed: outside
    links print their address, the page says where to read it online, and what only works on
    screen (reference buttons, related articles, the patient-group teaser) is left out.
    """
    from netinfo.articles.models import ExternalResource

    make_reference("oronsky2017", doi="10.1016/j.neo.2017.09.002", pmid="29156444")
    article = make_article(
        "printed",
        body="See the [ENETS guidance](https://www.enets.org/guidance) [@oronsky2017].",
    )
    ExternalResource.objects.create(
        article=article, title_en="Cancer.Net", url="https://www.cancer.net/", publisher="ASCO"
    )
    refresh(article)
    other = make_article("other", topic=article.topic)
    article.related_articles.add(other)

    page.goto("/en/articles/printed/")
    online = page.locator(".print-only")
    assert not online.is_visible()

    page.emulate_media(media="print")
    assert online.is_visible()
    assert online.inner_text() == f"Read this page online: {page.url}"

    def after(locator):
        return locator.evaluate("link => getComputedStyle(link, '::after').content")

    # Chromium reports the content with attr(href) already filled in.
    guidance = page.get_by_role("link", name="ENETS guidance")
    assert after(guidance) == '" (https://www.enets.org/guidance)"'
    assert after(page.get_by_role("link", name="Cancer.Net")) == '" (https://www.cancer.net/)"'
    assert page.get_by_text("doi:10.1016/j.neo.2017.09.002").is_visible()
    for hidden in (".reference-list__links", ".related", ".directory-teaser"):
        assert not page.locator(hidden).first.is_visible(), hidden


def test_every_demo_article_prints_without_a_near_empty_last_page(page):
    """
    Patients print articles for their appointments: text at 12 pt, and no sheet that holds
    only the "Read this page online" line (it prints under the title now).
    """
    import io

    from django.core.management import call_command
    from pypdf import PdfReader

    from netinfo.articles.models import Article

    call_command("load_demo_content", stdout=io.StringIO())
    pages = {}
    for article in Article.objects.published().order_by("pk"):
        for language in article.translated_languages():
            with translation.override(language):
                address = article.get_absolute_url()
            page.goto(address)
            page.emulate_media(media="print")
            size = page.locator(".article__body p").first.evaluate(
                "p => getComputedStyle(p).fontSize"
            )
            assert float(size.removesuffix("px")) >= 16, (address, size)  # 12 pt
            sheets = PdfReader(io.BytesIO(page.pdf(format="A4"))).pages
            last = [line for line in sheets[-1].extract_text().splitlines() if line.strip()]
            pages[address] = len(sheets)
            content = [
                line for line in last if not line.startswith(("Read this page", "Diese Seite"))
            ]
            assert content, (address, last)
            first = sheets[0].extract_text()
            assert "Read this page online" in first or "Diese Seite im Internet" in first
    assert len(pages) >= 10
    print("printed pages:", pages)


def test_a_glossary_word_explains_itself_without_javascript(browser, live_server):
    """The "?" opens the definition in place: no script, by keyboard, for screen readers."""
    from netinfo.articles import services
    from netinfo.articles.models import Term
    from tests.conftest import replay_data_migrations, serious_accessibility_problems

    replay_data_migrations()
    services.save_term(
        Term(
            name_en="Somatostatin analogue",
            slug_en="somatostatin-analogue",
            other_forms_en="SSA",
            definition_en="A medicine that works like the body's own somatostatin.",
        )
    )
    make_article("ssa", title_en="Medicines", body="An SSA can ease flushing.")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/en/articles/ssa/")
        definition = page.locator(".term__popover")
        assert not definition.is_visible()
        button = page.get_by_role("button", name="What does “Somatostatin analogue” mean?")
        button.click()
        assert definition.is_visible()
        assert "works like the body's own somatostatin" in definition.inner_text()
        page.keyboard.press("Escape")
        assert not definition.is_visible()
        button.focus()
        page.keyboard.press("Enter")
        assert definition.is_visible()
        page.keyboard.press("Escape")
        page.get_by_role("link", name="SSA", exact=True).click()
        page.wait_for_url("**/en/glossary/somatostatin-analogue/")
        assert page.get_by_role("heading", level=1).inner_text() == "Somatostatin analogue"
    finally:
        context.close()
    # axe-core is a script itself, so the open definition is checked with scripts on.
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/en/articles/ssa/")
        page.get_by_role("button", name="What does “Somatostatin analogue” mean?").click()
        assert page.locator(".term__popover").is_visible()
        assert serious_accessibility_problems(page) == []
    finally:
        context.close()


def test_feedback_in_a_browser_without_javascript_or_cookies(browser, live_server):
    """A reader answers "No", says what was missing and goes back: no script, no cookie."""
    from netinfo.articles.models import Feedback
    from tests.conftest import replay_data_migrations, serious_accessibility_problems

    replay_data_migrations()
    make_article("fatigue", title_en="Fatigue and NETs", body="Tiredness is common.")
    for scripts in (False, True):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=scripts)
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            page.goto("/en/articles/fatigue/")
            feedback = page.get_by_role("region", name="Was this page helpful?")
            feedback.get_by_role("button", name="No").click()
            page.get_by_role("heading", name="Thank you for your answer").wait_for()
            if scripts:  # axe-core is a script itself
                assert serious_accessibility_problems(page) == []
            page.get_by_role("checkbox", name="It seemed out of date").check()
            page.get_by_role("textbox").fill("Is the 2024 guideline in here? mail me: a@b.de")
            page.get_by_role("button", name="Send").click()
            page.get_by_role("heading", name="Thank you for your feedback").wait_for()
            if scripts:
                assert serious_accessibility_problems(page) == []
            page.get_by_role("link", name="Back to “Fatigue and NETs”").click()
            page.wait_for_url("**/en/articles/fatigue/")
            assert context.cookies() == []
        finally:
            context.close()
    answers = list(Feedback.objects.order_by("pk").values_list("helpful", "missing", "comment"))
    comment = "Is the 2024 guideline in here? mail me: [e-mail address removed]"
    assert answers == [(False, "outdated", comment)] * 2
