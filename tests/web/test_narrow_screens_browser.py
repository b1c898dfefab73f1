"""On a phone (375 CSS pixels wide) no page scrolls sideways: wide tables scroll within
themselves and say so (a hint above, shadows on the edges with more beyond), a table that does
becomes a named region the keyboard can reach, and charts keep a plot area wide enough to read."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import KENT, ProviderFactory, ReferralFactory, ReferringTeamFactory, area
from tests.pledges.factories import CampaignFactory, PublishedPledgeFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

PAGE_WIDTH = "document.documentElement.scrollWidth - document.documentElement.clientWidth"

# Every table wrapper that is narrower than its table, and whether the page tells the reader.
SCROLLING_TABLES = """() => [...document.querySelectorAll('.rj-table-scroll')]
  .filter((wrapper) => wrapper.scrollWidth > wrapper.clientWidth + 1)
  .map((wrapper) => {
    const hint = wrapper.previousElementSibling
    const style = getComputedStyle(wrapper)
    return {
      table: (wrapper.querySelector('caption') || wrapper).textContent.trim().slice(0, 60),
      hint: Boolean(hint && hint.classList.contains('rj-table-scroll-hint') && hint.offsetHeight > 0),
      shadows: style.backgroundImage.split('gradient').length - 1,
      region: wrapper.getAttribute('role') === 'region' && wrapper.tabIndex === 0,
    }
  })"""

# Each drawn chart: how wide its drawing is against its box, and, for bars and lines, how wide the
# plot area is (what is left beside the axis labels).
CHART_SIZES = """() => [...document.querySelectorAll('.rj-chart__plot--drawn')].map((plot) => {
  const drag = plot.querySelector('.draglayer .nsewdrag')
  return {
    chart: plot.dataset.rjChart,
    box: plot.clientWidth,
    svg: plot.querySelector('.main-svg').getBoundingClientRect().width,
    plotArea: drag ? Number(drag.getAttribute('width')) : null,
  }
})"""

PHONE_PAGES = [
    ("referrals:list", {}),
    ("pledges:register", {}),
    ("dashboard:index", {"year": 2025}),
    ("dashboard:area", {"year": 2025}),
]


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


@pytest.fixture
def kent_dashboard(live_db):
    """Recorded crime and a year of Kent referrals across offence groups (the dashboards' tables and
    charts), and a published pledge with a statement (the register's widest column)."""
    call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", verbosity=0)
    PublishedPledgeFactory(
        campaign=CampaignFactory(title="2024 PCC elections"),
        role="pcc",
        area=area(KENT),
        statement="I will make sure every victim of crime in Kent is offered restorative justice.",
    )
    provider = ProviderFactory(areas=[area(KENT)])
    team = ReferringTeamFactory(area=area(KENT), name="Kent neighbourhood policing team", staff_count=40)
    groups = ["violence_against_the_person", "theft_offences", "robbery", "public_order_offences", "criminal_damage"]
    for number in range(20):
        ReferralFactory(
            provider=provider,
            area=area(KENT),
            referring_team=team,
            received_on=date(2025, 6 + number % 6, 10),
            offence_group=groups[number % len(groups)],
            offence_subgroup="",
            crime_reported_on=date(2025, 6, 2),
            victim_informed_on=date(2025, 6, 3),
            victim_requested_on=date(2025, 6, 4),
            referred_on=date(2025, 6, 5),
        )


def _url(live_server, name, query):
    kwargs = {"code": KENT} if name == "dashboard:area" else {}
    url = live_server.url + reverse(name, kwargs=kwargs)
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def _drawn(page):
    expect(page.locator(".rj-chart__plot--drawn, .rj-chart__plot--failed")).to_have_count(
        page.locator("[data-rj-chart]").count(), timeout=30_000
    )
    assert page.locator(".rj-chart__plot--failed").count() == 0


@pytest.mark.usefixtures("kent_dashboard")
@pytest.mark.parametrize(("name", "query"), PHONE_PAGES, ids=[name for name, _ in PHONE_PAGES])
def test_on_a_phone_tables_that_scroll_say_so_and_charts_stay_readable(page, live_server, axe, pcc_user, name, query):
    page.set_viewport_size({"width": 375, "height": 800})
    page.context.add_cookies([_session_cookie(live_server, pcc_user)])
    page.goto(_url(live_server, name, query))
    _drawn(page)

    assert page.evaluate(PAGE_WIDTH) <= 0
    scrolling = page.evaluate(SCROLLING_TABLES)
    for table in scrolling:
        assert table["hint"], f"{table['table']!r} scrolls sideways with no visible hint"
        assert table["shadows"] == 4, f"{table['table']!r} has no edge shadows"
        assert table["region"], f"{table['table']!r} cannot be scrolled with the keyboard"
    for chart in page.evaluate(CHART_SIZES):
        assert chart["svg"] <= chart["box"] + 1, f"{chart['chart']} is wider than its box"
        if chart["plotArea"] is not None:
            # The bars or lines get at least 40% of the width beside their labels.
            assert chart["plotArea"] >= 0.4 * chart["box"], chart
    assert axe(page) == []


@pytest.mark.usefixtures("kent_dashboard")
def test_a_table_that_scrolls_has_a_hint_that_goes_when_it_fits(page, live_server, pcc_user):
    page.set_viewport_size({"width": 375, "height": 800})
    page.context.add_cookies([_session_cookie(live_server, pcc_user)])
    page.goto(_url(live_server, "areas:list", {}))
    hint = page.locator(".rj-table-scroll-hint").first
    expect(hint).to_have_text("Scroll sideways to see the whole table")
    hint_id = hint.get_attribute("id")
    expect(page.locator(".rj-table-scroll").first).to_have_attribute("aria-describedby", hint_id)
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator(".rj-table-scroll-hint")).to_have_count(0)
    expect(page.locator(".rj-table-scroll").first).not_to_have_attribute("aria-describedby", hint_id)


@pytest.mark.usefixtures("kent_dashboard")
def test_the_area_dashboard_tables_fit_a_desktop_column(page, live_server, pcc_user):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_cookies([_session_cookie(live_server, pcc_user)])
    page.goto(_url(live_server, "dashboard:area", {"year": 2025}))
    _drawn(page)
    assert page.evaluate(SCROLLING_TABLES) == []


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
