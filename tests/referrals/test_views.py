import csv
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from referrals.models import Referral
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, ProviderFactory, ReferralFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


@pytest.fixture
def kent_referral(provider_user):
    return ReferralFactory(provider=provider_user.organisation, reference="KENT-1")


@pytest.fixture
def essex_referral():
    provider = ProviderFactory(areas=[area(ESSEX)])
    return ReferralFactory(provider=provider, area=area(ESSEX), reference="ESSEX-1")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", {"KENT-1", "ESSEX-1"}), ("pcc", {"KENT-1"}), ("provider", {"KENT-1"})],
    indirect=["persona"],
)
def test_each_persona_lists_only_referrals_in_scope(client, persona, expected, kent_referral, essex_referral):
    client.force_login(persona)
    response = client.get(reverse("referrals:list"))
    assert {referral.reference for referral in response.context["referrals"]} == expected


def test_moderators_cannot_list_referrals(client, moderator_user):
    client.force_login(moderator_user)
    assert client.get(reverse("referrals:list")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, kent_referral):
    assert client.get(reverse("referrals:list")).status_code == 302
    assert client.get(kent_referral.get_absolute_url()).status_code == 302


def test_an_empty_list_says_so(client, provider_user):
    client.force_login(provider_user)
    assert "No referrals have been recorded yet." in client.get(reverse("referrals:list")).content.decode()


def test_filters_and_search(client, admin_user, kent_referral, essex_referral):
    client.force_login(admin_user)
    listed = client.get(reverse("referrals:list"), {"area": area(ESSEX).pk}).context["referrals"]
    assert [referral.reference for referral in listed] == ["ESSEX-1"]
    listed = client.get(reverse("referrals:list"), {"q": "kent"}).context["referrals"]
    assert [referral.reference for referral in listed] == ["KENT-1"]
    response = client.get(reverse("referrals:list"), {"stage": "completed"})
    assert "No referrals match these filters." in response.content.decode()


def test_clock_missed_filter(client, admin_user, kent_referral):
    late = ReferralFactory(provider=kent_referral.provider, reference="LATE", victim_informed_on=date(2026, 1, 20))
    client.force_login(admin_user)
    listed = client.get(reverse("referrals:list"), {"clock_missed": "on"}).context["referrals"]
    assert [referral.reference for referral in listed] == [late.reference]


