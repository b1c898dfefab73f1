"""Moderation: who may, the queue, and publish / reject / correct / withdraw, each checked
on a confirmation page and audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from pledges.constants import PledgeStatus
from pledges.services import pledge_publish, pledge_reject
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent

from .factories import PledgeFactory, PublishedPledgeFactory


@pytest.fixture
def pledge(db):
    return PledgeFactory(name="Alex Example", email="alex@example.org")


def urls(pledge):
    return [
        reverse("pledges:moderation"),
        reverse("pledges:moderation_detail", kwargs={"pk": pledge.pk}),
        reverse("pledges:publish", kwargs={"pk": pledge.pk}),
        reverse("pledges:reject", kwargs={"pk": pledge.pk}),
        reverse("pledges:correct", kwargs={"pk": pledge.pk}),
        reverse("pledges:withdraw", kwargs={"pk": pledge.pk}),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, pledge):
    for url in [*urls(pledge), reverse("pledges:import")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    client.post(reverse("pledges:publish", kwargs={"pk": pledge.pk}))
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.VERIFIED


@pytest.mark.parametrize("persona", ["pcc", "provider"], indirect=True)
def test_other_staff_are_forbidden(client, pledge, persona):
    client.force_login(persona)
    for url in urls(pledge):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("pledges:publish", kwargs={"pk": pledge.pk})).status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.VERIFIED


@pytest.mark.parametrize("persona", ["moderator", "admin"], indirect=True)
def test_moderators_and_admins_see_every_page(client, pledge, persona):
    client.force_login(persona)
    for url in urls(pledge):
        assert client.get(url).status_code == 200, url


def test_queue_lists_pledges_awaiting_review(client, moderator_user, pledge):
    PublishedPledgeFactory(name="Already Published")
    PledgeFactory(name="Not Confirmed", status=PledgeStatus.UNVERIFIED, verified_at=None)
    client.force_login(moderator_user)
    response = client.get(reverse("pledges:moderation"))
    assert [p.name for p in response.context["pledges"]] == ["Alex Example"]
    published = client.get(reverse("pledges:moderation"), {"status": "published"})
    assert [p.name for p in published.context["pledges"]] == ["Already Published"]


def test_queue_is_paginated(client, moderator_user, db):
    PledgeFactory.create_batch(51)
    client.force_login(moderator_user)
    response = client.get(reverse("pledges:moderation"))
    assert len(response.context["pledges"]) == 50
    assert client.get(reverse("pledges:moderation"), {"page": 2}).context["pledges"].number == 2


def test_detail_shows_the_email_to_moderators(client, moderator_user, pledge):
    client.force_login(moderator_user)
    assert "alex@example.org" in client.get(pledge.get_absolute_url()).text


def test_publish_asks_first_then_publishes_and_audits(client, moderator_user, pledge):
    client.force_login(moderator_user)
    url = reverse("pledges:publish", kwargs={"pk": pledge.pk})
    page = client.get(url)
    assert "Publish the pledge of Alex Example?" in page.text
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.VERIFIED
    response = client.post(url)
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PUBLISHED
    assert pledge.published_at is not None
    event = AuditEvent.objects.get(target_id=str(pledge.pk), action=AuditAction.TRANSITION)
    assert event.actor == moderator_user
    assert "Published the pledge of Alex Example" in event.summary


def test_a_pledge_without_consent_cannot_be_published(client, moderator_user, db):
    pledge = PledgeFactory(consent_to_publish=False)
    client.force_login(moderator_user)
    assert "cannot be published" in client.get(pledge.get_absolute_url()).text
    response = client.post(reverse("pledges:publish", kwargs={"pk": pledge.pk}), follow=True)
    assert "did not consent" in response.text
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.VERIFIED


def test_reject_needs_a_reason_then_a_check(client, moderator_user, pledge):
    client.force_login(moderator_user)
    url = reverse("pledges:reject", kwargs={"pk": pledge.pk})
    empty = client.post(url, {"reason": ""})
    assert "Enter the reason for rejecting this pledge" in empty.text
    check = client.post(url, {"reason": "Not a candidate"})
    assert "Check before you reject" in check.text
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.VERIFIED
    client.post(url, {"reason": "Not a candidate", "confirm": "yes"})
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.REJECTED
    assert pledge.rejection_reason == "Not a candidate"
    assert AuditEvent.objects.filter(target_id=str(pledge.pk), summary__contains="Not a candidate").exists()


def test_correct_typos_with_a_check(client, moderator_user, db):
    pledge = PublishedPledgeFactory(name="Alx Exmple", party="Gren")
    client.force_login(moderator_user)
    url = reverse("pledges:correct", kwargs={"pk": pledge.pk})
    data = {"name": "Alex Example", "party": "Green", "statement": ""}
    check = client.post(url, data)
    assert "Check your corrections" in check.text
    pledge.refresh_from_db()
    assert pledge.name == "Alx Exmple"
    client.post(url, {**data, "confirm": "yes"})
    pledge.refresh_from_db()
    assert (pledge.name, pledge.party, pledge.status) == ("Alex Example", "Green", PledgeStatus.PUBLISHED)
    event = AuditEvent.objects.get(target_id=str(pledge.pk), action=AuditAction.UPDATE)
    assert event.changes["name"] == {"from": "Alx Exmple", "to": "Alex Example"}


def test_withdraw_at_the_signers_request(client, moderator_user, db):
    pledge = PublishedPledgeFactory()
    client.force_login(moderator_user)
    url = reverse("pledges:withdraw", kwargs={"pk": pledge.pk})
    assert "Only do this when the signer asks" in client.get(url).text
    client.post(url, {"note": "Email of 3 March"}, follow=True)
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.WITHDRAWN
    assert AuditEvent.objects.filter(target_id=str(pledge.pk), summary__contains="Email of 3 March").exists()
    assert pledge.name not in client.get(reverse("pledges:register")).text


def test_services_check_the_actor(pledge, pcc_user):
    with pytest.raises(PermissionDenied):
        pledge_publish(actor=pcc_user, pledge=pledge)
    with pytest.raises(PermissionDenied):
        pledge_publish(actor=None, pledge=pledge)


def test_only_confirmed_pledges_can_be_published(moderator_user, db):
    pledge = PledgeFactory(status=PledgeStatus.UNVERIFIED, verified_at=None)
    with pytest.raises(ValidationError):
        pledge_publish(actor=moderator_user, pledge=pledge)


def test_service_refuses_a_blank_reason(moderator_user, pledge):
    with pytest.raises(ValidationError):
        pledge_reject(actor=moderator_user, pledge=pledge, reason="   ")


def test_database_requires_a_reason_for_rejection(pledge):
    pledge.status = PledgeStatus.REJECTED
    with pytest.raises(IntegrityError), transaction.atomic():
        pledge.save()


def test_database_requires_consent_for_publication(db):
    pledge = PledgeFactory(consent_to_publish=False)
    pledge.status = PledgeStatus.PUBLISHED
    with pytest.raises(IntegrityError), transaction.atomic():
        pledge.save()


def test_database_allows_one_pledge_per_email_and_campaign(pledge):
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgeFactory(campaign=pledge.campaign, email="ALEX@example.org")
    # Blank emails (imported or purged pledges) do not clash.
    PledgeFactory(campaign=pledge.campaign, email="")
    PledgeFactory(campaign=pledge.campaign, email="")
