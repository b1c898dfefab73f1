"""An area's strategy, training, communications, Community Remedy and observation records:
added, changed and deleted by its PCC office through one set of pages, each change audited,
bad input refused with a message and nothing saved."""

import csv
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from rjportal.audit.models import AuditEvent
from strategy.models import (
    AreaStrategy,
    CommunicationsActivity,
    CommunicationsPlan,
    CommunityRemedyDocument,
    Observation,
    TrainingRecord,
)
from tests.factories import KENT, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def day(prefix, value: date) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


def create_url(kind):
    return reverse("strategy:record_create", args=[KENT, kind])


def list_url(kind):
    return reverse("strategy:records", args=[KENT, kind])


VALID = {
    "strategies": (
        AreaStrategy,
        {
            "financial_year": "2026",
            **day("published_on", date(2026, 5, 1)),
            "url": "https://example.org/strategy.pdf",
            **day("review_on", date(2027, 5, 1)),
            "every_victim_informed": "yes",
        },
    ),
    "training": (
        TrainingRecord,
        {"team_category": "response", **day("as_at", date(2026, 9, 1)), "staff_in_scope": "120", "staff_trained": "96"},
    ),
    "communications-plans": (CommunicationsPlan, {**day("published_on", date(2026, 4, 1)), "url": ""}),
    "communications": (
        CommunicationsActivity,
        {
            **day("happened_on", date(2026, 10, 1)),
            "channel": "press",
            "audience": "Victims in Kent",
            "estimated_reach": "",
        },
    ),
    "community-remedy": (
        CommunityRemedyDocument,
        {**day("published_on", date(2025, 1, 1)), "url": "http://example.org/remedy", "includes_rj": "no"},
    ),
    "observations": (
        Observation,
        {**day("observed_on", date(2026, 7, 14)), "observer_role": "deputy", "note": "Conference in a youth case"},
    ),
}


@pytest.mark.parametrize("kind", list(VALID))
def test_pcc_staff_add_change_and_delete_each_kind_of_record(client, pcc_user, kind):
    model, values = VALID[kind]
    client.force_login(pcc_user)
    assert client.get(create_url(kind)).status_code == 200
    response = client.post(create_url(kind), values)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == list_url(kind)
    record = model.objects.get()
    assert record.area.code == KENT
    assert AuditEvent.objects.filter(action="create", target_id=str(record.pk), actor=pcc_user).exists()
    page = client.get(list_url(kind)).content.decode()
    assert "1 record" in page

    update = reverse("strategy:record_update", args=[KENT, kind, record.pk])
    assert client.get(update).status_code == 200
    assert client.post(update, values).status_code == 302
    assert not AuditEvent.objects.filter(action="update").exists()  # nothing changed, nothing recorded

    delete = reverse("strategy:record_delete", args=[KENT, kind, record.pk])
    assert "Are you sure" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not model.objects.exists()
    assert AuditEvent.objects.filter(action="delete", target_id=str(record.pk)).exists()


