"""Two-factor sign-in (django-otp, TOTP): for national administrators, PCC office staff and
pledge moderators set up at the first sign-in and a code at every later one; provider staff are
asked only once they have chosen to set it up (tests/accounts/test_two_factor_factors.py)."""

import time

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rjportal.apitokens.services import api_token_create
from rjportal.audit.models import AuditEvent
from tests import factories
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def code_for(device: TOTPDevice) -> str:
    """The code the authenticator app shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if code_for(device) != "000000" else "111111"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def test_an_administrator_without_an_app_is_sent_to_set_one_up(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("referrals:list"))

    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_setup") + "?next=%2Freferrals%2F"


def test_the_admin_screens_are_behind_the_second_factor_too(client, admin_user):
    client.force_login(admin_user)
    confirmed_device(admin_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_setting_up_shows_a_key_and_keeps_it_until_confirmed(client, admin_user):
    client.force_login(admin_user)

    first = client.get(reverse("two_factor_setup"))
    again = client.get(reverse("two_factor_setup"))

    device = TOTPDevice.objects.get(user=admin_user)
    assert not device.confirmed
    assert first.context["setup_key"] == again.context["setup_key"]
    assert first.context["setup_key"].replace(" ", "") in first.content.decode()
    assert first.context["setup_link"].startswith("otpauth://totp/")


def test_a_wrong_code_is_refused_and_sets_nothing_up(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(reverse("two_factor_setup"), {"code": wrong_code(device)})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("referrals:list")).status_code == 302


@pytest.mark.parametrize(("code", "message"), [("", "Enter the 6-digit code"), ("12ab56", "Enter the 6 digits")])
def test_a_code_that_is_not_six_digits_is_refused(client, admin_user, code, message):
    client.force_login(admin_user)

    response = client.post(reverse("two_factor_setup"), {"code": code})

    assert message in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def test_the_right_code_confirms_the_app_and_lets_the_administrator_on(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=admin_user)

    response = client.post(reverse("two_factor_setup") + "?next=/referrals/", {"code": code_for(device)})

    # The first factor comes with backup codes, shown once before going on.
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_backup_codes") + "?next=%2Freferrals%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("referrals:list")).status_code == 200
    assert AuditEvent.objects.filter(
        actor=admin_user, summary__contains="two-factor sign-in with an authenticator app"
    ).exists()
    assert AuditEvent.objects.filter(actor=admin_user, summary__contains="backup codes").count() == 1


def test_next_never_leads_off_the_site(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=admin_user)

    response = client.post(reverse("two_factor_setup") + "?next=https://evil.example/", {"code": code_for(device)})

    assert response["Location"] == reverse("two_factor_backup_codes") + "?next=%2F"
    assert client.get(response["Location"]).context["next_url"] == "/"
    assert client.get(reverse("two_factor_backup_codes") + "?next=https://evil.example/").context["next_url"] == (
        reverse("account_security")
    )


def test_a_later_sign_in_asks_for_a_code(client, admin_user):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)

    assert client.get(reverse("two_factor_setup"))["Location"].startswith(reverse("two_factor_verify"))
    refused = client.post(reverse("two_factor_verify"), {"code": wrong_code(device)})
    assert "That code is not right" in refused.content.decode()
    assert client.get(reverse("referrals:list")).status_code == 302

    # A wrong code makes the next try wait a second (django-otp's throttle).
    with time_machine.travel(time.time() + 2, tick=False):
        accepted = client.post(reverse("two_factor_verify") + "?next=/referrals/", {"code": code_for(device)})

    assert accepted["Location"] == "/referrals/"
    assert client.get(reverse("referrals:list")).status_code == 200


def test_repeated_wrong_codes_are_slowed_down(client, admin_user):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": wrong_code(device)})

    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("referrals:list")).status_code == 302


def test_verifying_without_an_app_goes_to_set_up(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("two_factor_verify") + "?next=/audit/")

    assert response["Location"] == reverse("two_factor_setup") + "?next=%2Faudit%2F"


def test_signing_out_and_public_pages_need_no_code(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("pages:privacy")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", ["pcc", "moderator"], indirect=True)
def test_pcc_staff_and_moderators_without_an_app_are_sent_to_set_one_up(client, persona):
    client.force_login(persona)

    response = client.get(reverse("account_security"))

    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_setup") + "?next=%2Faccounts%2Fsecurity%2F"


@pytest.mark.parametrize("persona", ["pcc", "moderator"], indirect=True)
def test_pcc_staff_and_moderators_with_an_app_must_enter_a_code(client, persona):
    device = confirmed_device(persona)
    client.force_login(persona)

    assert client.get(reverse("areas:list"))["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    assert client.get(reverse("areas:list")).status_code == 200


def test_provider_staff_without_a_factor_are_not_asked(client, provider_user):
    client.force_login(provider_user)

    assert client.get(reverse("referrals:list")).status_code == 200
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("persona", ["admin", "pcc", "moderator"], indirect=True)
def test_when_not_required_nobody_is_asked(client, persona, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(persona)

    assert client.get(reverse("areas:list")).status_code == 200


def test_signing_in_with_a_password_leads_an_administrator_to_the_step(client, admin_user):
    response = client.post(reverse("login"), {"username": admin_user.email, "password": TEST_PASSWORD})

    assert response["Location"] == reverse("two_factor_setup") + "?next=%2F"


@pytest.mark.parametrize("persona", ["pcc", "moderator"], indirect=True)
def test_signing_in_with_a_password_leads_pcc_staff_and_moderators_to_the_step(client, persona):
    response = client.post(reverse("login"), {"username": persona.email, "password": TEST_PASSWORD})

    assert response["Location"] == reverse("two_factor_setup") + "?next=%2F"


def test_signing_in_leads_provider_staff_without_a_factor_straight_on(client, provider_user):
    response = client.post(reverse("login"), {"username": provider_user.email, "password": TEST_PASSWORD})

    assert response["Location"] == reverse("home")


def test_removing_an_app_in_the_admin_screens_is_audited(client, admin_user, settings):
    settings.TWO_FACTOR_REQUIRED = False
    lost = confirmed_device(factories.AdminFactory(email="lost.phone@example.org"))
    client.force_login(admin_user)

    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk]), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    assert AuditEvent.objects.filter(action="delete", actor=admin_user, summary__contains="lost.phone").exists()


@pytest.mark.parametrize("persona", ["admin", "pcc", "moderator"], indirect=True)
def test_the_api_with_a_session_is_behind_the_step_too(client, persona):
    client.force_login(persona)

    response = client.get("/api/v1/referrals/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_the_api_with_a_token_is_not_asked(client, provider_user):
    confirmed_device(provider_user)  # even someone who uses a second factor on the web
    _token, secret = api_token_create(actor=provider_user, name="Case system", expires_in_days=90)

    response = client.get("/api/v1/referrals/", headers={"Authorization": f"Token {secret}"})

    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["pcc", "provider"], indirect=True)
def test_someone_who_has_passed_the_step_is_sent_on_from_both_steps(client, persona):
    device = confirmed_device(persona)
    client.force_login(persona)
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    assert client.get(reverse("two_factor_setup") + "?next=/referrals/")["Location"] == "/referrals/"
    assert client.get(reverse("two_factor_verify"))["Location"] == "/"
    assert TOTPDevice.objects.filter(user=persona).count() == 1


def test_provider_staff_without_a_factor_are_sent_on_from_the_code_step(client, provider_user):
    client.force_login(provider_user)

    assert client.get(reverse("two_factor_verify") + "?next=/referrals/")["Location"] == "/referrals/"


def test_an_administrator_who_has_passed_the_step_is_sent_on(client, admin_user):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    assert client.get(reverse("two_factor_verify") + "?next=/audit/")["Location"] == "/audit/"


def test_the_admin_lists_authenticators_without_showing_their_secrets(client, admin_user, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(admin_user)
    device = confirmed_device(factories.PccStaffFactory())

    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()

    assert "Authenticator app" in listing
    assert "qrcode" not in listing.lower() and "qrcode" not in change.lower()
    assert device.key not in change
