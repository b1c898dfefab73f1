import pytest
from django.urls import reverse

from tests.factories import KENT
from tests.pledges.factories import CampaignFactory, PublishedPledgeFactory

pytestmark = pytest.mark.django_db

KENT_DASHBOARD = reverse("dashboard:area", kwargs={"code": KENT})


def test_area_dashboard_says_when_the_elected_leader_has_signed(client, pcc_user):
    campaign = CampaignFactory(title="2024 PCC elections")
    PublishedPledgeFactory(campaign=campaign, name="Jo Leader", role="pcc")
    client.force_login(pcc_user)
    page = client.get(KENT_DASHBOARD).content.decode()
    assert "Jo Leader (Police and Crime Commissioner (PCC)) signed the RJ pledge for the 2024 PCC elections." in page


def test_a_candidates_pledge_is_not_the_elected_leaders(client, pcc_user):
    campaign = CampaignFactory(title="2024 PCC elections")
    PublishedPledgeFactory(campaign=campaign, role="candidate")
    client.force_login(pcc_user)
    page = client.get(KENT_DASHBOARD).content.decode()
    assert "No elected leader of Kent has a published RJ pledge for the 2024 PCC elections." in page


def test_without_a_campaign_the_dashboard_says_so(client, pcc_user):
    client.force_login(pcc_user)
    assert "No pledge campaign has been set up yet." in client.get(KENT_DASHBOARD).content.decode()


def test_national_map_can_be_coloured_by_pledge_status(client, admin_user):
    campaign = CampaignFactory(title="2024 PCC elections")
    PublishedPledgeFactory(campaign=campaign, role="pcc")
    client.force_login(admin_user)
    by_rate = client.get(reverse("dashboard:index")).context["charts"]
    assert "league" in by_rate and "pledge_map" not in by_rate
    response = client.get(reverse("dashboard:index"), {"colour": "pledges"})
    charts = response.context["charts"]
    assert "pledge_map" in charts and "league" not in charts
    kent_row = next(row for row in charts["pledge_map"].table["rows"] if row[0] == "Kent")
    assert kent_row[1] == "Elected leader signed"
    # The league table still shows beneath the map.
    assert "Referrals per 1,000 recorded crimes by police area" in response.content.decode()
