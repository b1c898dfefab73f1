"""The demo shows everyday work: pledges waiting for moderation, teams with staff counts,
referrals at every stage in the demo PCC office's area, and staff who manage their people."""

import pytest
from django.core import mail
from django.core.management import call_command

from pledges.constants import PledgeStatus
from pledges.models import Pledge
from referrals.constants import Stage
from referrals.models import Referral, ReferringTeam
from rjportal.accounts.models import User

pytestmark = pytest.mark.django_db

KENT = "E23000032"


def test_seed_demo_fills_the_everyday_queues_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    awaiting = Pledge.objects.awaiting_review()
    assert awaiting.count() == 3
    assert all(pledge.consent_to_publish and pledge.verified_at for pledge in awaiting)
    assert mail.outbox == []  # the demo signers' confirmation emails go nowhere

    kent_stages = set(Referral.objects.filter(area__code=KENT).values_list("stage", flat=True))
    assert kent_stages == set(Stage.values)
    kent_teams = ReferringTeam.objects.filter(area__code=KENT)
    assert kent_teams.filter(staff_count__gt=0).count() >= kent_teams.count() - 1 > 0

    managers = set(User.objects.filter(manages_users=True).values_list("email", flat=True))
    assert managers == {"pcc@demo.rjportal.invalid", "provider@demo.rjportal.invalid"}

    call_command("seed_demo")
    assert Pledge.objects.filter(status=PledgeStatus.VERIFIED).count() == 3
