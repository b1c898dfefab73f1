"""The referral form offers only the chosen offence group's subgroups."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import KENT, TEST_PASSWORD, ReferringTeamFactory, area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_subgroups_follow_the_chosen_group(page, live_server, axe, provider_user):
    ReferringTeamFactory(area=area(KENT), name="Canterbury neighbourhood")
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(provider_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + reverse("referrals:create"))
    expect(page.get_by_label("Police area")).to_have_count(0)  # the provider serves Kent alone
    assert axe(page) == []
    subgroup = page.get_by_label("Offence subgroup (if any)")
    page.get_by_label("Offence group").select_option("theft_offences")
    subgroup.select_option("burglary")
    assert subgroup.locator('option[value="homicide"]').is_disabled()
    page.get_by_label("Offence group").select_option("violence_against_the_person")
    expect(subgroup).to_have_value("")  # burglary is not violence
    assert subgroup.locator('option[value="burglary"]').is_disabled()
    assert not subgroup.locator('option[value="homicide"]').is_disabled()
    assert axe(page) == []
