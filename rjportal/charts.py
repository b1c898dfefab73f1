"""Charts: pure functions that turn numbers into a `Chart` (dashboard, pledge register).

A `Chart` holds everything `templates/includes/chart.html` needs: a title, a plain-English
summary written by the caller, a plotly figure as a plain JSON-safe dict in plotly.js's own
format (`{"data": [traces], "layout": {...}, "config": {...}}`, drawn in the browser by
static/js/charts.js from our own copy of plotly.js) and the same data as a table. The plot is
hidden from assistive technology; the summary and the table are the accessible alternative,
so every chart has both.

Colour is never the only cue: bars carry their values as text and series get a fill pattern,
lines get distinct markers and dash styles, reference lines are labelled, and maps mark areas
without data in grey and say so on hover and in the table.
"""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Integral, Real

from django.conf import settings
from django.templatetags.static import static

# Figures are built as plain dicts, not with plotly.graph_objects: plotly's Python-side property
# validation (and its JSON encoder) cost about 8 ms a chart, the largest part of the dashboard
# page's server time. Nothing checks these dicts when a page is served, so
# tests/rjportal/test_charts.py validates every builder's output against plotly's own schema.

# The page's system font stack (assets/scss/_settings.scss), so charts match the text around them.
FONT_FAMILY = 'system-ui, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#d9d9d9"
MISSING_COLOUR = "#f3f2f1"
BOUNDARY_COLOUR = "#505a5f"
# Series colours: each has at least 3:1 contrast with white (WCAG 1.4.11) and the first two
# (blue, vermilion) stay distinct for the common kinds of colour blindness.
PALETTE = ("#1d70b8", "#b34700", "#00703c", "#4c2c92", "#505a5f", "#912b88")
BAR_PATTERNS = ("", "/", ".", "x", "\\", "+")
LINE_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
LINE_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross")
# A sequential scale that is readable in greyscale and by people with colour blindness: the
# darker two thirds of ColorBrewer's "Blues", so the lowest values still stand out from the
# page and from the grey of areas without data.
MAP_COLOUR_SCALE = [[0, "#c6dbef"], [0.25, "#9ecae1"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1, "#08306b"]]
MISSING_LABEL = "No data"
MAP_MISSING_HOVER = "No data / suppressed"
GEOJSON_STATIC_PATH = "areas/police_force_areas.geojson"
# Category labels longer than this are wrapped onto a second line on the axis.
LABEL_WRAP_CHARS = 20

VALUE_AXIS = {"rangemode": "tozero", "gridcolor": GRID_COLOUR, "zeroline": False, "automargin": True, "tickformat": ","}
CATEGORY_AXIS = {
    "type": "category",
    "showgrid": False,
    "showline": True,
    "linecolor": BOUNDARY_COLOUR,
    "automargin": True,
}

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_NUMERIC_TEXT = re.compile(r"^[-+]?[£]?[\d,]*\.?\d+%?$")


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str
    figure: dict
    table: dict
    csv_url: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def data_id(self):
        """The id of the json_script element that carries the figure."""
        return f"{self.id}-data"

    def as_dict(self):
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "figure": self.figure,
            "table": self.table,
            "csv_url": self.csv_url,
            "notes": list(self.notes),
        }


