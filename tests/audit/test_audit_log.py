import csv
import io

import pytest
from django.urls import reverse

from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent
from rjportal.audit.services import audit_record
from rjportal.organisations.models import Organisation
from tests.factories import KENT, area

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("admin", 200), ("pcc", 403), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_only_national_admins_read_the_audit_log(client, persona, expected_status):
    client.force_login(persona)
    assert client.get(reverse("audit:list")).status_code == expected_status
    assert client.get(reverse("audit:list"), {"format": "csv"}).status_code == expected_status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(reverse("audit:list")).status_code == 302


def test_the_log_filters_by_action_and_person(client, admin_user, pcc_user):
    audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="Viewed case 1")
    audit_record(actor=admin_user, action=AuditAction.UPDATE, summary="Changed something")
    client.force_login(admin_user)
    events = client.get(reverse("audit:list"), {"action": "view"}).context["events"]
    assert [event.summary for event in events] == ["Viewed case 1"]
    events = client.get(reverse("audit:list"), {"actor": "pcc@"}).context["events"]
    assert [event.summary for event in events] == ["Viewed case 1"]


def test_dates_in_the_wrong_order_get_an_error_summary(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("audit:list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "must be the same as or after the" in page
    assert "No events match these filters." in page


def test_csv_export_matches_the_filter_and_neutralises_formulas(client, admin_user, pcc_user):
    audit_record(actor=pcc_user, action=AuditAction.VIEW, summary="=HYPERLINK('http://evil')")
    audit_record(actor=pcc_user, action=AuditAction.UPDATE, summary="Not exported")
    client.force_login(admin_user)
    response = client.get(reverse("audit:list"), {"action": "view", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["When", "Who", "Organisation", "Action", "Record type", "Record id", "Record", "Summary"]
    assert [row[7] for row in rows[1:]] == ["'=HYPERLINK('http://evil')"]
    assert [row[2] for row in rows[1:]] == [pcc_user.organisation.name]


def test_admin_screen_changes_are_audited(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:organisations_organisation_add"),
        {"name": "Kent Victim Care", "kind": "victim_service", "areas": [area(KENT).pk], "email": "", "website": ""},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Kent Victim Care")
    event = AuditEvent.objects.for_target(organisation).get()
    assert (event.action, event.actor) == ("create", admin_user)
    assert event.summary == "Added organisation Kent Victim Care (admin)"


def test_admin_change_is_described(client, admin_user, provider_user):
    client.force_login(admin_user)
    organisation = provider_user.organisation
    response = client.post(
        reverse("admin:organisations_organisation_change", args=[organisation.pk]),
        {"name": "Renamed", "kind": organisation.kind, "areas": [area(KENT).pk], "email": "", "website": ""},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.for_target(organisation).get().summary == (
        "Changed organisation Renamed (admin): Changed Name."
    )


def test_the_audit_trail_cannot_be_edited_in_the_admin(client, admin_user):
    event = audit_record(actor=admin_user, action=AuditAction.VIEW, summary="Viewed")
    client.force_login(admin_user)
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
