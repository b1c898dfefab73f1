"""The demo stays two commands with two-factor sign-in on: the accounts whose role needs a second
factor get the published demo key and backup codes, and seed_demo prints how to use them."""

import time
from base64 import b32decode

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.organisations import (
    DEMO_BACKUP_CODES,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    demo_totp_code,
    seed_organisations_and_users,
)
from rjportal.accounts.models import User

pytestmark = pytest.mark.django_db

REQUIRED = ["admin@demo.rjportal.invalid", "pcc@demo.rjportal.invalid", "moderator@demo.rjportal.invalid"]
PROVIDER = "provider@demo.rjportal.invalid"


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def test_seed_demo_prints_the_key_a_current_code_and_the_backup_codes(settings, capsys):
    settings.DEBUG = True

    with time_machine.travel(time.time(), tick=False):  # today, held still: the code stays the same
        call_command("seed_demo")
        code = demo_totp_code()

    output = capsys.readouterr().out
    assert "RJPO RTAL DEMO TOTP KEYR JPOR TALD EMO2" in output
    assert f"the code it shows now, {code}\n" in output
    assert ", ".join(DEMO_BACKUP_CODES) in output
    assert f"{'pcc@demo.rjportal.invalid':<34} password: {DEMO_PASSWORD}  + two-factor code" in output
    assert f"{PROVIDER:<34} password: {DEMO_PASSWORD}  (two-factor optional)" in output


def test_demo_accounts_that_need_a_second_factor_get_the_published_one():
    seed_organisations_and_users()

    for email in REQUIRED:
        device = TOTPDevice.objects.get(user__email=email)
        assert device.confirmed
        assert device.bin_key == b32decode(DEMO_TOTP_KEY)
        assert set(StaticToken.objects.filter(device__user__email=email).values_list("token", flat=True)) == set(
            DEMO_BACKUP_CODES
        )
    assert not TOTPDevice.objects.filter(user__email=PROVIDER).exists()
    assert not StaticToken.objects.filter(device__user__email=PROVIDER).exists()


def test_the_printed_code_signs_in_and_a_used_backup_code_comes_back_on_the_next_seed(client):
    seed_organisations_and_users()
    pcc = User.objects.get(email="pcc@demo.rjportal.invalid")

    signed_in = client.post(reverse("login"), {"username": pcc.email, "password": DEMO_PASSWORD})
    assert signed_in["Location"].startswith(reverse("two_factor_verify"))
    assert client.post(reverse("two_factor_verify"), {"code": demo_totp_code()})["Location"] == "/"
    assert client.get(reverse("areas:list")).status_code == 200

    client.logout()
    client.force_login(pcc)
    assert client.post(reverse("two_factor_backup_verify"), {"code": DEMO_BACKUP_CODES[0]})["Location"] == "/"
    assert StaticToken.objects.filter(device__user=pcc).count() == len(DEMO_BACKUP_CODES) - 1

    seed_organisations_and_users()

    assert StaticToken.objects.filter(device__user=pcc).count() == len(DEMO_BACKUP_CODES)
    assert TOTPDevice.objects.filter(user=pcc).count() == 1