def format_number(value, *, decimals=None, suffix=""):
    """A number as the page shows it: thousands separated, `decimals` places (when None: whole
    numbers as they are, other numbers to at most two places), then `suffix`. None (or NaN)
    becomes an empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if decimals is None:
        number = float(value)
        text = f"{int(number):,}" if number.is_integer() else f"{number:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{float(value):,.{decimals}f}"
    return f"{text}{suffix}"


# Builders --------------------------------------------------------------------------------


def bar_chart(
    *,
    id,
    title,
    summary,
    categories,
    series,
    value_label,
    horizontal=False,
    category_label="Category",
    decimals=None,
    suffix="",
    table_caption=None,
    table_rows=None,
    table_columns=None,
    table_numeric=None,
    csv_url=None,
    reference_lines=None,
):
    """Bars for each category, one group per series (`{series name: values}`); None values are
    gaps, labelled "No data" in the table. `reference_lines` (`{"National median": 12.5}`)
    draws labelled dashed lines across the value axis."""
    _check_id(id)
    categories = [str(category) for category in categories]
    series = {str(name): _clean_values(values, len(categories), name) for name, values in series.items()}
    traces = []
    for index, (name, values) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        traces.append(
            {
                "type": "bar",
                "name": name,
                "orientation": "h" if horizontal else "v",
                "x": values if horizontal else categories,
                "y": categories if horizontal else values,
                "text": [format_number(value, decimals=decimals, suffix=suffix) for value in values],
                "textposition": "outside",
                "cliponaxis": False,
                "textfont": {"color": TEXT_COLOUR},
                "marker": {
                    "color": colour,
                    "line": {"color": colour, "width": 1},
                    "pattern": {
                        "shape": BAR_PATTERNS[index % len(BAR_PATTERNS)],
                        "fgcolor": "#ffffff",
                        "fillmode": "overlay",
                        "solidity": 0.3,
                    },
                },
                "hovertemplate": f"%{{{'y' if horizontal else 'x'}}}<br>{_escape(name)}: %{{text}}<extra></extra>",
            }
        )
    notes, shapes, annotations = [], [], []
    for label, value in (reference_lines or {}).items():
        text = f"{label}: {format_number(value, decimals=decimals, suffix=suffix)}"
        notes.append(text)
        value = _plain(value)
        line = {"color": TEXT_COLOUR, "width": 2, "dash": "dash"}
        if horizontal:
            shapes.append(
                {"type": "line", "xref": "x", "yref": "paper", "x0": value, "x1": value, "y0": 0, "y1": 1, "line": line}
            )
            annotations.append(
                {
                    "x": value,
                    "xref": "x",
                    "y": 1,
                    "yref": "paper",
                    "yanchor": "bottom",
                    "text": _escape(text),
                    "showarrow": False,
                }
            )
        else:
            shapes.append(
                {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": value, "y1": value, "line": line}
            )
            annotations.append(
                {
                    "x": 1, "xref": "paper", "xanchor": "right", "y": value, "yref": "y", "yanchor": "bottom",
                    "text": _escape(text), "showarrow": False, "bgcolor": "rgba(255,255,255,0.85)",
                }
            )  # fmt: skip
    value_axis = {**VALUE_AXIS, "title": {"text": _escape(value_label)}}
    category_axis = {**CATEGORY_AXIS, **_wrapped_ticks(categories)}
    if horizontal:
        category_axis["autorange"] = "reversed"  # first category at the top, as in the table
    layout = _layout(
        barmode="group",
        showlegend=len(series) > 1,
        xaxis=value_axis if horizontal else category_axis,
        yaxis=category_axis if horizontal else value_axis,
        # Values written beyond the longest bar need room at the end of the value axis.
        margin={"r": 64} if horizontal else {},
    )
    if shapes:
        layout["shapes"] = shapes
        layout["annotations"] = annotations
    return _series_chart(
        id=id,
        title=title,
        summary=summary,
        figure=_figure(traces, layout),
        label=category_label,
        categories=categories,
        series=series,
        value_label=value_label,
        table=(table_caption, table_columns, table_rows, table_numeric),
        decimals=decimals,
        suffix=suffix,
        csv_url=csv_url,
        notes=notes,
    )


def line_chart(
    *,
    id,
    title,
    summary,
    x,
    series,
    value_label,
    x_label="Period",
    decimals=None,
    suffix="",
    table_caption=None,
    table_rows=None,
    table_columns=None,
    table_numeric=None,
    csv_url=None,
):
    """One line per series over `x` (periods as labels, e.g. "Apr 2025"), with markers and a
    different dash style and marker shape for each series. None values break the line."""
    _check_id(id)
    x = [str(value) for value in x]
    series = {str(name): _clean_values(values, len(x), name) for name, values in series.items()}
    traces = []
    for index, (name, values) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        traces.append(
            {
                "type": "scatter",
                "name": name,
                "x": x,
                "y": values,
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": colour, "width": 3, "dash": LINE_DASHES[index % len(LINE_DASHES)]},
                "marker": {"color": colour, "size": 9, "symbol": LINE_SYMBOLS[index % len(LINE_SYMBOLS)]},
                "text": [format_number(value, decimals=decimals, suffix=suffix) for value in values],
                "hovertemplate": f"%{{x}}<br>{_escape(name)}: %{{text}}<extra></extra>",
            }
        )
    layout = _layout(
        showlegend=len(series) > 1,
        hovermode="closest",
        xaxis={**CATEGORY_AXIS, "title": {"text": _escape(x_label)}},
        yaxis={**VALUE_AXIS, "title": {"text": _escape(value_label)}},
    )
    return _series_chart(
        id=id,
        title=title,
        summary=summary,
        figure=_figure(traces, layout),
        label=x_label,
        categories=x,
        series=series,
        value_label=value_label,
        table=(table_caption, table_columns, table_rows, table_numeric),
        decimals=decimals,
        suffix=suffix,
        csv_url=csv_url,
    )


def funnel_chart(
    *,
    id,
    title,
    summary,
    stages,
    counts,
    stage_label="Stage",
    count_label="Referrals",
    table_caption=None,
    csv_url=None,
):
    """How many reached each stage, and what share of the first stage that is."""
    _check_id(id)
    stages = [str(stage) for stage in stages]
    counts = _clean_values(counts, len(stages), count_label)
    counts = [0 if value is None else value for value in counts]
    first = counts[0] if counts else 0
    shares = [None if not first else value / first * 100 for value in counts]
    labels = [
        f"{format_number(value)} ({format_number(share, decimals=0, suffix='%')})" if share is not None
        else format_number(value)
        for value, share in zip(counts, shares, strict=True)
    ]  # fmt: skip
    trace = {
        "type": "funnel",
        "y": stages,
        "x": counts,
        "text": labels,
        "textinfo": "text",
        "textposition": "outside",
        "cliponaxis": False,
        "textfont": {"color": TEXT_COLOUR},
        "marker": {"color": PALETTE[0]},
        "connector": {"fillcolor": "#d2e2f1", "line": {"width": 0}},
        "hovertemplate": "%{y}<br>" + _escape(count_label) + ": %{text}<extra></extra>",
    }
    layout = _layout(showlegend=False, yaxis={"automargin": True}, margin={"l": 8, "r": 120, "t": 16, "b": 16})
    rows = [[stage, count, share] for stage, count, share in zip(stages, counts, shares, strict=True)]
    table = _table(
        table_caption or title,
        [stage_label, count_label, f"Share of {stages[0].lower()}" if stages else "Share"],
        rows,
        [False, True, True],
        None,
        "",
    )
    # The share column carries its own unit.
    for row, share in zip(table["rows"], shares, strict=True):
        row[2] = format_number(share, decimals=0, suffix="%") if share is not None else MISSING_LABEL
    return Chart(id=id, title=title, summary=summary, figure=_figure([trace], layout), table=table, csv_url=csv_url)


def funnel_plot(
    *,
    id,
    title,
    summary,
    points,
    limits,
    target,
    x_label,
    value_label,
    highlight=(),
    decimals=2,
    table_caption=None,
    table_columns=None,
    table_rows=None,
    table_numeric=None,
    csv_url=None,
):
    """A funnel plot: each unit's rate (`points`: [(name, size, rate)]) against its size, with
    the target rate and control limits (`limits`: {"95%": (sizes, lower rates, upper rates),
    "99.8%": ...}) drawn as lines that narrow as size grows. Units named in `highlight` are
    drawn in a second colour and a larger marker, and named in the legend."""
    _check_id(id)
    highlight = set(highlight)
    traces = []
    limit_styles = {"95%": "dash", "99.8%": "dot"}
    for label, (sizes, lower, upper) in limits.items():
        sizes = _clean_values(sizes, len(sizes), f"{label} sizes")
        for side, values in (("lower", lower), ("upper", upper)):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{label} control limits",
                    "legendgroup": label,
                    "showlegend": side == "lower",
                    "x": sizes,
                    "y": _clean_values(values, len(sizes), f"{label} {side}"),
                    "line": {"color": BOUNDARY_COLOUR, "width": 1.5, "dash": limit_styles.get(label, "dash")},
                    "hoverinfo": "skip",
                }
            )
    all_sizes = [size for _name, size, _rate in points] or [0]
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "National rate",
            "x": [0, _plain(max(all_sizes))],
            "y": [_plain(target), _plain(target)],
            "line": {"color": TEXT_COLOUR, "width": 2},
            "hoverinfo": "skip",
        }
    )
    for is_highlighted in (False, True):
        chosen = [point for point in points if (point[0] in highlight) == is_highlighted]
        if not chosen:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": ", ".join(name for name, _size, _rate in chosen) if is_highlighted else "Police areas",
                "x": [_plain(size) for _name, size, _rate in chosen],
                "y": [_plain(rate) for _name, _size, rate in chosen],
                "text": [_escape(name) for name, _size, _rate in chosen],
                "marker": {
                    "color": PALETTE[1] if is_highlighted else PALETTE[0],
                    "size": 14 if is_highlighted else 9,
                    "symbol": "diamond" if is_highlighted else "circle",
                    "line": {"color": "#ffffff", "width": 1},
                },
                "hovertemplate": "%{text}<br>" + _escape(value_label) + ": %{y:.2f}<extra></extra>",
            }
        )
    layout = _layout(
        showlegend=True,
        xaxis={**VALUE_AXIS, "title": {"text": _escape(x_label)}},
        yaxis={**VALUE_AXIS, "title": {"text": _escape(value_label)}},
    )
    rows = table_rows if table_rows is not None else [[name, size, rate] for name, size, rate in points]
    columns = table_columns or ["Police area", x_label, value_label]
    return Chart(
        id=id,
        title=title,
        summary=summary,
        figure=_figure(traces, layout),
        table=_table(table_caption or title, columns, rows, table_numeric, None, ""),
        csv_url=csv_url,
    )


def area_map(
    *,
    id,
    title,
    summary,
    codes,
    values,
    value_label,
    hover,
    table_rows,
    table_columns,
    geojson_url=None,
    table_numeric=None,
    table_caption=None,
    decimals=None,
    suffix="",
    csv_url=None,
):
    """A choropleth of police force areas. `codes` are area codes (E23000001…), `values` the
    figure for each (None when there is no data or it is suppressed: drawn in light grey),
    `hover` a label for each area (usually its name; the value is added). The boundaries come
    from our static file `areas/police_force_areas.geojson` unless `geojson_url` says otherwise."""
    _check_id(id)
    caller_rows = table_rows is not None
    codes = [str(code) for code in codes]
    values = _clean_values(values, len(codes), value_label)
    if len(hover) != len(codes):
        raise ValueError("hover needs one label for each area code")
    geojson_url = geojson_url or static(GEOJSON_STATIC_PATH)
    known = [index for index, value in enumerate(values) if value is not None]
    missing = [index for index, value in enumerate(values) if value is None]

    def choropleth(**trace):
        return {
            "type": "choropleth",
            **trace,
            "geojson": geojson_url,
            "featureidkey": "properties.code",
            "marker": {"line": {"color": BOUNDARY_COLOUR, "width": 0.6}},
            "hovertemplate": "%{customdata}<extra></extra>",
        }

    traces = []
    if missing:
        traces.append(
            choropleth(
                name=MAP_MISSING_HOVER,
                locations=[codes[index] for index in missing],
                z=[0] * len(missing),
                colorscale=[[0, MISSING_COLOUR], [1, MISSING_COLOUR]],
                showscale=False,
                customdata=[f"{_escape(hover[index])}<br>{MAP_MISSING_HOVER}" for index in missing],
            )
        )
    if known:
        traces.append(
            choropleth(
                name=value_label,
                locations=[codes[index] for index in known],
                z=[values[index] for index in known],
                colorscale=[list(stop) for stop in MAP_COLOUR_SCALE],
                # The scale starts at zero, so a pale area means a low figure, not just the lowest.
                zauto=False,
                zmin=0,
                zmax=max(max(values[index] for index in known), 0) or 1,
                # The key runs along the bottom: beside the map it took a fifth of a phone's width.
                colorbar={
                    "title": {"text": _escape(value_label), "side": "top"},
                    "orientation": "h",
                    "x": 0.5,
                    "xanchor": "center",
                    "y": 0,
                    "yanchor": "top",
                    "len": 0.9,
                    "outlinewidth": 0,
                    "thickness": 14,
                    "tickformat": ",",
                },
                customdata=[
                    f"{_escape(hover[index])}<br>{_escape(value_label)}: "
                    f"{format_number(values[index], decimals=decimals, suffix=suffix)}"
                    for index in known
                ],
            )
        )
    layout = _layout(
        showlegend=False,
        margin={"l": 0, "r": 0, "t": 0, "b": 72 if known else 0},  # room for the key below
        geo={
            "visible": False,
            "fitbounds": "locations",
            "projection": {"type": "mercator"},
            "bgcolor": "rgba(0,0,0,0)",
        },
    )
    if missing:
        layout["annotations"] = [
            {
                "x": 0, "y": 0, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "bottom",
                "showarrow": False, "align": "left", "text": f"Grey: {MAP_MISSING_HOVER.lower()}",
            }
        ]  # fmt: skip
    figure = _figure(traces, layout)
    if not caller_rows or len(table_rows) == len(codes):
        # Row i of the table is area codes[i] (callers give rows in the order of `codes`): a tap
        # on an area opens its row's link, or shows the row (static/js/charts.js). Not plotly's.
        figure["tableRowKeys"] = codes
    # plotly.js would fetch a base map from its CDN for geo subplots: point it at our own static
    # files instead (static/js/charts.js also gives it an empty base map, so nothing is fetched).
    # (A folder, so not through static(): hashed file names have no entry for it.)
    figure["config"]["topojsonURL"] = f"{settings.STATIC_URL}areas/"
    return Chart(
        id=id,
        title=title,
        summary=summary,
        figure=figure,
        table=_table(
            table_caption or title,
            table_columns,
            table_rows,
            table_numeric,
            *_table_format(caller_rows, decimals, suffix),
        ),
        csv_url=csv_url,
    )


# Helpers ---------------------------------------------------------------------------------


def wrap_label(text, width=LABEL_WRAP_CHARS):
    """`text` in lines of at most `width` characters where it has spaces, joined by <br> (how
    plotly.js breaks lines), escaped for plotly. More than two lines end with an ellipsis: the
    table under the chart has every label in full."""
    lines = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return "<br>".join(_escape(line) for line in lines)


def _wrapped_ticks(categories):
    """Tick labels for a category axis whose labels are long: wrapped, so that the plot keeps its
    width on a narrow screen (static/js/charts.js wraps them shorter still on a phone). The
    categories themselves, which hover labels and the table use, stay whole."""
    if all(len(category) <= LABEL_WRAP_CHARS for category in categories):
        return {}
    return {"tickmode": "array", "tickvals": list(categories), "ticktext": [wrap_label(c) for c in categories]}


def _check_id(value):
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"chart id must be a slug of lower-case letters, digits and hyphens: {value!r}")


def _clean_values(values, length, name):
    values = list(values)
    if len(values) != length:
        raise ValueError(f"{name!r} has {len(values)} values for {length} categories")
    cleaned = []
    for value in values:
        if value is not None and not _is_number(value):
            raise TypeError(f"{name!r} has a value that is not a number: {value!r}")
        cleaned.append(_plain(value))
    return cleaned


def _is_number(value):
    return isinstance(value, (Real, Decimal)) and not isinstance(value, bool)


def _plain(value):
    """A number as JSON has it: int() and float() turn Decimal and numpy numbers into plain
    numbers, and NaN (of any kind) or infinity becomes None, as plotly's own encoder made them.
    Anything else is left as it is."""
    if not _is_number(value):
        return value
    if isinstance(value, Integral):
        return int(value)
    number = float(value)
    return number if math.isfinite(number) else None


def _series_column(name, value_label, series):
    return value_label if len(series) == 1 else name


def _escape(text):
    """Plotly treats some HTML-like tags in labels as markup; show them as typed."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _series_chart(
    *, id, title, summary, figure, label, categories, series, value_label, table, decimals, suffix, csv_url, notes=()
):
    """A bar or line chart's `Chart`. Without rows from the caller, the table has one row per
    category and one column per series, formatted like the chart's labels."""
    caption, columns, rows, numeric = table
    caller_rows = rows is not None
    if not caller_rows:
        columns = [label, *(_series_column(name, value_label, series) for name in series)]
        rows = [[category, *(values[row] for values in series.values())] for row, category in enumerate(categories)]
    return Chart(
        id=id,
        title=title,
        summary=summary,
        figure=figure,
        table=_table(caption or title, columns, rows, numeric, *_table_format(caller_rows, decimals, suffix)),
        csv_url=csv_url,
        notes=list(notes),
    )


