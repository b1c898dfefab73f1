"""send_accreditation_reminders: the commissioning offices hear 90 and 30 days before a
provider's accreditation expires, each reminder once, however often the command runs."""

from datetime import date, timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from rjportal.audit.models import AuditEvent
from strategy.models import AccreditationReminder
from strategy.services import accreditation_reminders_send
from tests.factories import (
    ESSEX,
    KENT,
    CommissionFactory,
    PccOfficeFactory,
    PccStaffFactory,
    ProviderFactory,
    ProviderRegistrationFactory,
    ProviderStaffFactory,
    area,
)

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)


def run(day, *args):
    """Run the command as cron would on `day`; return its output."""
    out = StringIO()
    with time_machine.travel(day, tick=False):
        call_command("send_accreditation_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def office():
    return PccOfficeFactory(name="Kent PCC office", email="rj-contracts@kent-pcc.example.org", areas=[area(KENT)])


@pytest.fixture
def provider(office):
    provider = ProviderFactory(name="Kent RJ Service")
    CommissionFactory(commissioner=office, provider=provider, starts_on=date(2025, 4, 1))
    return provider


def registration_expiring_in(provider, days, **fields):
    return ProviderRegistrationFactory(
        provider=provider, awarded_on=date(2023, 6, 1), expires_on=START + timedelta(days=days), **fields
    )


def steps_recorded(registration):
    return sorted(registration.reminders.values_list("days_before", flat=True))


# Once at 90 days, once at 30 --------------------------------------------------------------


def test_the_90_day_reminder_is_sent_once(provider):
    registration = registration_expiring_in(provider, 90)
    output = run(START)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rj-contracts@kent-pcc.example.org"]
    assert "Kent RJ Service" in message.subject
    assert "expires in 90 days" in message.subject
    assert "expires on 31 May 2026, in 90 days" in message.body
    assert "Kent" in message.body
    assert steps_recorded(registration) == [90]
    assert AccreditationReminder.objects.get().recipients == 1
    assert "Sent the 90-day reminder for Kent RJ Service" in output
    assert "Sent 1 reminder(s) in 1 email(s) to 1 address(es)" in output

    output = run(START)  # again the same day
    assert len(mail.outbox) == 1
    assert "Sent 0 reminder(s)" in output
    run(START + timedelta(days=1))  # and the next day, 89 days left
    assert len(mail.outbox) == 1
    assert steps_recorded(registration) == [90]


def test_nothing_is_sent_with_91_days_left(provider):
    registration = registration_expiring_in(provider, 91)
    run(START)
    assert mail.outbox == []
    assert steps_recorded(registration) == []
    run(START + timedelta(days=1))
    assert len(mail.outbox) == 1


def test_the_30_day_reminder_follows_once(provider):
    registration = registration_expiring_in(provider, 90)
    run(START)
    run(START + timedelta(days=59))  # 31 days left
    assert len(mail.outbox) == 1
    run(START + timedelta(days=60))  # 30 days left
    assert len(mail.outbox) == 2
    assert "expires in 30 days" in mail.outbox[1].subject
    assert "This is the 30-day reminder." in mail.outbox[1].body
    run(START + timedelta(days=60))
    run(START + timedelta(days=61))
    run(START + timedelta(days=90))  # the expiry date itself
    run(START + timedelta(days=100))  # expired
    assert len(mail.outbox) == 2
    assert steps_recorded(registration) == [30, 90]


def test_a_registration_first_seen_with_20_days_left_gets_the_30_day_reminder_only(provider):
    registration = registration_expiring_in(provider, 20)
    run(START)
    assert len(mail.outbox) == 1
    assert "expires in 20 days" in mail.outbox[0].subject
    assert "This is the 30-day reminder." in mail.outbox[0].body
    assert steps_recorded(registration) == [30, 90]
    assert registration.reminders.get(days_before=90).recipients == 0  # passed, never sent
    run(START)
    run(START + timedelta(days=1))
    assert len(mail.outbox) == 1


def test_a_missed_run_sends_the_step_late_but_once(provider):
    """Cron did not run on the 90th day: the next run sends the 90-day reminder, once."""
    registration = registration_expiring_in(provider, 85)
    run(START)
    run(START)
    assert len(mail.outbox) == 1
    assert "expires in 85 days" in mail.outbox[0].subject
    assert steps_recorded(registration) == [90]


def test_a_registration_expiring_today_still_gets_the_30_day_reminder(provider):
    registration_expiring_in(provider, 0)
    run(START)
    assert len(mail.outbox) == 1
    assert "expires today" in mail.outbox[0].subject


def test_nothing_is_sent_once_expired(provider):
    registration = registration_expiring_in(provider, -1)
    run(START)
    assert mail.outbox == []
    assert steps_recorded(registration) == []


# Which registrations and providers --------------------------------------------------------


def test_a_superseded_registration_triggers_nothing(provider):
    old = registration_expiring_in(provider, 30, certificate_reference="OLD")
    ProviderRegistrationFactory(
        provider=provider, awarded_on=date(2026, 2, 1), expires_on=date(2029, 1, 31), certificate_reference="NEW"
    )
    run(START)
    assert mail.outbox == []
    assert not AccreditationReminder.objects.exists()
    assert steps_recorded(old) == []


def test_renewal_stops_the_reminders_of_the_old_registration(provider):
    old = registration_expiring_in(provider, 90)
    run(START)
    ProviderRegistrationFactory(provider=provider, awarded_on=START, expires_on=date(2029, 3, 1))
    run(START + timedelta(days=60))
    assert len(mail.outbox) == 1
    assert steps_recorded(old) == [90]


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2024, 4, 1), START - timedelta(days=1)),  # ended yesterday
        (START + timedelta(days=1), None),  # starts tomorrow
    ],
)
def test_no_reminder_without_a_contract_running_today(office, starts_on, ends_on):
    provider = ProviderFactory()
    CommissionFactory(commissioner=office, provider=provider, starts_on=starts_on, ends_on=ends_on)
    registration_expiring_in(provider, 30)
    registration_expiring_in(ProviderFactory(), 30)  # never commissioned
    run(START)
    assert mail.outbox == []
    assert not AccreditationReminder.objects.exists()


