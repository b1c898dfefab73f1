"""A test-only URLconf: the site's own URLs (base.html reverses them) plus a page that shows one
chart of each kind, so browser tests can check the chart component without dashboard data."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from rjportal import charts
from rjportal.csp import charts_csp
from rjportal.urls import urlpatterns as site_urlpatterns

PAGE = """{% extends "base.html" %}{% load static %}
{% block title %}Charts{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Charts</h1>
{% for chart in charts %}{% include "includes/chart.html" with chart=chart %}{% endfor %}
{% endblock %}
{% block body_end %}<script type="module" src="{% static 'js/charts.js' %}"></script>{% endblock %}
"""


def police_areas():
    """(code, name) of the 43 police force areas, from the boundaries file the map draws."""
    geojson = settings.BASE_DIR / "rjportal" / "areas" / "static" / "areas" / "police_force_areas.geojson"
    features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
    return sorted((feature["properties"]["code"], feature["properties"]["name"]) for feature in features)


def demo_charts():
    areas = police_areas()
    # Deterministic made-up rates; two areas have no data.
    rates = [None if index in (3, 17) else round(2 + (index * 7 % 23) * 0.75, 1) for index in range(len(areas))]
    return [
        charts.bar_chart(
            id="referrals-by-team",
            title="Referrals by referring team",
            summary="Victim services referred the most people; the police offender management unit referred none.",
            categories=["Victim services", "Police", "Probation", "Prisons", "Youth justice"],
            series={"2024 to 2025": [120, 45, 30, None, 12], "2025 to 2026": [140, 38, 41, 9, 15]},
            value_label="Referrals",
            category_label="Referring team",
            csv_url="/dashboard/referrals-by-team.csv",
            reference_lines={"National median": 40},
        ),
        charts.line_chart(
            id="referrals-by-month",
            title="Referrals by month",
            summary="Referrals rose from April to June and fell in August.",
            x=["Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025"],
            series={"Kent": [30, 35, 42, None, 28], "England and Wales median": [25, 27, 26, 29, 24]},
            value_label="Referrals",
            x_label="Month",
        ),
        charts.funnel_chart(
            id="referral-funnel",
            title="How far referrals get",
            summary="Of 200 referrals, 60 led to a restorative meeting.",
            stages=["Referred", "Contacted", "Assessed", "Meeting held"],
            counts=[200, 150, 90, 60],
        ),
        charts.area_map(
            id="referral-rate-map",
            title="Referrals per 1,000 recorded crimes",
            summary="Rates are highest in the north of England; two areas have no data.",
            codes=[code for code, _ in areas],
            values=rates,
            value_label="Referrals per 1,000 crimes",
            hover=[name for _, name in areas],
            table_columns=["Police area", "Referrals per 1,000 crimes"],
            table_rows=[[name, rate] for (_, name), rate in zip(areas, rates, strict=True)],
        ),
    ]


@login_not_required
@charts_csp
def chart_page(request):
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"charts": demo_charts()}, request))


urlpatterns = [
    path("test-charts/", chart_page, name="test-charts"),
    *site_urlpatterns,
]
