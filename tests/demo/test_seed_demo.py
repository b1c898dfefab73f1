import pytest
from django.core.management import CommandError, call_command

from pledges.models import Pledge
from referrals.models import Referral
from rjportal.accounts.models import User
from rjportal.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_user_of_each_role_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "pcc@demo.rjportal.invalid" in output and "password: demo-password-rj-2026" in output
    counts = (User.objects.count(), Organisation.objects.count(), Referral.objects.count(), Pledge.objects.count())
    call_command("seed_demo")
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Referral.objects.count(),
        Pledge.objects.count(),
    ) == counts
    assert Pledge.objects.published().count() == 3
    assert set(User.objects.values_list("role", flat=True)) == {
        "national_admin", "pcc_staff", "provider_staff", "pledge_moderator"
    }  # fmt: skip
    assert Referral.objects.count() == 3000
    assert Referral.objects.filter(provider__members__email="provider@demo.rjportal.invalid").exists()
    assert User.objects.get(email="pcc@demo.rjportal.invalid").check_password("demo-password-rj-2026")


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()
