"""The referral form knows its provider: the area is not asked when there is only one, and the
subgroups carry their group so that the page can narrow them (the server checks either way)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from referrals.models import Referral
from tests.factories import ESSEX, KENT, ReferralFactory, ReferringTeamFactory, area
from tests.referrals.test_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


def test_a_provider_serving_one_area_is_not_asked_for_it(client, provider_user):
    team = ReferringTeamFactory(area=area(KENT), name="Canterbury neighbourhood")
    client.force_login(provider_user)
    page = client.get(reverse("referrals:create")).content.decode()
    assert 'name="area"' not in page
    assert "A team in Kent" in page
    assert ">Canterbury neighbourhood<" in page
    data = form_data(team)
    del data["area"]
    response = client.post(reverse("referrals:create"), data)
    referral = Referral.objects.get(reference="NEW-1")
    assert response.url == referral.get_absolute_url()
    assert referral.area == area(KENT)


def test_a_posted_area_cannot_override_the_only_one(client, provider_user):
    team = ReferringTeamFactory(area=area(ESSEX))
    client.force_login(provider_user)
    page = client.post(reverse("referrals:create"), form_data(team, area=area(ESSEX).pk)).content.decode()
    assert "<title>Error: " in page
    assert "Select a valid choice" in page  # an Essex team is not among a Kent provider's
    assert not Referral.objects.exists()


def test_a_provider_serving_two_areas_chooses_one(client, provider_user):
    provider_user.organisation.areas.add(area(ESSEX))
    team = ReferringTeamFactory(area=area(ESSEX))
    client.force_login(provider_user)
    page = client.get(reverse("referrals:create")).content.decode()
    assert 'name="area"' in page
    data = form_data(team)
    del data["area"]
    assert "Select the police area" in client.post(reverse("referrals:create"), data).content.decode()
    client.post(reverse("referrals:create"), form_data(team))
    assert Referral.objects.get(reference="NEW-1").area == area(ESSEX)


def test_subgroups_name_their_group_and_the_server_still_checks(client, provider_user):
    team = ReferringTeamFactory(area=area(KENT))
    client.force_login(provider_user)
    page = client.get(reverse("referrals:create")).content.decode()
    assert '<option value="violence_with_injury" data-group="violence_against_the_person">' in page
    assert '<option value="burglary" data-group="theft_offences">' in page
    assert 'class="subgroupselect govuk-select"' in page
    assert 'src="/static/js/offence-subgroups.js"' in page
    response = client.post(
        reverse("referrals:create"), form_data(team, offence_group="robbery", offence_subgroup="violence_with_injury")
    )
    assert "must belong to the offence group" in response.content.decode()
    assert not Referral.objects.exists()


def test_editing_keeps_the_only_area(client, provider_user):
    referral = ReferralFactory(provider=provider_user.organisation, reference="KENT-1")
    client.force_login(provider_user)
    data = form_data(referral.referring_team, reference="KENT-1B")
    del data["area"]
    response = client.post(reverse("referrals:update", args=[referral.pk]), data)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.reference, referral.area) == ("KENT-1B", area(KENT))
