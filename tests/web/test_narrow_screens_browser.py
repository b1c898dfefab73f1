"""On a phone (375 CSS pixels wide) no page scrolls sideways: wide tables scroll within
themselves, and a table that does becomes a named region the keyboard can reach."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import KENT, ProviderFactory, ReferralFactory, ReferringTeamFactory, area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

PAGE_WIDTH = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def kent_referrals(live_db):
    provider = ProviderFactory(areas=[area(KENT)])
    team = ReferringTeamFactory(area=area(KENT), name="Kent neighbourhood policing team", staff_count=40)
    ReferralFactory.create_batch(3, provider=provider, area=area(KENT), referring_team=team)


@pytest.mark.usefixtures("kent_referrals")
def test_pages_with_wide_tables_fit_a_phone(page, live_server, axe, pcc_user):
    page.set_viewport_size({"width": 375, "height": 800})
    page.context.add_cookies([_session_cookie(live_server, pcc_user)])

    for name in ["referrals:list", "referrals:teams", "areas:list", "pledges:register", "dashboard:index"]:
        page.goto(live_server.url + reverse(name))
        page.wait_for_load_state("networkidle")
        assert page.evaluate(PAGE_WIDTH) <= 0, name
        assert axe(page) == [], name

    page.goto(live_server.url + reverse("referrals:list"))
    table = page.locator(".rj-table-scroll").first
    expect(table).to_have_attribute("tabindex", "0")
    expect(table).to_have_attribute("role", "region")
    assert table.get_attribute("aria-label")
    table.focus()
    page.keyboard.press("ArrowRight")
    expect(table).not_to_have_js_property("scrollLeft", 0)


def test_a_table_that_fits_stays_out_of_the_tab_order(page, live_server, pcc_user):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.context.add_cookies([_session_cookie(live_server, pcc_user)])

    page.goto(live_server.url + reverse("areas:list"))

    expect(page.locator(".rj-table-scroll").first).not_to_have_attribute("tabindex", "0")


def _session_cookie(live_server, user) -> dict:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
