"""Reads for the public register, shared by its page, its map and its open data."""

from datetime import date

from django.db.models import F, Max

from .constants import DEPUTY_ROLES, ELECTED_LEADER_ROLES, TOTAL_AREAS
from .models import Pledge, PledgeCampaign


def register_pledges():
    return Pledge.objects.published().select_related("campaign", "area")


def default_campaign():
    """The newest campaign: the register shows it unless another is chosen."""
    return PledgeCampaign.objects.newest_first().first()


def register_counts(campaign) -> dict:
    pledges = Pledge.objects.published().filter(campaign=campaign)
    return {
        "pledges": pledges.count(),
        "areas": pledges.values("area").distinct().count(),
        "leader_areas": pledges.filter(role__in=ELECTED_LEADER_ROLES).values("area").distinct().count(),
        "total_areas": TOTAL_AREAS,
    }


def published_parties(campaign=None) -> list[str]:
    pledges = Pledge.objects.published()
    if campaign is not None:
        pledges = pledges.filter(campaign=campaign)
    return sorted(set(pledges.values_list("party", flat=True)))


def elected_leader_pledge(area):
    """The area's elected leader's published pledge in the newest campaign, or None. (Where
    that campaign has none for the area, an earlier leader's pledge may still stand; the area's
    register page lists every campaign.)"""
    campaign = default_campaign()
    if campaign is None:
        return None, None
    pledge = (
        Pledge.objects.published()
        .elected_leaders()
        .filter(campaign=campaign, area=area)
        .select_related("campaign")
        .order_by("-published_at", "-pk")
        .first()
    )
    return campaign, pledge


def current_term_pledges_by_area(*, on: date) -> tuple[bool, dict[int, Pledge], dict[int, Pledge]]:
    """Published pledges that speak for the area's current elected leadership on the day: those
    in the campaign of the last election held by then, or in a later campaign. Returns whether
    any campaign exists, each area's elected leader's pledge, and each area's deputy's pledge
    (the newest of each)."""
    campaigns = PledgeCampaign.objects.all()
    if not campaigns.exists():
        return False, {}, {}
    last_held = campaigns.filter(election_date__lte=on).aggregate(latest=Max("election_date"))["latest"]
    pledges = Pledge.objects.published().filter(role__in=(*ELECTED_LEADER_ROLES, *DEPUTY_ROLES))
    if last_held is not None:
        pledges = pledges.filter(campaign__election_date__gte=last_held)
    leaders, deputies = {}, {}
    for pledge in pledges.select_related("campaign").order_by(F("published_at").asc(nulls_first=True), "pk"):
        target = leaders if pledge.role in ELECTED_LEADER_ROLES else deputies
        target[pledge.area_id] = pledge  # the newest wins
    return True, leaders, deputies
