"""Charts for the dashboard pages, drawn from the same report tables that the pages show and
the downloads hold (dashboard/reports.py)."""

from decimal import Decimal

from rjportal.charts import area_map, bar_chart, funnel_chart, funnel_plot, line_chart
from rjportal.money import pence_to_pounds


def _chart_id(key):
    return key.replace("_", "-")


def _table_arguments(table, csv_url):
    return {
        "table_caption": table.title,
        "table_columns": table.columns,
        "table_rows": table.rows,
        "table_numeric": table.numeric,
        "csv_url": csv_url,
    }


def _pounds_text(cell):
    """A money cell as the page's tables show it (1,234.50); words stay words."""
    return f"{cell:,.2f}" if isinstance(cell, Decimal) else cell


def spend_chart(report, table, csv_url):
    """Spend in each quarter of the year, or None when none is recorded (the table alone says so)."""
    money = report.money
    if money is None or money.spend_pence is None:
        return None
    begun = report.quarters_begun
    summary = (
        f"{pence_to_pounds(money.spend_pence)} recorded in {money.quarters_recorded} of the {begun} "
        f"quarter{'s' if begun != 1 else ''} of {money.year.label} that have begun."
    )
    if money.budget is not None and money.spend_share_of_budget is not None:
        summary += f" That is {money.spend_share_of_budget * 100:.0f}% of the budget of "
        summary += f"{pence_to_pounds(money.budget.amount_pence)}."
    return bar_chart(
        id=_chart_id("spend"),
        title=table.title,
        summary=summary,
        categories=[f"Q{quarter.number}" for quarter in money.quarters],
        series={
            "Spend (£)": [
                quarter.amount_pence / 100 if quarter.amount_pence is not None else None for quarter in money.quarters
            ]
        },
        value_label="Spend (£)",
        category_label="Quarter",
        decimals=2,
        table_caption=table.title,
        table_columns=table.columns,
        table_rows=[[_pounds_text(cell) for cell in row] for row in table.rows],
        table_numeric=table.numeric,
        csv_url=csv_url,
    )


def area_charts(report, tables, csv_urls) -> dict:
    crime = tables["crime_type"]
    with_rates = [row for row in report.crime_gaps if row["recorded_crime"]]
    shortfall = next((row for row in report.crime_gaps if row["judgement"] and row["judgement"].is_shortfall), None)
    teams = tables["teams"]
    categories = tables["team_categories"]
    trend = tables["trend"]
    charts = {
        "crime_type": bar_chart(
            id=_chart_id("crime_type"),
            title=crime.title,
            summary=(
                "No police recorded crime figures are loaded, so no rates can be worked out."
                if report.year_ending is None
                else f"The most significant shortfall against the national rate is in "
                f"{shortfall['label'].lower()} ({shortfall['band'].label.lower()})."
                if shortfall
                else "No offence group's shortfall is beyond what chance would explain."
            ),
            categories=[row["label"] for row in with_rates],
            series={
                report.area.name: [row["rate"] for row in with_rates],
                "National median": [row["national_median"] for row in with_rates],
            },
            value_label="Referrals per 1,000 recorded crimes",
            category_label="Offence group",
            horizontal=True,
            decimals=2,
            **_table_arguments(crime, csv_urls["crime_type"]),
        ),
        "team_categories": bar_chart(
            id=_chart_id("team_categories"),
            title=categories.title,
            summary="Each category's share of the area's referrals, beside its share of referrals nationally.",
            categories=[row["label"] for row in report.category_gaps],
            series={
                report.area.name: [_percent(row["share"]) for row in report.category_gaps],
                "England and Wales": [_percent(row["national_share"]) for row in report.category_gaps],
            },
            value_label="Share of referrals (%)",
            category_label="Team category",
            horizontal=True,
            decimals=1,
            suffix="%",
            **_table_arguments(categories, csv_urls["team_categories"]),
        ),
        "teams": bar_chart(
            id=_chart_id("teams"),
            title=teams.title,
            summary=f"{len(report.teams) - len(report.silent_teams)} of {len(report.teams)} teams referred "
            "someone in this period.",
            categories=[team.name for team in report.teams],
            series={"Referrals": [team.referral_count for team in report.teams]},
            value_label="Referrals",
            category_label="Team",
            horizontal=True,
            **_table_arguments(teams, csv_urls["teams"]),
        ),
        "funnel": funnel_chart(
            id=_chart_id("funnel"),
            title=tables["funnel"].title,
            summary=f"Of {report.funnel[0]['count']:,} referrals, {report.funnel[-1]['count']:,} were completed.",
            stages=[row["label"] for row in report.funnel],
            counts=[row["count"] for row in report.funnel],
            stage_label="Stage reached",
            csv_url=csv_urls["funnel"],
        ),
        "trend": line_chart(
            id=_chart_id("trend"),
            title=trend.title,
            summary="Referrals received in each quarter of the year, beside the same quarter a year earlier.",
            x=[row["label"].split(" (")[0] for row in report.trend],
            series={
                "This year": [row["referrals"] for row in report.trend],
                "A year earlier": [row["last_year"] for row in report.trend],
            },
            value_label="Referrals",
            x_label="Quarter",
            **_table_arguments(trend, csv_urls["trend"]),
        ),
    }
    spend = spend_chart(report, tables["spend"], csv_urls["spend"])
    if spend is not None:
        charts["spend"] = spend
    return charts


