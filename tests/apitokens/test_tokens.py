"""API tokens: provider staff create, list and revoke their organisation's tokens; only the
secret's hash is stored; administrators list and revoke anyone's but hold none."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from rjportal.apitokens.models import ApiToken, token_digest
from rjportal.apitokens.services import api_token_create, api_token_revoke
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, ProviderStaffFactory, area

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 2, 2, 12, 0, tzinfo=LONDON)
LIST = reverse("apitokens:list")
CREATE = reverse("apitokens:create")


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def colleague(provider_user):
    """Another member of staff of the same RJ provider."""
    return ProviderStaffFactory(email="colleague@example.org", organisation=provider_user.organisation)


@pytest.fixture
def other_provider_user(db):
    return ProviderStaffFactory(email="provider.essex@example.org", organisation__areas=[area(ESSEX)])


def revoke_url(token):
    return reverse("apitokens:revoke", kwargs={"pk": token.pk})


def make_token(user, name="Case system", days=90):
    return api_token_create(actor=user, name=name, expires_in_days=days)


# Who may use the pages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "list_status", "create_status"),
    [("provider", 200, 200), ("admin", 200, 403), ("pcc", 403, 403), ("moderator", 403, 403)],
    indirect=["persona"],
)
def test_who_may_list_and_create(client, persona, list_status, create_status):
    client.force_login(persona)
    assert client.get(LIST).status_code == list_status
    assert client.get(CREATE).status_code == create_status
    response = client.post(CREATE, {"name": "Case system", "expires_in_days": "90"})
    assert response.status_code == create_status
    assert ApiToken.objects.exists() == (create_status == 200)


@pytest.mark.parametrize(("persona", "status"), [("pcc", 403), ("moderator", 403)], indirect=["persona"])
def test_other_roles_cannot_revoke(client, persona, status, provider_user):
    token, _ = make_token(provider_user)
    client.force_login(persona)
    assert client.get(revoke_url(token)).status_code == status
    assert client.post(revoke_url(token)).status_code == status
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (LIST, CREATE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# Creating --------------------------------------------------------------------------------


def test_a_provider_creates_a_token_and_sees_the_secret_once(client, provider_user):
    client.force_login(provider_user)
    response = client.post(CREATE, {"name": "  Case system  ", "expires_in_days": "30"})

    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "Copy the token now" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert (token.name, token.user, token.organisation) == ("Case system", provider_user, provider_user.organisation)
    assert token.expires_at == NOW + datetime.timedelta(days=30)
    assert token.key_prefix == secret[:8]
    assert token.key_hash == token_digest(secret)
    # The secret itself is nowhere in the row.
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    # The list shows the prefix, never the secret.
    page = client.get(LIST).content.decode()
    assert token.key_prefix in page
    assert secret not in page


def test_creating_is_audited_without_the_secret(provider_user):
    token, secret = make_token(provider_user)
    [event] = AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(token.pk))
    assert event.actor == provider_user
    assert "Case system" in event.summary
    assert secret not in event.summary
    assert secret not in str(event.changes)


def test_expiry_defaults_to_90_days_on_the_form(client, provider_user):
    client.force_login(provider_user)
    assert client.get(CREATE).context["form"]["expires_in_days"].value() == 90


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "expires_in_days": "90"}, "name", "Enter a name for the token"),
        ({"name": "x" * 101, "expires_in_days": "90"}, "name", "The name must be 100 characters or fewer"),
        ({"name": "Case system", "expires_in_days": "3650"}, "expires_in_days", "Select when the token expires"),
        ({"name": "Case system"}, "expires_in_days", "Select when the token expires"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, provider_user, data, field, message):
    client.force_login(provider_user)
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "<title>Error: " in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_name_in_use_in_the_organisation_is_refused_until_that_token_is_revoked(client, provider_user, colleague):
    first, _ = make_token(colleague, name="Case system")
    client.force_login(provider_user)
    response = client.post(CREATE, {"name": "CASE SYSTEM", "expires_in_days": "90"})
    assert "already has a token with this name" in response.context["form"].errors["name"][0]
    assert ApiToken.objects.count() == 1

    api_token_revoke(actor=colleague, token=first)
    response = client.post(CREATE, {"name": "CASE SYSTEM", "expires_in_days": "90"})
    assert response.status_code == 200
    assert ApiToken.objects.count() == 2


def test_another_organisation_may_use_the_same_name(provider_user, other_provider_user):
    make_token(provider_user, name="Case system")
    make_token(other_provider_user, name="Case system")
    assert ApiToken.objects.count() == 2


@pytest.mark.parametrize("persona", ["admin", "pcc", "moderator"], indirect=True)
def test_the_service_refuses_anyone_but_provider_staff(persona):
    with pytest.raises(PermissionDenied):
        make_token(persona)
    assert not ApiToken.objects.exists()


def test_an_inactive_provider_cannot_create_a_token(provider_user):
    provider_user.is_active = False
    with pytest.raises(PermissionDenied):
        make_token(provider_user)


def test_the_service_validates_expiry(provider_user):
    with pytest.raises(ValidationError) as error:
        make_token(provider_user, days=10_000)
    assert "expires_in_days" in error.value.message_dict


# The database's rules --------------------------------------------------------------------


def test_the_database_refuses_a_token_that_expires_before_it_was_created(provider_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(
            user=provider_user,
            organisation=provider_user.organisation,
            name="Backwards",
            key_prefix="abcdefgh",
            key_hash="0" * 64,
            created_at=NOW,
            expires_at=NOW - datetime.timedelta(days=1),
        )


def test_the_database_refuses_two_unrevoked_tokens_of_one_name_in_an_organisation(provider_user):
    make_token(provider_user, name="Case system")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(
            user=provider_user,
            organisation=provider_user.organisation,
            name="case system",
            key_prefix="abcdefgh",
            key_hash="1" * 64,
            expires_at=NOW + datetime.timedelta(days=1),
        )


# Listing ---------------------------------------------------------------------------------


def test_providers_list_their_organisations_tokens_only(client, provider_user, colleague, other_provider_user):
    mine, _ = make_token(provider_user, name="Case system")
    theirs, _ = make_token(colleague, name="Reporting script")
    stranger, _ = make_token(other_provider_user, name="Essex system")
    client.force_login(provider_user)
    response = client.get(LIST)
    assert [token for token, _ in response.context["rows"]] == sorted([mine, theirs], key=lambda t: -t.pk)
    page = response.content.decode()
    assert "Reporting script" in page
    assert "Essex system" not in page
    assert stranger.key_prefix not in page


def test_the_list_shows_status_expiry_and_last_use(client, provider_user):
    active, _ = make_token(provider_user, name="Active one", days=30)
    revoked, _ = make_token(provider_user, name="Revoked one")
    api_token_revoke(actor=provider_user, token=revoked)
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):
        make_token(provider_user, name="Expired one", days=30)
    ApiToken.objects.filter(pk=active.pk).update(last_used_at=NOW)
    client.force_login(provider_user)
    response = client.get(LIST)
    statuses = {token.name: status for token, status in response.context["rows"]}
    assert statuses == {"Active one": "active", "Revoked one": "revoked", "Expired one": "expired"}
    page = response.content.decode()
    assert "4 Mar 2026" in page  # the active token's expiry
    assert "2 Feb 2026, 12:00" in page  # its last use
    assert "Never" in page


def test_administrators_list_every_organisations_tokens(client, admin_user, provider_user, other_provider_user):
    make_token(provider_user, name="Kent system")
    make_token(other_provider_user, name="Essex system")
    client.force_login(admin_user)
    response = client.get(LIST)
    assert {token.name for token, _ in response.context["rows"]} == {"Kent system", "Essex system"}
    assert response.context["can_create"] is False
    assert other_provider_user.organisation.name in response.content.decode()


def test_the_empty_list_says_so(client, provider_user):
    client.force_login(provider_user)
    assert "Your organisation has no API tokens yet." in client.get(LIST).content.decode()


# Revoking --------------------------------------------------------------------------------


def test_a_provider_revokes_a_colleagues_token_after_confirming(client, provider_user, colleague):
    token, _ = make_token(colleague)
    client.force_login(provider_user)
    page = client.get(revoke_url(token))
    assert page.status_code == 200
    assert "Are you sure you want to revoke this token?" in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None

    response = client.post(revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == LIST
    token.refresh_from_db()
    assert (token.revoked_at, token.revoked_by) == (NOW, provider_user)
    [event] = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(token.pk))
    assert event.actor == provider_user
    assert event.summary.startswith("Revoked API token Case system")


def test_another_organisations_token_is_not_found(client, provider_user, other_provider_user):
    token, _ = make_token(other_provider_user)
    client.force_login(provider_user)
    assert client.get(revoke_url(token)).status_code == 404
    assert client.post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_revoked_token_cannot_be_revoked_again(client, provider_user):
    token, _ = make_token(provider_user)
    api_token_revoke(actor=provider_user, token=token)
    client.force_login(provider_user)
    assert client.post(revoke_url(token)).status_code == 404
    assert api_token_revoke(actor=provider_user, token=token).revoked_at == NOW
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(token.pk)).count() == 1


def test_administrators_revoke_any_token(client, admin_user, other_provider_user):
    token, _ = make_token(other_provider_user)
    client.force_login(admin_user)
    assert client.post(revoke_url(token)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == admin_user
    assert AuditEvent.objects.filter(actor=admin_user, action=AuditAction.UPDATE, target_id=str(token.pk)).exists()


def test_the_revoke_service_refuses_another_organisations_staff(provider_user, other_provider_user):
    token, _ = make_token(other_provider_user)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=provider_user, token=token)


def test_provider_staff_find_api_tokens_on_their_home_page(client, provider_user, pcc_user):
    client.force_login(provider_user)
    assert LIST in client.get(reverse("home")).content.decode()
    client.force_login(pcc_user)
    assert LIST not in client.get(reverse("home")).content.decode()
