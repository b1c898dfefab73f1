"""The chart component in a real browser, under the site's Content-Security-Policy: every kind
of chart draws, nothing is fetched from outside the site, and the page passes axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("live_db"),
    pytest.mark.urls("tests.rjportal.chart_urls"),
]

CHART_IDS = ["referrals-by-team", "referrals-by-month", "referral-funnel", "referral-rate-map"]


@pytest.fixture
def chart_page(page, live_server):
    """The demo chart page, loaded and drawn, with its console errors and every request made."""
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("test-charts"))
    # A locator wait, not wait_for_function: the page's CSP refuses the eval that polling uses.
    expect(page.locator(".rj-chart__plot--drawn, .rj-chart__plot--failed")).to_have_count(4, timeout=30_000)
    page.console_errors = errors
    page.requests = requests
    return page


def test_every_chart_draws_under_the_content_security_policy(chart_page):
    page = chart_page
    assert page.locator(".rj-chart__plot--failed").count() == 0
    for chart_id in CHART_IDS[:3]:
        plot = page.locator(f'[data-rj-chart="{chart_id}-data"]')
        assert plot.locator(".main-svg").count() >= 1, chart_id
    # Bars and funnel carry their values as text.
    assert "140" in page.locator('[data-rj-chart="referrals-by-team-data"] .main-svg').first.text_content()
    # The map: one path per police force area, 41 with data and 2 in grey.
    map_plot = page.locator('[data-rj-chart="referral-rate-map-data"]')
    assert map_plot.locator(".geo .choroplethlocation").count() == 43
    assert page.console_errors == []


def test_nothing_is_requested_from_outside_the_site(chart_page, live_server):
    # Our own partial bundle of plotly.js, never the full one.
    assert any(url.endswith("/static/js/plotly-charts.min.js") for url in chart_page.requests)
    assert not any(url.endswith("/plotly.min.js") for url in chart_page.requests)
    assert [url for url in chart_page.requests if not url.startswith(live_server.url + "/")] == []


def test_the_chart_page_is_accessible(chart_page, axe):
    assert axe(chart_page) == []
    # The plots are hidden from assistive technology; each chart's table carries its data.
    assert chart_page.locator('.rj-chart__plot[aria-hidden="true"]').count() == 4
    expect(chart_page.get_by_role("table", name="Referrals per 1,000 recorded crimes")).to_be_visible()


def test_hovering_over_an_area_names_it(chart_page):
    chart_page.locator(".rj-chart__plot--map .choroplethlocation").nth(20).hover(force=True)
    assert chart_page.locator(".rj-chart__plot--map .hoverlayer .hovertext").count() == 1


def test_plotly_writes_no_style_element(chart_page):
    """Its rules ship in application.css; the page has no <style> element for CSP to refuse."""
    assert chart_page.locator("style").count() == 0


def test_plotly_js_loads_after_the_page_has(page, live_server):
    """The page's text and tables come first: plotly.js is fetched once the load event is over."""
    page.goto(live_server.url + reverse("test-charts"))
    expect(page.locator(".rj-chart__plot--drawn")).to_have_count(4, timeout=30_000)
    timing = page.evaluate(
        """() => ({
            load: performance.getEntriesByType('navigation')[0].loadEventEnd,
            plotly: performance.getEntriesByType('resource')
              .find((entry) => entry.name.includes('plotly-charts')).startTime,
        })"""
    )
    assert timing["plotly"] >= timing["load"] > 0


def test_tapping_an_area_on_the_map_shows_its_row_of_the_table(page, live_server):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + reverse("test-charts"))
    expect(page.locator(".rj-chart__plot--drawn")).to_have_count(4, timeout=30_000)
    figure = page.locator("#referral-rate-map")
    # The map fills the phone's width, less the page's margins.
    assert figure.locator(".rj-chart__plot--map .main-svg").first.bounding_box()["width"] >= 330
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    # A tap reaches plotly as a click (the test browser has no touch screen).
    figure.locator(".choroplethlocation").nth(20).click(force=True)
    chosen = figure.locator(".rj-chart__table tr.rj-chart__row--chosen")
    expect(chosen).to_have_count(1)
    expect(chosen).to_be_focused()
    expect(chosen).to_be_in_viewport()