def test_a_contract_ending_today_still_counts(office):
    provider = ProviderFactory()
    CommissionFactory(commissioner=office, provider=provider, starts_on=date(2024, 4, 1), ends_on=START)
    registration_expiring_in(provider, 30)
    run(START)
    assert len(mail.outbox) == 1


# Who is told ------------------------------------------------------------------------------


def test_an_office_without_a_shared_address_is_told_through_its_active_staff(provider, office):
    office.email = ""
    office.save()
    PccStaffFactory(email="b.staff@kent-pcc.example.org", organisation=office)
    PccStaffFactory(email="a.staff@kent-pcc.example.org", organisation=office)
    PccStaffFactory(email="gone@kent-pcc.example.org", organisation=office, is_active=False)
    PccStaffFactory(email="essex@essex-pcc.example.org", organisation__areas=[area(ESSEX)])
    ProviderStaffFactory(email="provider@example.org", organisation=provider)
    registration = registration_expiring_in(provider, 90)
    output = run(START)
    # One email each, so that staff do not see each other's addresses.
    assert [message.to for message in mail.outbox] == [
        ["a.staff@kent-pcc.example.org"],
        ["b.staff@kent-pcc.example.org"],
    ]
    assert registration.reminders.get().recipients == 2
    assert "Sent 1 reminder(s) in 2 email(s) to 2 address(es)" in output


