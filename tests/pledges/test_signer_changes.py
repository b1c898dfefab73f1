"""Signers hear from the moderators (published, or rejected with the reason) and can change
their own details through a single-use, expiring link; a change goes back to moderation."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from pledges.constants import PledgeRole, PledgeStatus
from pledges.models import Pledge
from pledges.services import pledge_change_request, pledge_publish, pledge_reject
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, area

from .factories import CampaignFactory, PledgeFactory, PublishedPledgeFactory

pytestmark = pytest.mark.django_db

CHANGE_REQUEST = reverse("pledges:change_request")
SITE = "http://testserver/"


@pytest.fixture(autouse=True)
def during_the_campaign():
    # The factories' campaign is open from 1 March to 30 April 2026.
    with time_machine.travel(date(2026, 3, 20), tick=False) as traveller:
        yield traveller


@pytest.fixture
def pledge():
    return PublishedPledgeFactory(name="Alex Example", email="alex@example.org", party="Green")


def change_link(message) -> str:
    return re.search(r"http://testserver(/pledges/change/\S+/)", message.body).group(1)


def ask_for_link(client, email="alex@example.org"):
    return client.post(CHANGE_REQUEST, {"email": email})


def new_details(**changes):
    return {
        "name": "Alex Q. Example",
        "role": PledgeRole.PCC,
        "party": "Green",
        "area": area(ESSEX).pk,
        "statement": "RJ works.",
        "consent_to_publish": "on",
        **changes,
    }


# Moderators' decisions ----------------------------------------------------------------------


def test_publishing_emails_the_signer(moderator_user):
    pledge = PledgeFactory(name="Sam Signer", email="sam@example.org")
    pledge_publish(actor=moderator_user, pledge=pledge, site_url=SITE)
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert "published" in message.subject
    assert f"http://testserver/pledges/area/{pledge.area.code}/" in message.body


def test_rejecting_emails_the_signer_the_reason(client, moderator_user):
    pledge = PledgeFactory(name="Sam Signer", email="sam@example.org")
    client.force_login(moderator_user)
    url = reverse("pledges:reject", kwargs={"pk": pledge.pk})
    client.post(url, {"reason": "The statement names a victim."})
    client.post(url, {"reason": "The statement names a victim.", "confirm": "yes"})
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.REJECTED
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert "The statement names a victim." in message.body
    assert "http://testserver/pledges/change/" in message.body


def test_imported_pledges_have_nobody_to_email(moderator_user):
    pledge = PledgeFactory(email="")
    pledge_reject(actor=moderator_user, pledge=pledge, reason="Duplicate", site_url=SITE)
    assert mail.outbox == []


# Asking for a link ------------------------------------------------------------------------


def test_the_page_says_the_same_whether_or_not_the_address_signed(client, pledge):
    signed = ask_for_link(client)
    unknown = ask_for_link(client, "nobody@example.org")
    assert signed.url == unknown.url == reverse("pledges:change_request_sent")
    assert [message.to for message in mail.outbox] == [["alex@example.org"]]
    assert "If that email address has signed" in client.get(signed.url).content.decode()


def test_no_link_for_a_closed_campaign_or_a_withdrawn_pledge(client):
    closed = CampaignFactory(opens_on=date(2025, 1, 1), closes_on=date(2025, 2, 1), election_date=date(2025, 5, 1))
    PledgeFactory(campaign=closed, email="old@example.org")
    PledgeFactory(email="gone@example.org", status=PledgeStatus.WITHDRAWN)
    ask_for_link(client, "old@example.org")
    ask_for_link(client, "gone@example.org")
    assert mail.outbox == []


def test_asking_is_rate_limited(pledge):
    sent = [pledge_change_request(email="alex@example.org", ip_address="203.0.113.9", site_url=SITE) for _ in range(5)]
    assert sent == [1, 1, 1, 0, 0]
    assert len(mail.outbox) == 3


def test_the_request_page_is_public_and_checks_the_address(client):
    response = client.post(CHANGE_REQUEST, {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()
    assert "<title>Error: " in response.content.decode()


# Changing the details ----------------------------------------------------------------------


def test_a_change_goes_back_to_moderation_and_the_link_works_once(client, pledge):
    ask_for_link(client)
    link = change_link(mail.outbox[0])
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["form"].initial["name"] == "Alex Example"

    response = client.post(link, new_details())
    assert response.url == reverse("pledges:change_done")
    pledge.refresh_from_db()
    assert (pledge.name, pledge.role, pledge.area.code, pledge.statement) == (
        "Alex Q. Example",
        PledgeRole.PCC,
        ESSEX,
        "RJ works.",
    )
    assert pledge.status == PledgeStatus.VERIFIED
    assert pledge.published_at is None
    assert not Pledge.objects.published().filter(pk=pledge.pk).exists()
    event = AuditEvent.objects.for_target(pledge).order_by("-pk").first()
    assert event.actor is None
    assert event.changes["status"] == {"from": "published", "to": "verified"}
    assert event.changes["name"] == {"from": "Alex Example", "to": "Alex Q. Example"}

    response = client.post(link, new_details(name="Again"))
    assert response.status_code == 410
    pledge.refresh_from_db()
    assert pledge.name == "Alex Q. Example"


def test_a_rejected_pledge_can_be_put_right(client, moderator_user):
    pledge = PledgeFactory(email="alex@example.org")
    pledge_reject(actor=moderator_user, pledge=pledge, reason="Statement too long", site_url=SITE)
    ask_for_link(client)
    client.post(change_link(mail.outbox[-1]), new_details(statement="Short"))
    pledge.refresh_from_db()
    assert (pledge.status, pledge.rejection_reason, pledge.statement) == (PledgeStatus.VERIFIED, "", "Short")


def test_a_newer_link_replaces_the_older_one(client, pledge):
    ask_for_link(client)
    ask_for_link(client)
    first, second = (change_link(message) for message in mail.outbox)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_the_link_expires(client, pledge, during_the_campaign):
    ask_for_link(client)
    link = change_link(mail.outbox[0])
    during_the_campaign.shift(timedelta(days=3, minutes=1))
    response = client.get(link)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_a_tampered_link_does_not_work(client, pledge):
    ask_for_link(client)
    link = change_link(mail.outbox[0])
    assert client.get(link[:-3] + "xx/").status_code == 400


def test_a_confirmation_link_cannot_change_a_pledge_nor_a_change_link_confirm_one(client, pledge):
    ask_for_link(client)
    token = change_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert client.post(reverse("pledges:confirm", kwargs={"token": token})).status_code == 400
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PUBLISHED


def test_bad_details_are_refused_on_the_field(client, pledge):
    ask_for_link(client)
    link = change_link(mail.outbox[0])
    response = client.post(link, new_details(name=""))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Enter your full name"]
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PUBLISHED
    assert client.get(link).status_code == 200  # not used up


def test_signing_again_after_confirming_offers_the_change_link(client, pledge):
    from pledges.services import pledge_sign

    pledge_sign(
        campaign=pledge.campaign,
        name="Alex Example",
        role=PledgeRole.CANDIDATE,
        party="",
        area=pledge.area,
        email="alex@example.org",
        consent_to_publish=True,
        ip_address="203.0.113.1",
        site_url=SITE,
    )
    [message] = mail.outbox
    assert "http://testserver/pledges/change/" in message.body
