"""The directory in a real browser: a visitor filters by region; staff filter in the admin."""

from pathlib import Path

import pytest

from patient_groups.importing import import_groups
from tests.factories import make_group, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHARED_CSV = Path(__file__).resolve().parents[2] / "patient_groups" / "demo" / "patient_groups.csv"


def test_visitor_filters_by_region(page):
    import_groups(SHARED_CSV.read_bytes())
    page.goto("/en/patient-groups/")
    assert "41 groups found." in page.locator(".directory-summary").inner_text()
    page.get_by_label("Region").select_option(label="Asia & Asia Pacific")
    page.get_by_role("button", name="Show groups").click()
    page.wait_for_url("**/en/patient-groups/?region=asia-pacific*")
    assert "9 groups found." in page.locator(".directory-summary").inner_text()
    assert page.locator("li.group").count() == 9
    assert page.get_by_label("Region").input_value() == "asia-pacific"  # the form keeps its values
    assert page.get_by_role("link", name="Israel Cancer Association").is_visible()


def test_staff_filter_by_region_and_country_in_the_admin(page):
    import_groups(SHARED_CSV.read_bytes())
    make_user("staffer", groups=["Directory staff"])
    page.goto("/admin/")
    page.get_by_label("Username").fill("staffer")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Patient groups").last.click()
    page.wait_for_url("**/admin/patient_groups/patientgroup/")
    filters = page.locator("#changelist-filter")
    filters.get_by_role("link", name="Asia & Asia Pacific").click()
    assert "9 patient groups" in page.locator(".paginator").inner_text()
    filters.get_by_role("link", name="India").click()
    assert "2 patient groups" in page.locator(".paginator").inner_text()
    names = page.locator("#result_list tbody th").all_inner_texts()
    assert sorted(names) == ["CNETS India", "Carcinoid and Neuroendocrine Tumour Society India"]


def test_a_visitor_suggests_contact_details_without_a_cookie(page):
    """The real browser sends the form from its page: Origin header, no cookie, no script."""
    from patient_groups.models import Suggestion

    group = make_group("NET Patient Network", country="DE")
    page.goto(f"/en/patient-groups/{group.slug}/")
    page.get_by_role("link", name="Suggest contact details").click()
    page.get_by_label("Public e-mail of the association").fill("info@net-network.example")
    page.get_by_label("Message to the editors").fill("They answer the phone on Tuesdays.")
    page.wait_for_timeout(3100)  # people take a few seconds; the form turns away instant posts
    page.get_by_role("button", name="Send to the editors").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    assert page.context.cookies() == []
    suggestion = Suggestion.objects.get()
    assert (suggestion.group, suggestion.email) == (group, "info@net-network.example")