def test_each_commissioning_office_is_told_separately(provider):
    essex = PccOfficeFactory(name="Essex PCC office", email="rj@essex-pcc.example.org", areas=[area(ESSEX)])
    CommissionFactory(commissioner=essex, provider=provider, areas=[area(ESSEX)])
    ended = PccOfficeFactory(name="Former office", email="rj@former.example.org", areas=[area(ESSEX)])
    CommissionFactory(commissioner=ended, provider=provider, starts_on=date(2020, 1, 1), ends_on=date(2025, 1, 1))
    registration_expiring_in(provider, 30)
    run(START)
    assert sorted(tuple(message.to) for message in mail.outbox) == [
        ("rj-contracts@kent-pcc.example.org",),
        ("rj@essex-pcc.example.org",),
    ]
    essex_mail = next(message for message in mail.outbox if message.to == ["rj@essex-pcc.example.org"])
    assert "Hello Essex PCC office" in essex_mail.body
    assert "running today for Essex." in essex_mail.body
    assert AccreditationReminder.objects.get(days_before=30).recipients == 2


def test_an_office_nobody_can_hear_is_tried_again_later(provider, office):
    office.email = ""
    office.save()
    registration_expiring_in(provider, 90)
    output = run(START)
    assert mail.outbox == []
    assert "Nobody to tell about Kent RJ Service" in output
    assert not AccreditationReminder.objects.exists()
    PccStaffFactory(email="new.starter@kent-pcc.example.org", organisation=office)
    run(START + timedelta(days=1))
    assert [message.to for message in mail.outbox] == [["new.starter@kent-pcc.example.org"]]


# Dry run, audit, link, failures -----------------------------------------------------------


def test_a_dry_run_sends_and_records_nothing(provider):
    registration_expiring_in(provider, 90)
    output = run(START, "--dry-run")
    assert mail.outbox == []
    assert not AccreditationReminder.objects.exists()
    assert not AuditEvent.objects.exists()
    assert "Would send the 90-day reminder for Kent RJ Service" in output
    assert "Would send 1 reminder(s)" in output
    assert "Dry run: nothing was sent or recorded." in output
    run(START)
    assert len(mail.outbox) == 1


def test_a_run_that_sends_is_audited(provider):
    registration = registration_expiring_in(provider, 90)
    run(START)
    event = AuditEvent.objects.get()
    assert event.action == "create"
    assert event.actor is None
    assert "sent 1 reminder(s) in 1 email(s) to 1 address(es)" in event.summary
    assert event.changes["reminders"] == [
        {
            "provider": "Kent RJ Service",
            "registration": registration.pk,
            "days_before": 90,
            "expires_on": "2026-05-31",
            "offices": ["Kent PCC office"],
        }
    ]
    run(START)
    assert AuditEvent.objects.count() == 1  # a run that sends nothing writes nothing


def test_the_email_links_to_the_accreditation_page_when_given_the_sites_address(provider):
    registration_expiring_in(provider, 90)
    run(START, "--site-url", "https://rjportal.example.org/")
    assert "https://rjportal.example.org/strategy/accreditation/" in mail.outbox[0].body


def test_a_mail_failure_records_nothing_so_the_next_run_tries_again(provider):
    registration = registration_expiring_in(provider, 90)
    refused = mock.patch("strategy.services.send_mail", side_effect=OSError("connection refused"))
    with refused, pytest.raises(CommandError, match="1 reminder"):
        run(START)
    assert steps_recorded(registration) == []
    assert not AuditEvent.objects.exists()
    run(START)
    assert len(mail.outbox) == 1
    assert steps_recorded(registration) == [90]


def test_the_service_reports_what_it_sent(provider):
    registration_expiring_in(provider, 30)
    result = accreditation_reminders_send(today=START)
    assert [(notice.registration.provider.name, notice.days_before, notice.days_left) for notice in result.sent] == [
        ("Kent RJ Service", 30, 30)
    ]
    assert (result.emails, result.addresses) == (1, 1)
    assert accreditation_reminders_send(today=START).sent == []
