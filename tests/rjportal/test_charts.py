"""The chart builders, the chart template, the CSP allowance for chart pages and our own
plotly.js bundle (built by `npm run build`), which must draw every trace type the builders use."""

import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline
import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views import View

from rjportal import charts
from rjportal.csp import EMPTY_STYLE_HASH, ChartsCspMixin, charts_csp

# What the builders draw; scripts/build-assets.mjs bundles exactly these (scatter is plotly's core).
TRACE_TYPES = {"bar", "scatter", "funnel", "choropleth"}


def bars(**kwargs):
    options = {
        "id": "referrals-by-team",
        "title": "Referrals by team",
        "summary": "Victim services referred the most.",
        "categories": ["Victim services", "Police", "Probation"],
        "series": {"Referrals": [120, None, 30.5]},
        "value_label": "Referrals",
        "category_label": "Referring team",
    }
    return charts.bar_chart(**{**options, **kwargs})


def test_a_bar_chart_shows_its_values_as_text_and_none_as_a_gap():
    chart = bars()
    (trace,) = chart.figure["data"]
    assert trace["type"] == "bar"
    assert trace["x"] == ["Victim services", "Police", "Probation"]
    assert trace["y"] == [120, None, 30.5]
    assert trace["text"] == ["120", "", "30.5"]
    assert chart.table == {
        "caption": "Referrals by team",
        "columns": ["Referring team", "Referrals"],
        "numeric": [False, True],
        "rows": [["Victim services", "120"], ["Police", "No data"], ["Probation", "30.5"]],
    }
    assert chart.data_id == "referrals-by-team-data"


def test_horizontal_bars_with_several_series_and_a_reference_line():
    chart = bars(
        horizontal=True,
        series={"2024": [1200, 5, 7], "2025": [1500, None, 9]},
        reference_lines={"National median": 6.5},
        suffix="%",
        decimals=1,
    )
    first, second = chart.figure["data"]
    assert first["orientation"] == "h" and first["y"] == ["Victim services", "Police", "Probation"]
    assert second["text"] == ["1,500.0%", "", "9.0%"]
    # Series differ by fill pattern as well as colour, and the legend names them.
    assert first["marker"]["pattern"]["shape"] != second["marker"]["pattern"]["shape"]
    assert chart.figure["layout"]["showlegend"] is True
    (shape,) = chart.figure["layout"]["shapes"]
    assert shape["line"]["dash"] == "dash" and shape["x0"] == shape["x1"] == 6.5
    assert chart.figure["layout"]["annotations"][0]["text"] == "National median: 6.5%"
    assert chart.notes == ["National median: 6.5%"]
    assert chart.table["columns"] == ["Referring team", "2024", "2025"]
    assert chart.table["rows"][1] == ["Police", "5.0%", "No data"]


def test_figures_are_plain_json_whatever_numbers_come_in():
    chart = bars(series={"Referrals": [Decimal("2.5"), Fraction(3, 4), float("nan")]})
    figure = chart.figure
    assert json.loads(json.dumps(figure)) == figure
    assert figure["data"][0]["y"] == [2.5, 0.75, None]
    assert chart.table["rows"][2] == ["Probation", "No data"]
    assert figure["config"] == {
        "displayModeBar": False,
        "responsive": True,
        "displaylogo": False,
        "scrollZoom": False,
    }
    assert "Segoe UI" in figure["layout"]["font"]["family"]
    # No plotly template: it would add kilobytes to every chart.
    assert "colorway" not in json.dumps(figure["layout"].get("template", {}))


def test_a_caller_can_supply_its_own_table():
    chart = bars(
        table_columns=["Team", "Referrals", "Share"],
        table_rows=[["Victim services", 120, "80%"], ["Police", None, "0%"], ["Probation", 30, "20%"]],
    )
    assert chart.table["numeric"] == [False, True, True]
    assert chart.table["rows"][1] == ["Police", "No data", "0%"]


