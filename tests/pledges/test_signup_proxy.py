"""Pledge signup rate limits behind a proxy: one bucket per visitor, not one for the proxy."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from pledges.constants import SIGNUPS_PER_IP_PER_HOUR
from pledges.models import Pledge
from tests.factories import KENT, area

from .factories import CampaignFactory

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def during_campaign():
    with time_machine.travel(datetime.datetime(2026, 3, 15, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture
def campaign(db):
    return CampaignFactory(title="2026 elections")


def sign(client, campaign, email, forwarded_for):
    data = {
        "campaign": campaign.pk,
        "name": "Alex Example",
        "role": "candidate",
        "area": area(KENT).pk,
        "email": email,
        "consent_to_publish": "on",
        "website": "",
    }
    return client.post(reverse("pledges:sign"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(client, settings, campaign):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(SIGNUPS_PER_IP_PER_HOUR):
        assert sign(client, campaign, f"a{number}@example.org", "198.51.100.1").status_code == 302
    assert sign(client, campaign, "a-more@example.org", "198.51.100.1").status_code == 429
    # Another visitor through the same proxy is not held back by the first.
    assert sign(client, campaign, "b@example.org", "198.51.100.2").status_code == 302
    # Nor can the first escape the limit by writing another address before the proxy's.
    assert sign(client, campaign, "a-spoof@example.org", "192.0.2.9, 198.51.100.1").status_code == 429
    assert Pledge.objects.count() == SIGNUPS_PER_IP_PER_HOUR + 1


def test_with_no_proxy_trusted_a_forwarded_address_is_ignored(client, campaign):
    for number in range(SIGNUPS_PER_IP_PER_HOUR):
        assert sign(client, campaign, f"a{number}@example.org", f"198.51.100.{number}").status_code == 302
    # Every request came from one connection: writing a new X-Forwarded-For does not help.
    assert sign(client, campaign, "spoof@example.org", "192.0.2.99").status_code == 429
    assert Pledge.objects.count() == SIGNUPS_PER_IP_PER_HOUR