def test_bad_filter_dates_get_an_error_summary(client, admin_user, kent_referral):
    client.force_login(admin_user)
    response = client.get(reverse("referrals:list"), {"received_from": "2026-02-01", "received_to": "2026-01-01"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "must be the same as or after the &#x27;received from&#x27; date" in page


def test_csv_export_matches_the_filtered_list_and_is_audited(client, pcc_user, kent_referral, essex_referral):
    ReferralFactory(provider=kent_referral.provider, reference="=cmd|' /C calc'!A0")
    client.force_login(pcc_user)
    response = client.get(reverse("referrals:list"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Provider", "Police area code"]
    assert sorted(row[0] for row in rows[1:]) == ["'=cmd|' /C calc'!A0", "KENT-1"]
    assert AuditEvent.objects.filter(action="export", actor=pcc_user).exists()


def test_xlsx_export(client, provider_user, kent_referral):
    client.force_login(provider_user)
    response = client.get(reverse("referrals:list"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[1][0] == "KENT-1"
    assert rows[1][rows[0].index("Information clock")] == "Met"


def test_viewing_a_referral_is_audited(client, pcc_user, kent_referral):
    client.force_login(pcc_user)
    response = client.get(kent_referral.get_absolute_url())
    assert response.status_code == 200
    assert not response.context["can_edit"]
    assert AuditEvent.objects.for_target(kent_referral).get().action == "view"


@pytest.mark.parametrize("persona", ["pcc", "provider"], indirect=True)
def test_a_referral_out_of_scope_is_not_found(client, persona, essex_referral):
    client.force_login(persona)
    assert client.get(essex_referral.get_absolute_url()).status_code == 404
    assert client.get(reverse("referrals:update", args=[essex_referral.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_pcc_staff_cannot_change_referrals(client, pcc_user, kent_referral):
    client.force_login(pcc_user)
    assert client.get(reverse("referrals:update", args=[kent_referral.pk])).status_code == 403
    assert (
        client.post(reverse("referrals:transition", args=[kent_referral.pk]), {"to_stage": "contacting"}).status_code
        == 403
    )


def form_data(team, **overrides):
    data = {
        "reference": "NEW-1",
        "area": team.area.pk,
        "referring_team": team.pk,
        "initiator": "victim",
        "offence_group": "robbery",
        "offence_subgroup": "",
        "justice_stage": "out_of_court",
        "crime_reported_on_0": "5",
        "crime_reported_on_1": "1",
        "crime_reported_on_2": "2026",
        "victim_informed_on_0": "6",
        "victim_informed_on_1": "1",
        "victim_informed_on_2": "2026",
        "victim_requested_on_0": "",
        "victim_requested_on_1": "",
        "victim_requested_on_2": "",
        "referred_on_0": "7",
        "referred_on_1": "1",
        "referred_on_2": "2026",
        "received_on_0": "8",
        "received_on_1": "1",
        "received_on_2": "2026",
        "contact_attempts": "0",
    }
    return {**data, **overrides}


def test_provider_records_a_referral(client, provider_user):
    team = ReferringTeamFactory()
    client.force_login(provider_user)
    response = client.post(reverse("referrals:create"), form_data(team))
    referral = Referral.objects.get(reference="NEW-1")
    assert response.url == referral.get_absolute_url()
    assert referral.provider == provider_user.organisation


def test_a_bad_referral_form_shows_errors_and_saves_nothing(client, provider_user):
    team = ReferringTeamFactory()
    client.force_login(provider_user)
    response = client.post(reverse("referrals:create"), form_data(team, received_on_0="6", reference=""))
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter your case reference" in page
    assert "must be the same as or after the referral date" in page
    assert not Referral.objects.exists()


@pytest.mark.parametrize("persona", ["pcc", "moderator", "admin"], indirect=True)
def test_only_provider_staff_record_referrals_here(client, persona):
    client.force_login(persona)
    assert client.get(reverse("referrals:create")).status_code == 403


def test_transition_asks_for_confirmation_first(client, provider_user, kent_referral):
    client.force_login(provider_user)
    data = {"to_stage": "contacting", "contacting_on_0": "1", "contacting_on_1": "2", "contacting_on_2": "2026"}
    response = client.post(reverse("referrals:transition", args=[kent_referral.pk]), data)
    assert "Check before you move referral KENT-1" in response.content.decode()
    kent_referral.refresh_from_db()
    assert kent_referral.stage == "referred"
    response = client.post(reverse("referrals:transition", args=[kent_referral.pk]), {**data, "confirm": "yes"})
    assert response.status_code == 302
    kent_referral.refresh_from_db()
    assert kent_referral.stage == "contacting"


def test_a_transition_not_allowed_shows_the_reason(client, provider_user, kent_referral):
    client.force_login(provider_user)
    data = {"to_stage": "closed", "closed_on_0": "1", "closed_on_1": "2", "closed_on_2": "2026", "confirm": "yes"}
    response = client.post(reverse("referrals:transition", args=[kent_referral.pk]), data)
    assert "Select why the referral was closed" in response.content.decode()
    kent_referral.refresh_from_db()
    assert kent_referral.stage == "referred"


def test_csv_export_reaches_every_row_across_chunks(client, admin_user, kent_referral, monkeypatch):
    from referrals import exports

    monkeypatch.setattr(exports, "EXPORT_CHUNK", 2)
    # Five referrals, two on the same day, so that a chunk boundary falls inside a day.
    for number, day in enumerate([3, 3, 4, 5]):
        ReferralFactory(provider=kent_referral.provider, reference=f"K-{number}", received_on=date(2026, 2, day))
    client.force_login(admin_user)
    response = client.get(reverse("referrals:list"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["K-3", "K-2", "K-1", "K-0", "KENT-1"]
