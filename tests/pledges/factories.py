import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from pledges.constants import PledgeRole, PledgeSource, PledgeStatus
from pledges.models import Pledge, PledgeCampaign
from tests.factories import KENT, area

PLEDGE_TEXT = "I pledge to support restorative justice for every victim of crime in my area."


class CampaignFactory(DjangoModelFactory):
    """A campaign open from 1 March to 30 April 2026, for the May 2026 elections."""

    class Meta:
        model = PledgeCampaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    election_date = datetime.date(2026, 5, 7)
    opens_on = datetime.date(2026, 3, 1)
    closes_on = datetime.date(2026, 4, 30)
    pledge_text = PLEDGE_TEXT


class PledgeFactory(DjangoModelFactory):
    """A confirmed pledge awaiting review, with consent to publish."""

    class Meta:
        model = Pledge

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Signer {n}")
    role = PledgeRole.CANDIDATE
    party = "Independent"
    area = factory.LazyFunction(lambda: area(KENT))
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    consent_to_publish = True
    text_signed = factory.SelfAttribute("campaign.pledge_text")
    status = PledgeStatus.VERIFIED
    source = PledgeSource.SIGNUP
    verified_at = factory.LazyFunction(timezone.now)


class PublishedPledgeFactory(PledgeFactory):
    status = PledgeStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