@pytest.mark.parametrize("bad_id", ["", "Has Capitals", "1-starts-with-a-digit", "spaces here", None])
def test_chart_ids_must_be_slugs(bad_id):
    with pytest.raises(ValueError, match="slug"):
        bars(id=bad_id)


def test_series_must_match_the_categories():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bars(series={"Referrals": [1, 2]})
    with pytest.raises(TypeError, match="not a number"):
        bars(series={"Referrals": [1, "two", 3]})


def test_a_line_chart_marks_each_series_differently():
    chart = charts.line_chart(
        id="by-month",
        title="Referrals by month",
        summary="Rising.",
        x=["Apr 2025", "May 2025", "Jun 2025"],
        series={"Kent": [3, None, 5], "Median": [2, 2, 2]},
        value_label="Referrals",
        x_label="Month",
    )
    kent, median = chart.figure["data"]
    assert kent["mode"] == "lines+markers" and kent["connectgaps"] is False
    assert kent["y"] == [3, None, 5]
    assert kent["line"]["dash"] != median["line"]["dash"]
    assert kent["marker"]["symbol"] != median["marker"]["symbol"]
    assert chart.table["columns"] == ["Month", "Kent", "Median"]
    assert chart.table["rows"][1] == ["May 2025", "No data", "2"]


def test_a_funnel_gives_counts_and_shares_of_the_first_stage():
    chart = charts.funnel_chart(
        id="funnel",
        title="How far referrals get",
        summary="Of 200 referrals, 60 led to a meeting.",
        stages=["Referred", "Contacted", "Meeting held"],
        counts=[200, 150, 60],
    )
    (trace,) = chart.figure["data"]
    assert trace["type"] == "funnel"
    assert trace["text"] == ["200 (100%)", "150 (75%)", "60 (30%)"]
    assert chart.table["columns"] == ["Stage", "Referrals", "Share of referred"]
    assert chart.table["numeric"] == [False, True, True]
    assert chart.table["rows"] == [
        ["Referred", "200", "100%"],
        ["Contacted", "150", "75%"],
        ["Meeting held", "60", "30%"],
    ]


def test_an_empty_funnel_has_no_shares():
    chart = charts.funnel_chart(id="funnel", title="T", summary="S", stages=["Referred", "Met"], counts=[0, 0])
    assert chart.table["rows"] == [["Referred", "0", "No data"], ["Met", "0", "No data"]]


def area_map(**kwargs):
    options = {
        "id": "rate-map",
        "title": "Referral rate",
        "summary": "Highest in Kent.",
        "codes": ["E23000032", "E23000028", "W15000004"],
        "values": [12.5, None, 3],
        "value_label": "Referrals per 1,000 crimes",
        "hover": ["Kent", "Essex", "Dyfed-Powys"],
        "table_columns": ["Police area", "Referrals per 1,000 crimes"],
        "table_rows": [["Kent", 12.5], ["Essex", None], ["Dyfed-Powys", 3]],
    }
    return charts.area_map(**{**options, **kwargs})


def test_a_map_draws_areas_without_data_in_grey():
    chart = area_map()
    missing, known = chart.figure["data"]
    assert missing["type"] == known["type"] == "choropleth"
    assert missing["locations"] == ["E23000028"]
    assert missing["showscale"] is False
    assert {colour for _, colour in missing["colorscale"]} == {charts.MISSING_COLOUR}
    assert missing["customdata"] == ["Essex<br>No data / suppressed"]
    assert known["locations"] == ["E23000032", "W15000004"]
    assert known["z"] == [12.5, 3]
    assert known["customdata"] == [
        "Kent<br>Referrals per 1,000 crimes: 12.5",
        "Dyfed-Powys<br>Referrals per 1,000 crimes: 3",
    ]
    assert known["colorbar"]["title"]["text"] == "Referrals per 1,000 crimes"
    for trace in (missing, known):
        assert trace["geojson"] == "/static/areas/police_force_areas.geojson"
        assert trace["featureidkey"] == "properties.code"
    geo = chart.figure["layout"]["geo"]
    assert geo["visible"] is False and geo["fitbounds"] == "locations"
    # Nothing from plotly's CDN: any base map would come from our own static files.
    assert chart.figure["config"]["topojsonURL"] == "/static/areas/"
    assert chart.table["rows"][1] == ["Essex", "No data"]


