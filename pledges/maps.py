"""The register's map: each of the 43 areas coloured by the pledge status of a campaign."""

from rjportal.areas.models import PoliceArea
from rjportal.charts import area_map

from .constants import ELECTED_LEADER_ROLES

NONE, OTHERS, LEADER = 0, 1, 2
STATUS_LABELS = {
    LEADER: "Elected leader signed",
    OTHERS: "Signed by others only",
    NONE: "No published pledge",
}


def area_statuses(published_pledges) -> dict[int, int]:
    """Area id to LEADER, OTHERS or NONE, from a campaign's published pledges."""
    statuses = {}
    for area_id, role in published_pledges.values_list("area_id", "role"):
        status = LEADER if role in ELECTED_LEADER_ROLES else OTHERS
        statuses[area_id] = max(statuses.get(area_id, NONE), status)
    return statuses


def register_map(*, campaign, published_pledges, csv_url=None):
    areas = list(PoliceArea.objects.order_by("name"))
    statuses = area_statuses(published_pledges)
    values = [statuses.get(area.pk, NONE) for area in areas]
    leaders = values.count(LEADER)
    others = values.count(OTHERS)
    chart = area_map(
        id="pledge-map",
        title=f"Pledges by police area: {campaign.title}",
        summary=(
            f"{leaders} of {len(areas)} areas have a signed pledge from their elected leader; in {others} more, "
            "only candidates or deputies have signed."
        ),
        codes=[area.code for area in areas],
        values=values,
        value_label="Pledge status",
        hover=[f"{area.name}: {STATUS_LABELS[value]}" for area, value in zip(areas, values, strict=True)],
        table_caption=f"Pledge status of each police area: {campaign.title}",
        table_columns=["Police area", "Pledge status"],
        table_rows=[[area.name, STATUS_LABELS[value]] for area, value in zip(areas, values, strict=True)],
        table_numeric=[False, False],
        csv_url=csv_url,
    )
    # The status is a category, not a quantity: label the colour bar with the three statuses.
    for trace in chart.figure["data"]:
        if "colorbar" in trace:
            trace["zmax"] = LEADER
            trace["colorbar"]["tickvals"] = [NONE, OTHERS, LEADER]
            trace["colorbar"]["ticktext"] = [STATUS_LABELS[NONE], STATUS_LABELS[OTHERS], STATUS_LABELS[LEADER]]
            trace["customdata"] = [text.split("<br>")[0] for text in trace["customdata"]]
    return chart
