"""Two-factor sign-in for national administrators (django-otp, TOTP): set up at the first
sign-in, a code at every later one, and nobody else asked."""

import time

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rjportal.audit.models import AuditEvent
from tests import factories
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True


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

    assert response.status_code == 302
    assert response["Location"] == "/referrals/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("referrals:list")).status_code == 200
    assert AuditEvent.objects.filter(actor=admin_user, summary__contains="two-factor").count() == 1


def test_next_never_leads_off_the_site(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=admin_user)

    response = client.post(reverse("two_factor_setup") + "?next=https://evil.example/", {"code": code_for(device)})

    assert response["Location"] == "/"


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


@pytest.mark.parametrize("persona", ["pcc", "provider", "moderator"], indirect=True)
def test_other_roles_are_not_asked(client, persona):
    client.force_login(persona)

    assert client.get(reverse("home")).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_when_not_required_administrators_are_not_asked(client, admin_user, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = False
    client.force_login(admin_user)

    assert client.get(reverse("referrals:list")).status_code == 200


def test_signing_in_with_a_password_leads_an_administrator_to_the_step(client, admin_user):
    response = client.post(reverse("login"), {"username": admin_user.email, "password": TEST_PASSWORD})

    assert response["Location"] == reverse("two_factor_setup") + "?next=%2F"


def test_signing_in_leads_other_roles_straight_on(client, pcc_user):
    response = client.post(reverse("login"), {"username": pcc_user.email, "password": TEST_PASSWORD})

    assert response["Location"] == reverse("home")


def test_removing_an_app_in_the_admin_screens_is_audited(client, admin_user, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = False
    lost = confirmed_device(factories.AdminFactory(email="lost.phone@example.org"))
    client.force_login(admin_user)

    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk]), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    assert AuditEvent.objects.filter(action="delete", actor=admin_user, summary__contains="lost.phone").exists()


def test_the_api_with_an_administrators_session_is_behind_the_step_too(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/api/v1/referrals/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_the_api_with_a_token_is_not_asked(client, provider_user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=provider_user)

    response = client.get("/api/v1/referrals/", headers={"Authorization": f"Token {token.key}"})

    assert response.status_code == 200


def test_someone_who_need_not_pass_the_step_is_sent_on(client, pcc_user):
    client.force_login(pcc_user)

    assert client.get(reverse("two_factor_setup") + "?next=/referrals/")["Location"] == "/referrals/"
    assert client.get(reverse("two_factor_verify"))["Location"] == "/"
    assert not TOTPDevice.objects.exists()


def test_an_administrator_who_has_passed_the_step_is_sent_on(client, admin_user):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    assert client.get(reverse("two_factor_verify") + "?next=/audit/")["Location"] == "/audit/"
