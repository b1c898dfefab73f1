"""Audit review for a data protection officer: the log's filters, the unusual access page and
the audit of referral list pages and downloads."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from referrals.exports import referrals_csv
from referrals.models import Referral
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent
from rjportal.audit.services import audit_record
from tests.factories import ESSEX, ProviderFactory, ReferralFactory, area

pytestmark = pytest.mark.django_db


def at(*args):
    """A moment in UTC (London is UTC in winter and UTC+1 from late March to late October)."""
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def summaries(response):
    return sorted(event.summary for event in response.context["events"])


@pytest.fixture
def referral(provider_user):
    return ReferralFactory(provider=provider_user.organisation, reference="KENT-1")


@pytest.fixture
def viewed(pcc_user, referral):
    """Return a function that records `count` views of the referral by `user` (the PCC user)."""

    def view(count=1, user=None):
        for _ in range(count):
            audit_record(actor=user or pcc_user, action=AuditAction.VIEW, target=referral, summary="Viewed referral")

    return view


# The log's filters -----------------------------------------------------------------------------


def test_the_log_filters_by_the_actors_organisation(client, admin_user, pcc_user, provider_user):
    audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="By the PCC office")
    audit_record(actor=provider_user, action=AuditAction.VIEW, summary="By the provider")
    audit_record(actor=None, action=AuditAction.SIGN_IN_FAILED, summary="By nobody")
    client.force_login(admin_user)
    response = client.get(reverse("audit:list"), {"organisation": provider_user.organisation.pk})
    assert summaries(response) == ["By the provider"]
    assert provider_user.organisation.name in response.content.decode()


def test_the_log_filters_by_record_type_and_id(client, admin_user, pcc_user, referral):
    other = ReferralFactory(provider=referral.provider, reference="KENT-2")
    audit_record(actor=pcc_user, action=AuditAction.VIEW, target=referral, summary="This one")
    audit_record(actor=pcc_user, action=AuditAction.VIEW, target=other, summary="The other one")
    audit_record(actor=pcc_user, action=AuditAction.VIEW, target=pcc_user, summary="Not a referral")
    client.force_login(admin_user)
    referral_type = ContentType.objects.get_for_model(Referral).pk
    response = client.get(reverse("audit:list"), {"target_type": referral_type})
    assert summaries(response) == ["The other one", "This one"]
    response = client.get(reverse("audit:list"), {"target_type": referral_type, "target_id": str(referral.pk)})
    assert summaries(response) == ["This one"]


def test_the_log_filters_by_day_in_london(client, admin_user, pcc_user):
    with at(2026, 6, 30, 22, 30):  # 23:30 on 30 June in London
        audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="30 June")
    with at(2026, 6, 30, 23, 30):  # 00:30 on 1 July in London
        audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="1 July")
    with at(2026, 7, 2, 12):
        audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="2 July")
    client.force_login(admin_user)
    response = client.get(reverse("audit:list"), {"date_from": "2026-07-01", "date_to": "2026-07-01"})
    assert summaries(response) == ["1 July"]
    response = client.get(reverse("audit:list"), {"date_to": "2026-06-30"})
    assert summaries(response) == ["30 June"]


def test_filters_combine_and_the_csv_has_the_same_events(client, admin_user, pcc_user, other_pcc_user):
    audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="Kent view")
    audit_record(actor=pcc_user, action=AuditAction.EXPORT, summary="Kent export")
    audit_record(actor=other_pcc_user, action=AuditAction.VIEW, summary="Essex view")
    client.force_login(admin_user)
    filters = {"organisation": pcc_user.organisation.pk, "action": "view"}
    assert summaries(client.get(reverse("audit:list"), filters)) == ["Kent view"]
    rows = csv_rows(client.get(reverse("audit:list"), {**filters, "format": "csv"}))
    assert [(row[1], row[2], row[7]) for row in rows[1:]] == [
        ("pcc@example.org", pcc_user.organisation.name, "Kent view")
    ]


def test_the_download_link_keeps_the_filters(client, admin_user, pcc_user):
    audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="Kent view")
    client.force_login(admin_user)
    response = client.get(reverse("audit:list"), {"actor": "pcc@", "target_id": "12"})
    assert response.context["csv_url"] == "?actor=pcc%40&target_id=12&format=csv"
    assert response.context["is_filtered"]


# Unusual access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("admin", 200), ("pcc", 403), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_only_national_admins_see_unusual_access(client, persona, expected_status):
    client.force_login(persona)
    assert client.get(reverse("audit:unusual")).status_code == expected_status
    assert client.get(reverse("audit:unusual"), {"format": "csv"}).status_code == expected_status


def test_anonymous_visitors_are_sent_to_sign_in_from_unusual_access(client):
    assert client.get(reverse("audit:unusual")).status_code == 302


def test_a_heavy_viewer_is_listed_and_a_normal_one_is_not(
    client, settings, admin_user, pcc_user, provider_user, viewed
):
    settings.AUDIT_UNUSUAL_VIEWS_PER_DAY = 5
    with at(2026, 3, 3, 10):  # a Tuesday, in working hours
        viewed(6)  # one more than the threshold
        viewed(5, user=provider_user)  # at the threshold: not unusual
        audit_record(actor=provider_user, action=AuditAction.VIEW, summary="Viewed the list", record_type=Referral)
    client.force_login(admin_user)
    with at(2026, 3, 10, 10):
        response = client.get(reverse("audit:unusual"))
    assert [
        (row["day"].isoformat(), row["actor_email"], row["views"], row["records"]) for row in response.context["heavy"]
    ] == [("2026-03-03", "pcc@example.org", 6, 1)]
    page = response.content.decode()
    assert "More than 5 referrals viewed in a day" in page
    assert "provider@example.org" not in page
    referral_type = ContentType.objects.get_for_model(Referral).pk
    log = response.context["heavy"][0]["url"]
    assert log == (
        f"/audit/?actor=pcc%40example.org&action=view&target_type={referral_type}"
        "&date_from=2026-03-03&date_to=2026-03-03"
    )
    assert len(client.get(log).context["events"]) == 6


def test_views_are_counted_per_day_in_london(client, settings, admin_user, viewed):
    settings.AUDIT_UNUSUAL_VIEWS_PER_DAY = 5
    with at(2026, 6, 30, 22, 30):  # 23:30 on 30 June in London
        viewed(3)
    with at(2026, 6, 30, 23, 30):  # 00:30 on 1 July in London: a different day there, not in UTC
        viewed(3)
    with at(2026, 7, 1, 12):
        client.force_login(admin_user)
        assert client.get(reverse("audit:unusual")).context["heavy"] == []
        settings.AUDIT_UNUSUAL_VIEWS_PER_DAY = 2
        heavy = client.get(reverse("audit:unusual")).context["heavy"]
    assert [(row["day"].isoformat(), row["views"]) for row in heavy] == [("2026-07-01", 3), ("2026-06-30", 3)]


def test_access_outside_working_hours_is_listed(client, admin_user, pcc_user, provider_user, viewed, referral):
    with at(2026, 3, 3, 6, 59):  # Tuesday 06:59 in London (GMT)
        viewed(user=pcc_user)
    with at(2026, 3, 3, 7, 0):  # 07:00: working hours begin
        viewed(user=provider_user)
    with at(2026, 3, 3, 18, 59):
        viewed(user=provider_user)
    with at(2026, 3, 3, 19, 0):  # 19:00: working hours are over
        audit_record(actor=pcc_user, action=AuditAction.EXPORT, summary="Exported 3 referrals", record_type=Referral)
    with at(2026, 3, 7, 12):  # a Saturday
        audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="Viewed the list", record_type=Referral)
    with at(2026, 7, 1, 18, 30):  # 19:30 in London (BST), though 18:30 in UTC
        viewed(user=pcc_user)
    with at(2026, 7, 1, 6, 30):  # 07:30 in London (BST), though 06:30 in UTC
        viewed(user=provider_user)
    with at(2026, 3, 3, 2):  # at night, but not case-level access
        audit_record(actor=provider_user, action=AuditAction.SIGN_IN, summary="Signed in")
    client.force_login(admin_user)
    with at(2026, 7, 2, 12):
        response = client.get(reverse("audit:unusual"), {"date_from": "2026-03-01"})
    late = [(event.created_at.isoformat(), event.actor_email, event.action) for event, _url in response.context["late"]]
    assert late == [
        ("2026-07-01T18:30:00+00:00", "pcc@example.org", "view"),
        ("2026-03-07T12:00:00+00:00", "pcc@example.org", "view"),
        ("2026-03-03T19:00:00+00:00", "pcc@example.org", "export"),
        ("2026-03-03T06:59:00+00:00", "pcc@example.org", "view"),
    ]
    _event, url = response.context["late"][-1]
    assert f"target_id={referral.pk}" in url and "date_from=2026-03-03&date_to=2026-03-03" in url
    assert [event.summary for event in client.get(url).context["events"]] == ["Viewed referral"]


def test_working_hours_are_a_setting(client, settings, admin_user, viewed):
    settings.AUDIT_WORKING_HOURS = ["09:00", "17:30"]
    with at(2026, 3, 3, 8, 30):
        viewed()
    with at(2026, 3, 3, 17, 30):
        viewed()
    with at(2026, 3, 3, 17, 29):
        viewed()
    client.force_login(admin_user)
    with at(2026, 3, 4, 12):
        response = client.get(reverse("audit:unusual"))
    assert [event.created_at.strftime("%H:%M") for event, _url in response.context["late"]] == ["17:30", "08:30"]
    assert "09:00 to 17:30, Monday to Friday" in response.content.decode()


def test_the_period_defaults_to_the_last_30_days(client, admin_user, viewed):
    with at(2026, 1, 3, 12):  # a Saturday, but more than 30 days ago
        viewed()
    with at(2026, 2, 7, 12):  # a Saturday within the 30 days
        viewed()
    with at(2026, 3, 4, 12):
        client.force_login(admin_user)
        response = client.get(reverse("audit:unusual"))
        assert [event.created_at.date().isoformat() for event, _url in response.context["late"]] == ["2026-02-07"]
        response = client.get(reverse("audit:unusual"), {"date_from": "2026-01-01", "date_to": "2026-01-31"})
        assert [event.created_at.date().isoformat() for event, _url in response.context["late"]] == ["2026-01-03"]


def test_a_period_in_the_wrong_order_gets_an_error(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("audit:unusual"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "<title>Error: " in page


def test_unusual_access_downloads_as_csv(client, settings, admin_user, viewed):
    settings.AUDIT_UNUSUAL_VIEWS_PER_DAY = 1
    with at(2026, 3, 3, 10):
        viewed(2)
    with at(2026, 3, 3, 20, 15):
        viewed()
    with at(2026, 3, 4, 12):
        client.force_login(admin_user)
        response = client.get(reverse("audit:unusual"), {"format": "csv"})
    rows = csv_rows(response)
    assert rows[0] == ["Why listed", "Date", "Time", "Who", "Organisation", "Action", "Record", "Events", "Summary"]
    assert [[*row[:4], row[7]] for row in rows[1:]] == [
        ["Many views in a day", "2026-03-03", "", "pcc@example.org", "3"],
        ["Outside working hours", "2026-03-03", "20:15:00", "pcc@example.org", "1"],
    ]


# The referral list is audited ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "pcc", "provider"], indirect=True)
def test_each_view_of_the_referral_list_is_audited_with_its_filters_and_count(client, persona, referral):
    ReferralFactory(provider=referral.provider, reference="KENT-2", stage="contacting")
    essex = ProviderFactory(areas=[area(ESSEX)])
    ReferralFactory(provider=essex, area=area(ESSEX), reference="ESSEX-1")
    client.force_login(persona)
    response = client.get(reverse("referrals:list"), {"stage": "referred", "flags": ["hate_crime"]})
    assert response.status_code == 200
    assert client.get(reverse("referrals:list"), {"stage": "referred"}).status_code == 200
    first, second = AuditEvent.objects.filter(action=AuditAction.VIEW).order_by("id")
    assert first.actor == persona
    assert first.target_type == ContentType.objects.get_for_model(Referral)
    assert first.target_id == ""
    assert first.summary == (
        "Viewed the referral list (page 1): 0 referrals matched (Stage: Referred; Sensitive case flags: Hate crime)"
    )
    assert first.changes["rows"] == 0
    assert first.changes["filters"] == {"Stage": "Referred", "Sensitive case flags": "Hate crime"}
    expected = 2 if persona.is_national_admin else 1  # the Essex referral is outside Kent's scope
    rows = "2 referrals" if expected == 2 else "1 referral"
    assert second.summary == f"Viewed the referral list (page 1): {rows} matched (Stage: Referred)"


def test_an_unfiltered_list_is_audited_as_such(client, provider_user, referral):
    client.force_login(provider_user)
    client.get(reverse("referrals:list"))
    assert AuditEvent.objects.get(action=AuditAction.VIEW).summary == (
        "Viewed the referral list (page 1): 1 referral matched (no filters)"
    )


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_referral_downloads_are_audited_with_their_filters_and_count(client, pcc_user, referral, export):
    ReferralFactory(provider=referral.provider, reference="KENT-2")
    client.force_login(pcc_user)
    response = client.get(reverse("referrals:list"), {"area": area("E23000032").pk, "format": export})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.target_type == ContentType.objects.get_for_model(Referral)
    assert event.summary == f"Exported 2 referrals as {export.upper()} (Police area: Kent)"
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_list_with_wrong_filters_is_audited_as_matching_nothing(client, provider_user, referral):
    client.force_login(provider_user)
    client.get(reverse("referrals:list"), {"received_from": "2026-02-01", "received_to": "2026-01-01"})
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.summary == (
        "Viewed the referral list (page 1): 0 referrals matched (Filters: not valid, so nothing matched)"
    )


def test_moderators_get_403_from_the_referral_list_and_nothing_is_audited(client, moderator_user):
    client.force_login(moderator_user)
    assert client.get(reverse("referrals:list")).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_download_cut_off_reports_what_had_gone(referral):
    ReferralFactory(provider=referral.provider, reference="KENT-2")
    reported = []
    referrals = Referral.objects.with_clocks(date(2026, 1, 31))
    response = referrals_csv(referrals, when_sent=lambda *sent: reported.append(sent))
    content = iter(response.streaming_content)
    next(content), next(content), next(content)  # the BOM, the header and one referral
    assert reported == []

    response.close()  # as a server closes a download cut off

    assert reported == [(1, False)]


def test_a_download_sent_whole_reports_every_row(referral):
    ReferralFactory(provider=referral.provider, reference="KENT-2")
    reported = []
    referrals = Referral.objects.with_clocks(date(2026, 1, 31))
    response = referrals_csv(referrals, when_sent=lambda *sent: reported.append(sent))

    b"".join(response.streaming_content)

    assert reported == [(2, True)]
