"""Public signup: the form, email verification (only a POST confirms), tokens that expire and
work once, duplicates, rate limits and the honeypot."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse

from pledges.constants import SIGNUPS_PER_EMAIL_PER_DAY, SIGNUPS_PER_IP_PER_HOUR, PledgeStatus
from pledges.models import Pledge, SignupAttempt
from pledges.tokens import make_token
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, KENT, area

from .factories import CampaignFactory, PledgeFactory

LONDON = ZoneInfo("Europe/London")
DURING_CAMPAIGN = datetime.datetime(2026, 3, 15, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def during_campaign():
    with time_machine.travel(DURING_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaign(db):
    return CampaignFactory(title="2026 elections")


def form_data(**overrides):
    data = {
        "name": "Alex Example",
        "role": "candidate",
        "party": "",
        "area": area(KENT).pk,
        "email": "alex@example.org",
        "statement": "RJ works.",
        "consent_to_publish": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def sign(client, campaign, **overrides):
    return client.post(reverse("pledges:sign"), {"campaign": campaign.pk, **form_data(**overrides)})


def link_in(message) -> str:
    return re.search(r"https?://\S+/pledges/confirm/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.mark.parametrize("persona", ["anonymous", "admin", "pcc", "provider", "moderator"], indirect=True)
def test_anyone_can_see_the_sign_form(client, campaign, persona):
    if persona:
        client.force_login(persona)
    response = client.get(reverse("pledges:sign"))
    assert response.status_code == 200
    assert "Sign the RJ pledge: 2026 elections" in response.text
    assert campaign.pledge_text in response.text
    # The honeypot is out of sight and out of the tab order.
    assert re.search(r'<div hidden aria-hidden="true">\s*<label for="id_website">Leave this empty', response.text)
    assert 'tabindex="-1"' in response.text


def test_sign_form_says_when_no_campaign_is_open(client, db):
    CampaignFactory(opens_on=datetime.date(2025, 1, 1), closes_on=datetime.date(2025, 2, 1))
    response = client.get(reverse("pledges:sign"))
    assert response.status_code == 200
    assert "Signing is closed" in response.text


def test_signing_creates_an_unconfirmed_pledge_and_sends_a_link(client, campaign):
    response = sign(client, campaign)
    assert response.status_code == 302
    assert response.url == reverse("pledges:check_email")
    pledge = Pledge.objects.get()
    assert pledge.status == PledgeStatus.UNVERIFIED
    assert pledge.party == "Independent"
    assert pledge.text_signed == campaign.pledge_text
    assert pledge.signup_ip_hash and "127.0.0.1" not in pledge.signup_ip_hash
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alex@example.org"]
    assert "/pledges/confirm/" in mail.outbox[0].body
    event = AuditEvent.objects.get(target_id=str(pledge.pk))
    assert event.actor is None and "by the signer" in event.summary
    assert client.get(response.url).status_code == 200


def test_the_signed_text_is_kept_when_the_campaign_wording_changes(client, campaign):
    sign(client, campaign)
    campaign.pledge_text = "New wording."
    campaign.save()
    assert Pledge.objects.get().text_signed != "New wording."


def test_errors_are_shown_in_govuk_style(client, campaign):
    response = sign(client, campaign, name="", email="not-an-email", role=None, statement="x" * 501)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter your full name" in response.text
    assert "Enter an email address in the correct format, like name@example.com" in response.text
    assert "Select your role" in response.text
    assert "Your statement must be 500 characters or fewer" in response.text
    assert Pledge.objects.count() == 0


def test_a_get_of_the_link_does_not_confirm(client, campaign):
    sign(client, campaign)
    url = path_of(link_in(mail.outbox[0]))
    response = client.get(url)
    assert response.status_code == 200
    assert "Confirm your pledge" in response.text
    assert "Alex Example" in response.text
    assert Pledge.objects.get().status == PledgeStatus.UNVERIFIED
    # Again, as a second scanner would.
    client.get(url)
    assert Pledge.objects.get().status == PledgeStatus.UNVERIFIED


def test_the_post_confirms_and_the_link_then_stops_working(client, campaign):
    sign(client, campaign)
    url = path_of(link_in(mail.outbox[0]))
    response = client.post(url)
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.status == PledgeStatus.VERIFIED
    assert pledge.verified_at is not None
    assert "Pledge confirmed" in client.get(response.url).text
    assert AuditEvent.objects.filter(target_id=str(pledge.pk), summary__contains="confirmed by the signer").exists()

    reused = client.post(url)
    assert reused.status_code == 410
    assert "This link has already been used" in reused.text
    assert client.get(url).status_code == 410


def test_an_expired_link_is_refused(client, campaign, during_campaign):
    sign(client, campaign)
    url = path_of(link_in(mail.outbox[0]))
    during_campaign.shift(datetime.timedelta(days=3, minutes=1))
    response = client.post(url)
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert Pledge.objects.get().status == PledgeStatus.UNVERIFIED


def test_a_link_still_works_just_before_it_expires(client, campaign, during_campaign):
    sign(client, campaign)
    url = path_of(link_in(mail.outbox[0]))
    during_campaign.shift(datetime.timedelta(days=2, hours=23))
    assert client.post(url).status_code == 302


def test_the_expiry_can_be_set(client, campaign, during_campaign, settings):
    settings.PLEDGE_VERIFICATION_MAX_AGE = 60
    sign(client, campaign)
    url = path_of(link_in(mail.outbox[0]))
    during_campaign.shift(datetime.timedelta(seconds=61))
    assert client.post(url).status_code == 410


TAMPERED_TOKENS = {
    "nonsense": lambda: "nonsense",
    "forged-signature": lambda: "eyJwIjoxLCJuIjoiYSJ9:1tAAAA:forged-signature",
    "signed-for-another-purpose": lambda: signing.TimestampSigner(salt="another-purpose").sign_object(
        {"p": 1, "n": "x"}
    ),
}


# Tokens are made inside the test: one made at collection carries a time stamp, and parallel
# test workers must collect identical test ids.
@pytest.mark.parametrize("kind", TAMPERED_TOKENS)
def test_a_tampered_link_is_refused_without_an_error(client, campaign, kind):
    token = TAMPERED_TOKENS[kind]()
    sign(client, campaign)
    for response in (client.get(f"/pledges/confirm/{token}/"), client.post(f"/pledges/confirm/{token}/")):
        assert response.status_code == 400
        assert "This link does not work" in response.text
    assert Pledge.objects.get().status == PledgeStatus.UNVERIFIED


def test_a_token_for_another_pledge_id_is_refused(client, campaign):
    sign(client, campaign)
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    value, _timestamp, _signature = token.rsplit(":", 2)
    edited = signing.b64_encode(b'{"p":999,"n":"x"}').decode()
    response = client.post(f"/pledges/confirm/{token.replace(value, edited)}/")
    assert response.status_code == 400


def test_signing_again_before_confirming_resends_rather_than_duplicates(client, campaign):
    sign(client, campaign)
    first_link = path_of(link_in(mail.outbox[0]))
    response = sign(client, campaign, email="ALEX@example.org", name="Alex Q. Example")
    assert response.status_code == 302
    assert Pledge.objects.count() == 1
    assert Pledge.objects.get().name == "Alex Q. Example"
    assert len(mail.outbox) == 2
    # Only the newest link confirms, so what is confirmed is what was last signed.
    assert client.post(first_link).status_code == 410
    assert client.post(path_of(link_in(mail.outbox[1]))).status_code == 302
    assert Pledge.objects.get().status == PledgeStatus.VERIFIED


def test_signing_again_after_confirming_changes_nothing_and_says_so_by_email(client, campaign, settings):
    settings.PLEDGE_CONTACT_EMAIL = "pledges@example.org"
    pledge = PledgeFactory(campaign=campaign, email="alex@example.org", name="Original")
    response = sign(client, campaign, name="Impostor")
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.name == "Original"
    assert pledge.status == PledgeStatus.VERIFIED
    assert Pledge.objects.count() == 1
    assert "already signed" in mail.outbox[0].subject
    assert "/pledges/confirm/" not in mail.outbox[0].body
    assert "email the RJ pledge team at pledges@example.org" in mail.outbox[0].body


def test_the_same_email_can_sign_a_different_campaign(client, campaign):
    other = CampaignFactory(title="Other")
    PledgeFactory(campaign=other, email="alex@example.org")
    sign(client, campaign)
    assert Pledge.objects.count() == 2


def test_the_honeypot_pretends_success_and_does_nothing(client, campaign):
    response = sign(client, campaign, website="http://spam.example")
    assert response.status_code == 302
    assert response.url == reverse("pledges:check_email")
    assert Pledge.objects.count() == 0
    assert SignupAttempt.objects.count() == 0
    assert mail.outbox == []


def test_signups_per_ip_address_are_limited(client, campaign):
    for number in range(SIGNUPS_PER_IP_PER_HOUR):
        assert sign(client, campaign, email=f"person{number}@example.org").status_code == 302
    response = sign(client, campaign, email="one-more@example.org")
    assert response.status_code == 429
    assert "too many signups from your internet connection" in response.text
    assert Pledge.objects.count() == SIGNUPS_PER_IP_PER_HOUR


def test_the_ip_limit_lifts_after_an_hour(client, campaign, during_campaign):
    for number in range(SIGNUPS_PER_IP_PER_HOUR):
        sign(client, campaign, email=f"person{number}@example.org")
    during_campaign.shift(datetime.timedelta(hours=1, seconds=1))
    assert sign(client, campaign, email="one-more@example.org").status_code == 302


def test_signups_per_email_are_limited(client, campaign):
    for number in range(SIGNUPS_PER_EMAIL_PER_DAY):
        response = client.post(
            reverse("pledges:sign"), {"campaign": campaign.pk, **form_data()}, REMOTE_ADDR=f"10.0.0.{number}"
        )
        assert response.status_code == 302
    response = client.post(reverse("pledges:sign"), {"campaign": campaign.pk, **form_data()}, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429
    assert "This email address has been used to sign too many times today" in response.text
    assert len(mail.outbox) == SIGNUPS_PER_EMAIL_PER_DAY


def test_raw_ip_addresses_are_never_stored(client, campaign):
    client.post(reverse("pledges:sign"), {"campaign": campaign.pk, **form_data()}, REMOTE_ADDR="203.0.113.7")
    attempt = SignupAttempt.objects.get()
    assert "203.0.113.7" not in attempt.ip_hash
    assert "alex" not in attempt.email_hash
    assert "203.0.113.7" not in Pledge.objects.get().signup_ip_hash


def test_a_token_made_for_a_pledge_confirms_only_that_pledge(client, campaign):
    pledge = PledgeFactory(
        campaign=campaign, status=PledgeStatus.UNVERIFIED, verification_nonce="abc", verified_at=None
    )
    other = PledgeFactory(campaign=campaign, status=PledgeStatus.UNVERIFIED, verification_nonce="def", verified_at=None)
    assert client.post(reverse("pledges:confirm", kwargs={"token": make_token(pledge)})).status_code == 302
    other.refresh_from_db()
    assert other.status == PledgeStatus.UNVERIFIED


def test_an_essex_signer_can_choose_essex(client, campaign):
    sign(client, campaign, area=area(ESSEX).pk)
    assert Pledge.objects.get().area.code == ESSEX