def test_a_map_with_every_value_known_has_one_trace():
    chart = area_map(values=[1, 2, 3], table_rows=[["Kent", 1], ["Essex", 2], ["Dyfed-Powys", 3]])
    assert len(chart.figure["data"]) == 1
    assert "annotations" not in chart.figure["layout"]


def test_map_labels_are_escaped_for_plotly():
    chart = area_map(hover=["Kent <b>", "Essex", "Dyfed-Powys"])
    assert chart.figure["data"][1]["customdata"][0].startswith("Kent &lt;b&gt;<br>")


def test_the_boundaries_file_has_the_codes_the_map_uses():
    path = finders.find("areas/police_force_areas.geojson")
    features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    assert len(features) == 43
    assert {"code", "name"} <= set(features[0]["properties"])


# The figures against plotly's schema --------------------------------------------------------
# The builders write plotly.js's JSON by hand (plotly.py's validation was too slow for the
# dashboard), so nothing else checks a property name or value before the browser sees it.


def lines(**kwargs):
    options = {
        "id": "by-month",
        "title": "Referrals by month",
        "summary": "Rising.",
        "x": ["Apr 2025", "May 2025", "Jun 2025"],
        "series": {"Kent": [3, None, 5], "Median": [2, 2, 2]},
        "value_label": "Referrals",
    }
    return charts.line_chart(**{**options, **kwargs})


def funnel(**kwargs):
    options = {
        "id": "funnel",
        "title": "How far referrals get",
        "summary": "Most are contacted.",
        "stages": ["Referred", "Contacted", "Meeting held", "Agreement", "Closed"],
        "counts": [200, 150, 60, 40, None],
    }
    return charts.funnel_chart(**{**options, **kwargs})


def funnel_plot(**kwargs):
    options = {
        "id": "funnel-plot",
        "title": "Robbery referrals against recorded robbery",
        "summary": "Kent is within the limits.",
        "points": [("Kent", 1200, 3.5), ("Essex", 900, 1.25), ("Dyfed-Powys", 150, Decimal("6.0"))],
        "limits": {"95%": ([100, 1000], [0.5, 2.0], [8.0, 5.0]), "99.8%": ([100, 1000], [0.1, 1.5], [10.0, 5.5])},
        "target": 3.4,
        "x_label": "Recorded robbery",
        "value_label": "Referrals per 1,000",
        "highlight": ["Kent"],
    }
    return charts.funnel_plot(**{**options, **kwargs})


def test_a_funnel_plot_highlights_the_viewers_area_and_draws_both_limits():
    chart = funnel_plot()
    names = [trace["name"] for trace in chart.figure["data"]]
    assert names.count("95% control limits") == 2 and names.count("99.8% control limits") == 2
    assert names[-2:] == ["Police areas", "Kent"]
    assert chart.table["rows"][0] == ["Kent", "1,200", "3.5"]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: bars(), id="bar"),
        pytest.param(lambda: bars(series={"2024": [1, 2, 3], "2025": [3, None, 1]}), id="bar-series"),
        pytest.param(lambda: bars(reference_lines={"National median": Decimal("6.5")}), id="bar-reference"),
        pytest.param(
            lambda: bars(
                horizontal=True,
                series={"2024": [1200, 5, 7], "2025": [1500, None, 9]},
                reference_lines={"National median": 6.5, "Top quartile": 9},
                decimals=1,
                suffix="%",
            ),
            id="bar-horizontal-reference",
        ),
        pytest.param(lambda: lines(), id="line"),
        pytest.param(lambda: lines(series={"Kent": [1, 2, 3]}), id="line-single"),
        pytest.param(lambda: funnel(), id="funnel"),
        pytest.param(lambda: funnel_plot(), id="funnel-plot"),
        pytest.param(lambda: funnel_plot(highlight=[]), id="funnel-plot-no-highlight"),
        pytest.param(lambda: area_map(), id="map-missing"),
        pytest.param(
            lambda: area_map(values=[1, 2, 3], table_rows=[["Kent", 1], ["Essex", 2], ["Dyfed-Powys", 3]]),
            id="map-complete",
        ),
        pytest.param(lambda: area_map(values=[None, None, None]), id="map-no-data"),
    ],
)
def test_every_figure_is_valid_for_plotly(build):
    figure = build().figure
    # config is Plotly.newPlot's third argument; tableRowKeys is for charts.js (map taps).
    plot = {key: value for key, value in figure.items() if key not in {"config", "tableRowKeys"}}
    # plotly.py raises ValueError on a property plotly.js does not have or a value it does not
    # accept, anywhere in the figure...
    checked = go.Figure(plot)
    # ...and reads the rest back unchanged: every trace names its type, nothing is coerced.
    assert json.loads(checked.to_json()) == plot
    assert all(trace["type"] in TRACE_TYPES for trace in plot["data"])