def national_charts(report, tables, csv_urls, *, highlight=()) -> dict:
    league = tables["league"]
    shown = [row for row in report.league if row["rate"] is not None]
    charts = {
        "league": area_map(
            id=_chart_id("league"),
            title=league.title,
            summary=(
                f"{len(shown)} of 43 areas have enough referrals to show a rate; "
                + (f"{shown[0]['name']} has the highest." if shown else "none can be compared.")
            ),
            codes=[row["code"] for row in report.league],
            values=[row["rate"] for row in report.league],
            value_label="Referrals per 1,000 recorded crimes",
            hover=[row["name"] for row in report.league],
            decimals=2,
            **_table_arguments(league, csv_urls["league"]),
        )
    }
    if report.funnel:
        funnel = tables["funnel_plot"]
        shown = [row for row in report.funnel["rows"] if row["rate"] is not None and row["recorded_crime"]]
        charts["funnel_plot"] = funnel_plot(
            id=_chart_id("funnel_plot"),
            title=funnel.title,
            summary=(
                f"The national rate is {report.funnel['target']:.2f} per 1,000. Areas outside the dotted lines "
                "are beyond what chance would explain (99.8%); outside the dashed lines, beyond 95%."
            ),
            points=[(row["name"], row["recorded_crime"], row["rate"]) for row in shown],
            limits=report.funnel["limits"],
            target=report.funnel["target"],
            x_label=f"Recorded crime ({report.funnel_label.lower()})",
            value_label="Referrals per 1,000 recorded crimes",
            highlight=[area.name for area in highlight],
            table_caption=funnel.title,
            table_columns=funnel.columns,
            table_rows=funnel.rows,
            table_numeric=funnel.numeric,
            csv_url=csv_urls["funnel_plot"],
        )
    if report.peers:
        peers = tables["peers"]
        charts["peers"] = bar_chart(
            id=_chart_id("peers"),
            title=peers.title,
            summary="Referral rates of the areas most alike in the volume and mix of recorded crime.",
            categories=[row["name"] for row in report.peers],
            series={"Referrals per 1,000 recorded crimes": [row["rate"] for row in report.peers]},
            value_label="Referrals per 1,000 recorded crimes",
            category_label="Police area",
            horizontal=True,
            decimals=2,
            **_table_arguments(peers, csv_urls["peers"]),
        )
    return charts


def _percent(ratio):
    return round(ratio * 100, 1) if ratio is not None else None