def _table_format(caller_rows, decimals, suffix):
    """Rows the caller gives are already rounded and mix counts with rates: show them as they
    are. Rows built here from the series take the chart's decimals and suffix."""
    return (None, "") if caller_rows else (decimals, suffix)


def _table(caption, columns, rows, numeric, decimals, suffix):
    columns = [str(column) for column in columns]
    rows = [list(row) for row in rows]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"table row {row!r} does not have {len(columns)} cells")
    if numeric is None:
        numeric = [_is_numeric_column([row[index] for row in rows]) for index in range(len(columns))]
    if len(numeric) != len(columns):
        raise ValueError("table_numeric needs one flag for each column")
    return {
        "caption": str(caption),
        "columns": columns,
        "numeric": [bool(flag) for flag in numeric],
        "rows": [[_cell(cell, decimals, suffix) for cell in row] for row in rows],
    }


def _is_numeric_column(cells):
    present = [cell for cell in cells if cell is not None and cell != "" and cell != MISSING_LABEL]
    return bool(present) and all(
        _is_number(cell) or (isinstance(cell, str) and _NUMERIC_TEXT.match(cell.strip())) for cell in present
    )


def _cell(value, decimals, suffix):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING_LABEL
    if _is_number(value):
        return format_number(value, decimals=decimals, suffix=suffix)
    return str(value)


def _layout(**layout):
    """The layout every chart shares, with the chart's own `layout` merged in: nested dicts
    (`margin`, `xaxis`…) key by key, as plotly's `update_layout` did."""
    return _merge(
        {
            # What plotly's `template="none"` serialises to: no theme, so no kilobytes of styling.
            "template": {"data": {"scatter": [{"type": "scatter"}]}},
            "font": {"family": FONT_FAMILY, "size": 14, "color": TEXT_COLOUR},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "margin": {"l": 8, "r": 8, "t": 32, "b": 8},
            "autosize": True,
            "dragmode": False,
            "separators": ".,",
            "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 14}},
            "legend": {
                "orientation": "h",
                "x": 0,
                "y": 1.02,
                "xanchor": "left",
                "yanchor": "bottom",
                "traceorder": "normal",
            },
        },
        layout,
    )


def _merge(base, override):
    """`base` updated with `override`, recursing into dicts that both have (a new dict; neither
    argument changes)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _figure(traces, layout):
    """The figure as static/js/charts.js passes it to Plotly.newPlot: traces (each with its
    `type`), layout and config."""
    return {
        "data": traces,
        "layout": layout,
        "config": {"displayModeBar": False, "responsive": True, "displaylogo": False, "scrollZoom": False},
    }