def test_a_chart_layout_is_merged_into_the_shared_one_key_by_key():
    layout = charts._layout(margin={"r": 120}, xaxis={"type": "category"})
    assert layout["margin"] == {"l": 8, "r": 120, "t": 32, "b": 8}
    assert layout["xaxis"] == {"type": "category"}
    # What plotly's template="none" comes to: no theme to send with every chart.
    assert layout["template"] == {"data": {"scatter": [{"type": "scatter"}]}}
    assert charts._layout()["margin"] == {"l": 8, "r": 8, "t": 32, "b": 8}


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        (1234567, {}, "1,234,567"),
        (12.0, {}, "12"),
        (12.345, {}, "12.35"),
        (0.5, {"suffix": "%"}, "0.5%"),
        (2, {"decimals": 1}, "2.0"),
        (None, {}, ""),
        (float("nan"), {}, ""),
    ],
)
def test_format_number(value, options, expected):
    assert charts.format_number(value, **options) == expected


# The template ----------------------------------------------------------------------------


def test_the_chart_template_renders_figure_data_table_and_csv_link():
    html = render_to_string("includes/chart.html", {"chart": bars(csv_url="/dashboard/teams.csv")})
    assert '<h2 class="govuk-heading-m" id="referrals-by-team-title">Referrals by team</h2>' in html
    assert '<p class="govuk-body">Victim services referred the most.</p>' in html
    assert 'data-rj-chart="referrals-by-team-data"' in html
    assert 'data-rj-plotly-src="/static/js/plotly-charts.min.js"' in html
    assert 'aria-hidden="true"' in html
    assert '<script id="referrals-by-team-data" type="application/json">' in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Referrals</th>' in html
    assert '<th scope="row" class="govuk-table__header">Police</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">No data</td>' in html
    assert 'href="/dashboard/teams.csv"' in html and "Download this data (CSV)" in html
    # Only the JSON data block: no script that the browser would run.
    assert html.count("<script") == 1


def test_the_heading_level_can_change_and_the_csv_link_is_optional():
    html = render_to_string("includes/chart.html", {"chart": bars(), "heading_level": 3})
    assert '<h3 class="govuk-heading-m"' in html
    assert "Download this data" not in html


def test_figure_json_cannot_break_out_of_its_script_element():
    html = render_to_string("includes/chart.html", {"chart": bars(categories=["</script><b>", "b", "c"])})
    assert "</script><b>" not in html


# The CSP allowance for chart pages ------------------------------------------------------


def test_charts_csp_allows_only_the_empty_style_attribute():
    response = charts_csp(lambda request: HttpResponse())(RequestFactory().get("/"))
    assert response._csp_update == {"style-src-attr": ["'unsafe-hashes'", EMPTY_STYLE_HASH]}


def test_the_mixin_applies_it_to_class_based_views():
    class ChartView(ChartsCspMixin, View):
        def get(self, request):
            return HttpResponse()

    response = ChartView.as_view()(RequestFactory().get("/"))
    assert response._csp_update["style-src-attr"] == ["'unsafe-hashes'", EMPTY_STYLE_HASH]


