"""A provider's main journey: upload a file with a mistake, read the problems, fix it, upload
again, then take the new referral through every stage to completion."""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.importing import COLUMNS, EXAMPLE_ROW
from referrals.models import Referral
from tests.factories import KENT, TEST_PASSWORD, ReferringTeamFactory, area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def referral_file(tmp_path, name, **changes):
    path = tmp_path / name
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    # At referred: the example's stage columns left empty, so that the journey moves it on by hand.
    at_referred = dict.fromkeys(COLUMNS[COLUMNS.index("stage") :], "")
    writer.writerow({**EXAMPLE_ROW, **at_referred, "reference": "JOURNEY-1", "received_on": "2026-01-12", **changes})
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def move(page, stage, date_text, axe, **choices):
    page.get_by_role("button", name="Move to the next stage or close").click()
    page.get_by_label(stage, exact=True).check()
    day, month, year = date_text.split("/")
    dates = page.get_by_role("group", name=f"Date it reached {stage.lower()}")
    dates.get_by_label("Day").fill(day)
    dates.get_by_label("Month").fill(month)
    dates.get_by_label("Year").fill(year)
    for label, value in choices.items():
        page.get_by_label(label).select_option(value)
    assert axe(page) == []
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check before you move")
    assert axe(page) == []
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"moved to {stage.lower()}")


def test_provider_uploads_fixes_and_completes_a_referral(page, live_server, axe, provider_user, tmp_path):
    ReferringTeamFactory(area=area(KENT), name=EXAMPLE_ROW["referring_team"])
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(provider_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Referrals").first.click()
    expect(page.get_by_text("No referrals have been recorded yet.")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("button", name="Upload a file of referrals").click()
    expect(page.get_by_label("Upload a file")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Upload a file").set_input_files(
        referral_file(tmp_path, "with-mistake.csv", referring_team="No such team")
    )
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "The file has 1 problem. Nothing was imported." in summary.inner_text()
    assert "referring_team" in page.locator("table").inner_text()
    assert axe(page) == []
    assert not Referral.objects.exists()

    page.goto(live_server.url + reverse("referral_imports:upload"))
    page.get_by_label("Upload a file").set_input_files(referral_file(tmp_path, "fixed.csv"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-panel")).to_contain_text("1 created, 0 updated, 0 unchanged")
    assert axe(page) == []

    referral = Referral.objects.get(reference="JOURNEY-1")
    page.goto(live_server.url + referral.get_absolute_url())
    assert axe(page) == []
    move(page, "Contacting", "13/01/2026", axe)
    move(page, "Assessing", "20/01/2026", axe)
    move(page, "Preparing", "27/01/2026", axe)
    move(page, "Intervention", "03/02/2026", axe, **{"Type of intervention": "face_to_face"})
    move(
        page,
        "Completed",
        "10/02/2026",
        axe,
        **{"Was an agreement reached?": "yes", "Victim satisfaction (1 very dissatisfied to 5 very satisfied)": "5"},
    )
    assert axe(page) == []
    referral.refresh_from_db()
    assert (referral.stage, referral.agreement_reached, referral.victim_satisfaction) == ("completed", True, 5)
    assert referral.events.count() == 6
    assert errors == []
