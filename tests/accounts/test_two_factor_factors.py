"""Second factors beyond the first code: the QR code, provider staff who choose two-factor
sign-in, backup codes, passkeys on the security page, and an administrator's reset."""

import re
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from rjportal.accounts.services import backup_codes_generate, two_factor_reset
from rjportal.accounts.two_factor import BACKUP_CODE_COUNT
from rjportal.audit.models import AuditEvent
from tests.accounts.test_two_factor import code_for, confirmed_device

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def passkey_for(user, name="Laptop") -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user, name=name, credential_id=f"id-{user.pk}-{name}".encode(), public_key=b"key", aaguid="0" * 36
    )


def verified(client, user) -> TOTPDevice:
    """Sign `user` in with an authenticator app and pass the code step."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or confirmed_device(user)
    client.force_login(user)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response.status_code == 302, response.content.decode()
    return device


def new_codes(client, response) -> list[str]:
    """Follow to the page that shows new backup codes, and read them from it."""
    page = client.get(response["Location"])
    assert "Save your backup codes" in page.content.decode()
    return page.context["codes"]


# The QR code ------------------------------------------------------------------------------


def test_the_setup_page_shows_the_key_as_an_inline_svg_qr_code(client, pcc_user):
    client.force_login(pcc_user)

    page = client.get(reverse("two_factor_setup")).content.decode()

    svg = re.search(r'<svg [^>]*class="rj-qr-code"[^>]*>', page).group(0)
    assert 'role="img"' in svg
    assert 'aria-label="QR code to add RJ Portal to an authenticator app"' in svg
    assert "<title>QR code to add RJ Portal to an authenticator app</title>" in page
    assert "<path" in page
    assert "data:image" not in page and "style=" not in svg
    # The text key and the otpauth link stay, for people who cannot scan.
    device = TOTPDevice.objects.get(user=pcc_user)
    assert f'href="{device.config_url.replace("&", "&amp;")}"' in page


# Provider staff choose ----------------------------------------------------------------------


def test_provider_staff_see_two_factor_sign_in_as_optional(client, provider_user):
    client.force_login(provider_user)

    page = client.get(reverse("account_security")).content.decode()

    assert "optional for your role" in page
    assert reverse("two_factor_setup") in page


def test_provider_staff_who_set_up_an_app_must_use_it_from_then_on(client, provider_user):
    client.force_login(provider_user)
    assert client.get(reverse("two_factor_setup") + "?next=/accounts/security/").status_code == 200
    device = TOTPDevice.objects.get(user=provider_user)

    response = client.post(reverse("two_factor_setup") + "?next=/accounts/security/", {"code": code_for(device)})

    assert response["Location"] == reverse("two_factor_backup_codes") + "?next=%2Faccounts%2Fsecurity%2F"
    assert len(new_codes(client, response)) == BACKUP_CODE_COUNT
    client.logout()
    client.force_login(provider_user)
    assert client.get(reverse("referrals:list"))["Location"].startswith(reverse("two_factor_verify"))


@pytest.mark.parametrize("persona", ["admin", "pcc", "provider", "moderator"], indirect=True)
def test_the_security_page_opens_for_every_role_from_the_home_page(client, persona):
    verified(client, persona)

    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("account_security"))

    assert f'href="{reverse("account_security")}"' in home
    assert page.status_code == 200
    assert "Set up on" in page.content.decode()


# Backup codes -------------------------------------------------------------------------------


def test_new_backup_codes_are_shown_once(client, pcc_user):
    client.force_login(pcc_user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=pcc_user)
    response = client.post(reverse("two_factor_setup"), {"code": code_for(device)})

    codes = new_codes(client, response)
    again = client.get(reverse("two_factor_backup_codes")).content.decode()

    assert len(set(codes)) == BACKUP_CODE_COUNT
    assert set(StaticToken.objects.filter(device__user=pcc_user).values_list("token", flat=True)) == set(codes)
    assert codes[0] not in again
    assert f"You have {BACKUP_CODE_COUNT} backup codes left" in again


def test_a_backup_code_passes_the_step_once_and_is_audited(client, moderator_user):
    confirmed_device(moderator_user)
    codes = backup_codes_generate(user=moderator_user)

    client.force_login(moderator_user)
    verify_page = client.get(reverse("two_factor_verify") + "?next=/pledges/moderation/").content.decode()
    assert reverse("two_factor_backup_verify") + "?next=%2Fpledges%2Fmoderation%2F" in verify_page
    response = client.post(
        reverse("two_factor_backup_verify") + "?next=/pledges/moderation/", {"code": codes[0].upper()}
    )

    assert response["Location"] == "/pledges/moderation/"
    assert client.get(reverse("pledges:moderation")).status_code == 200
    assert StaticToken.objects.filter(device__user=moderator_user).count() == BACKUP_CODE_COUNT - 1
    assert AuditEvent.objects.filter(
        actor=moderator_user, summary__contains=f"backup code ({BACKUP_CODE_COUNT - 1} left)"
    ).exists()

    # Used once, it does not work again.
    client.logout()
    client.force_login(moderator_user)
    with time_machine.travel(time.time() + 2, tick=False):
        reused = client.post(reverse("two_factor_backup_verify"), {"code": codes[0]})
    assert "That backup code is not right, or has been used already" in reused.content.decode()
    assert "govuk-error-summary" in reused.content.decode()
    assert client.get(reverse("pledges:moderation")).status_code == 302


def test_a_wrong_backup_code_is_refused(client, pcc_user):
    confirmed_device(pcc_user)
    backup_codes_generate(user=pcc_user)
    client.force_login(pcc_user)

    response = client.post(reverse("two_factor_backup_verify"), {"code": "notacode"})

    assert "That backup code is not right" in response.content.decode()
    assert response.context["form"].errors
    assert StaticToken.objects.filter(device__user=pcc_user).count() == BACKUP_CODE_COUNT


def test_the_backup_code_step_is_only_for_the_code_step(client, pcc_user, provider_user):
    client.force_login(pcc_user)  # no factor yet: set one up first
    assert client.get(reverse("two_factor_backup_verify"))["Location"] == reverse("two_factor_setup")
    client.force_login(provider_user)  # not asked at all
    assert client.get(reverse("two_factor_backup_verify"))["Location"] == "/"


def test_new_backup_codes_replace_the_old_ones(client, pcc_user):
    verified(client, pcc_user)
    old = backup_codes_generate(user=pcc_user)

    response = client.post(reverse("two_factor_backup_codes_new"))
    new = new_codes(client, response)

    assert not set(old) & set(new)
    assert set(StaticToken.objects.filter(device__user=pcc_user).values_list("token", flat=True)) == set(new)
    assert StaticDevice.objects.filter(user=pcc_user).count() == 1
    assert AuditEvent.objects.filter(actor=pcc_user, summary__contains="new set of 10 backup codes").count() == 2
    client.logout()
    client.force_login(pcc_user)
    refused = client.post(reverse("two_factor_backup_verify"), {"code": old[0]})
    assert "That backup code is not right" in refused.content.decode()
    with time_machine.travel(time.time() + 2, tick=False):
        accepted = client.post(reverse("two_factor_backup_verify"), {"code": new[0]})
    assert accepted["Location"] == "/"


def test_backup_codes_need_a_factor_first(client, provider_user):
    client.force_login(provider_user)

    response = client.post(reverse("two_factor_backup_codes_new"), follow=True)

    assert "Set up an authenticator app or a passkey before getting backup codes" in response.content.decode()
    assert not StaticToken.objects.exists()


# Passkeys -----------------------------------------------------------------------------------


def test_the_code_step_offers_a_passkey_to_someone_who_has_one(client, pcc_user):
    passkey_for(pcc_user)
    client.force_login(pcc_user)

    page = client.get(reverse("areas:list"), follow=True)

    assert page.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    content = page.content.decode()
    assert "Confirm it is you with your passkey" in content
    assert 'id="passkey-verification-button"' in content
    assert 'id="otp_webauthn_config"' in content
    assert "<script>" not in content


def test_a_passkey_cannot_be_added_before_the_existing_factor_is_used(client, pcc_user):
    confirmed_device(pcc_user)
    client.force_login(pcc_user)

    response = client.post(reverse("otp_webauthn:credential-registration-begin"))

    assert response.status_code == 403
    assert "otp_webauthn_register_state" not in client.session


def test_a_passkey_can_be_started_by_someone_setting_up_their_first_factor(client, pcc_user):
    client.force_login(pcc_user)

    response = client.post(reverse("otp_webauthn:credential-registration-begin"))

    assert response.status_code == 200
    assert response.json()["rp"]["name"] == "RJ Portal"


def test_removing_a_passkey_is_audited(client, pcc_user):
    verified(client, pcc_user)
    passkey = passkey_for(pcc_user)

    response = client.post(reverse("passkey_remove", args=[passkey.pk]), follow=True)

    assert "The passkey has been removed" in response.content.decode()
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert AuditEvent.objects.filter(actor=pcc_user, action="delete", summary__contains="Removed a passkey").exists()


def test_a_required_role_cannot_remove_its_only_factor(client, moderator_user):
    passkey = passkey_for(moderator_user)
    client.force_login(moderator_user)
    session = client.session
    session["otp_device_id"] = passkey.persistent_id
    session.save()

    response = client.post(reverse("passkey_remove", args=[passkey.pk]), follow=True)

    assert "You cannot remove your only passkey" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


def test_someone_elses_passkey_is_not_found(client, pcc_user, other_pcc_user):
    verified(client, pcc_user)
    passkey = passkey_for(other_pcc_user)

    assert client.post(reverse("passkey_remove", args=[passkey.pk])).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


# An administrator's reset ---------------------------------------------------------------------


def test_an_administrator_resets_someones_factors_after_confirming(client, admin_user, pcc_user):
    confirmed_device(pcc_user)
    passkey_for(pcc_user)
    backup_codes_generate(user=pcc_user)
    verified(client, admin_user)
    changelist = reverse("admin:accounts_user_changelist")
    chosen = {"action": "reset_two_factor", "_selected_action": [pcc_user.pk]}

    confirm = client.post(changelist, chosen)

    assert confirm.status_code == 200
    assert "Reset two-factor sign-in?" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=pcc_user).exists()

    done = client.post(changelist, {**chosen, "confirm": "yes"}, follow=True)

    assert "Reset two-factor sign-in for 1 user" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=pcc_user).exists()
    assert not WebAuthnCredential.objects.filter(user=pcc_user).exists()
    assert not StaticDevice.objects.filter(user=pcc_user).exists()
    event = AuditEvent.objects.get(actor=admin_user, summary__startswith="Reset two-factor sign-in for pcc@")
    assert event.changes == {"removed": {"authenticator apps": 1, "passkeys": 1, "backup codes": BACKUP_CODE_COUNT}}

    # At their next sign-in they set up again.
    client.logout()
    client.force_login(pcc_user)
    assert client.get(reverse("areas:list"))["Location"].startswith(reverse("two_factor_setup"))


def test_a_reset_also_ends_the_verified_session(client, pcc_user, admin_user):
    verified(client, pcc_user)

    two_factor_reset(actor=admin_user, user=pcc_user)

    assert client.get(reverse("areas:list"))["Location"].startswith(reverse("two_factor_setup"))


@pytest.mark.parametrize("persona", ["pcc", "provider", "moderator"], indirect=True)
def test_only_administrators_may_reset(persona, other_pcc_user):
    confirmed_device(other_pcc_user)

    with pytest.raises(PermissionDenied):
        two_factor_reset(actor=persona, user=other_pcc_user)

    assert TOTPDevice.objects.filter(user=other_pcc_user).exists()


def test_a_passkey_is_never_a_way_to_sign_in_without_a_password(client, pcc_user):
    passkey_for(pcc_user)

    response = client.post(reverse("otp_webauthn:credential-authentication-begin"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "otp_webauthn_authentication_state" not in client.session


def test_a_code_is_refused_from_someone_with_only_a_passkey(client, pcc_user):
    passkey_for(pcc_user)
    client.force_login(pcc_user)

    response = client.post(reverse("two_factor_verify"), {"code": "123456"})

    assert "You have no authenticator app set up" in response.content.decode()
    assert client.get(reverse("areas:list")).status_code == 302