@pytest.mark.urls("tests.rjportal.chart_urls")
def test_chart_pages_get_the_allowance_and_other_pages_do_not(client, db):
    chart_policy = client.get("/test-charts/")["Content-Security-Policy"]
    assert f"style-src-attr 'unsafe-hashes' {EMPTY_STYLE_HASH}" in chart_policy
    assert "script-src 'self';" in chart_policy + ";"
    assert "unsafe-inline" not in chart_policy
    assert "style-src-attr" not in client.get("/")["Content-Security-Policy"]


# Serving plotly.js ----------------------------------------------------------------------
# Our own bundle, from our own static files: plotly.js with only the trace types drawn here.


def bundle_head():
    path = finders.find("js/plotly-charts.min.js")
    assert path, "build/js/plotly-charts.min.js is missing: run npm run build"
    return Path(path).read_text(encoding="utf-8")[:300]


def test_the_bundle_is_the_plotly_js_that_the_figures_are_validated_against():
    version = re.search(r"plotly\.js v(\d+)\.(\d+)\.(\d+)", bundle_head()).groups()
    assert version[0] == plotly.offline.get_plotlyjs_version().split(".")[0]


def test_the_bundle_draws_every_trace_type_the_builders_use_and_no_more():
    listed = re.search(r"RJ Portal bundle: ([a-z, ]+)\)", bundle_head()).group(1)
    assert set(listed.split(", ")) == TRACE_TYPES


def test_the_bundle_is_within_its_budget():
    # Chart pages also load GOV.UK and MoJ Frontend (about 120 KB): 1.5 MB of JavaScript in all.
    assert Path(finders.find("js/plotly-charts.min.js")).stat().st_size <= 1_400_000


def test_collectstatic_copies_the_bundle_and_not_the_full_plotly_js(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "js" / "plotly-charts.min.js").stat().st_size > 1_000_000
    assert not (tmp_path / "js" / "plotly.min.js").exists()


# Narrow screens ---------------------------------------------------------------------------


def test_long_category_labels_are_wrapped_on_the_axis_and_kept_whole_in_the_data():
    chart = bars(
        horizontal=True,
        categories=["Violence against the person", "Miscellaneous crimes against society", "Theft"],
        series={"Kent": [1, 2, 3]},
    )
    axis = chart.figure["layout"]["yaxis"]
    assert axis["tickmode"] == "array"
    assert axis["tickvals"] == ["Violence against the person", "Miscellaneous crimes against society", "Theft"]
    assert axis["ticktext"] == ["Violence against the<br>person", "Miscellaneous crimes<br>against society", "Theft"]
    assert chart.figure["data"][0]["y"][0] == "Violence against the person"
    assert chart.table["rows"][0][0] == "Violence against the person"
    # Room for the values written past the longest bar.
    assert chart.figure["layout"]["margin"]["r"] == 64


def test_short_labels_are_left_alone():
    axis = bars().figure["layout"]["xaxis"]
    assert "ticktext" not in axis and "tickvals" not in axis
    assert bars().figure["layout"]["margin"]["r"] == 8


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Theft", 20, "Theft"),
        ("Public order offences", 20, "Public order<br>offences"),
        ("A very long label that goes on and on", 12, "A very long<br>label that…"),
        ("Kent <b> team", 20, "Kent &lt;b&gt; team"),
        ("Supercalifragilisticexpialidocious", 10, "Supercalifragilisticexpialidocious"),
    ],
)
def test_wrap_label(text, width, expected):
    assert charts.wrap_label(text, width) == expected


def test_a_map_says_which_table_row_is_which_area():
    chart = area_map()
    assert chart.figure["tableRowKeys"] == ["E23000032", "E23000028", "W15000004"]
    assert [row[0] for row in chart.table["rows"]] == ["Kent", "Essex", "Dyfed-Powys"]


def test_a_map_whose_table_is_not_one_row_per_area_has_no_row_keys():
    chart = area_map(table_rows=[["Kent and Essex", 12.5]])
    assert "tableRowKeys" not in chart.figure