def test_a_change_is_audited_field_by_field(client, pcc_user):
    client.force_login(pcc_user)
    model, values = VALID["training"]
    client.post(create_url("training"), values)
    record = model.objects.get()
    response = client.post(
        reverse("strategy:record_update", args=[KENT, "training", record.pk]), {**values, "staff_trained": "100"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.staff_trained == 100
    event = AuditEvent.objects.get(action="update")
    assert event.changes == {"staff_trained": {"from": 96, "to": 100}}


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        ("strategies", day("review_on", date(2026, 4, 1)), "The review date must be the same as or after the date"),
        ("strategies", {"url": "javascript:alert(1)"}, "Enter a web address that starts with http:// or https://"),
        ("strategies", {"url": "ftp://example.org/x"}, "Enter a web address that starts with http:// or https://"),
        (
            "strategies",
            day("published_on", date(2026, 11, 21)),
            "The date it was published must be today or in the past",
        ),
        ("strategies", {"every_victim_informed": ""}, "Select yes if the strategy commits that every victim is told"),
        ("training", {"staff_trained": "121"}, "Staff trained must be no more than the staff in scope"),
        ("training", {"staff_in_scope": "-1"}, "The number of staff in scope must be 0 or more"),
        ("training", {"staff_in_scope": "many"}, "Enter the number of staff in scope as a whole number"),
        ("communications", {"audience": ""}, "Enter the audience"),
        ("communications", {"happened_on_1": "13"}, "Enter the date of the activity as a real date"),
        ("community-remedy", {"includes_rj": ""}, "Select yes if the Community Remedy includes RJ"),
        ("observations", {"note": "x" * 501}, "The note must be 500 characters or fewer"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, pcc_user, kind, changes, message):
    model, values = VALID[kind]
    client.force_login(pcc_user)
    response = client.post(create_url(kind), {**values, **changes})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "govuk-error-summary" in page
    assert not model.objects.exists()
    assert not AuditEvent.objects.exclude(action="sign_in").exists()


def test_a_second_strategy_for_the_same_area_and_year_is_refused(client, pcc_user):
    client.force_login(pcc_user)
    model, values = VALID["strategies"]
    client.post(create_url("strategies"), values)
    response = client.post(create_url("strategies"), values)
    assert "Kent already has a strategy for 2026/27: change that one instead" in response.content.decode()
    assert model.objects.count() == 1


def test_the_same_training_figures_twice_are_refused(client, pcc_user):
    client.force_login(pcc_user)
    model, values = VALID["training"]
    client.post(create_url("training"), values)
    response = client.post(create_url("training"), values)
    assert "There are already figures for response teams as at 1 September 2026" in response.content.decode()
    assert model.objects.count() == 1


def test_the_training_form_offers_the_referring_teams_staff_counts(client, pcc_user):
    ReferringTeamFactory(area=area(KENT), category="response", staff_count=80)
    ReferringTeamFactory(area=area(KENT), category="response", staff_count=40)
    ReferringTeamFactory(area=area(KENT), category="custody", staff_count=None)
    client.force_login(pcc_user)
    page = client.get(create_url("training")).content.decode()
    assert "Your referring teams' staff counts: Response 120." in page


def test_the_observation_form_warns_against_identifying_anyone(client, pcc_user):
    client.force_login(pcc_user)
    page = client.get(create_url("observations")).content.decode()
    assert "Do not record names or anything else that could identify" in page


def test_lists_download_as_csv(client, pcc_user):
    client.force_login(pcc_user)
    client.post(create_url("communications"), VALID["communications"][1])
    response = client.get(list_url("communications"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Police area code", "Police area", "Date", "Channel"]
    assert rows[1][:5] == [KENT, "Kent", "1 October 2026", "Press release or news article", "Victims in Kent"]


def test_an_empty_list_says_so(client, pcc_user):
    client.force_login(pcc_user)
    page = client.get(list_url("observations")).content.decode()
    assert "Nothing is recorded yet for Kent." in page


def test_the_way_status_form_records_the_offices_own_status(client, pcc_user):
    client.force_login(pcc_user)
    url = reverse("strategy:way_assess", args=[KENT, "dip_sampling", 2026])
    response = client.post(url, {"status": "met", "evidence": ""})
    assert "Enter the evidence for this status" in response.content.decode()
    response = client.post(url, {"status": "met", "evidence": "Sample of 100 cases reviewed in October"})
    assert response.status_code == 302
    page = client.get(reverse("strategy:area", args=[KENT]), {"year": 2026}).content.decode()
    assert "Sample of 100 cases reviewed in October" in page


def test_a_way_worked_out_from_data_cannot_be_recorded_by_hand(client, pcc_user):
    client.force_login(pcc_user)
    url = reverse("strategy:way_assess", args=[KENT, "data", 2026])
    page = client.get(url).content.decode()
    assert "cannot be recorded by hand" in page
    client.post(url, {"status": "met", "evidence": "Trust us"})
    assert not AuditEvent.objects.exclude(action="sign_in").exists()
