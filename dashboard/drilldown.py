"""Links from a dashboard figure to the referrals it counts: the referral list, filtered by the
list's own filter form (referrals.forms.ReferralFilterForm) to exactly those referrals. Only
people who may open the area dashboard see these links, and they are the people who may see
the area's referrals (its PCC office staff and national administrators): the list itself scopes
what it shows in any case."""

from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from django.urls import get_script_prefix, get_urlconf, reverse


def referral_list_url(
    *,
    area_id: int,
    start: date,
    end: date,
    team_id: int | None = None,
    team_category: str = "",
    offence_group: str = "",
    initiator: str = "",
) -> str:
    """The referral list showing the area's referrals received from `start` to `end` (both
    included), narrowed to a referring team, team category, offence group or initiator."""
    params = {"area": area_id}
    for name, value in (
        ("team", team_id),
        ("team_category", team_category),
        ("offence_group", offence_group),
        ("initiator", initiator),
    ):
        if value not in (None, ""):
            params[name] = value
    params.update(received_from=start.isoformat(), received_to=end.isoformat())
    return f"{_list_path(get_script_prefix(), get_urlconf())}?{urlencode(params)}"


@lru_cache(maxsize=8)
def _list_path(_script_prefix: str, _urlconf) -> str:
    """The referral list's path, worked out once for each prefix and URL configuration: an
    area dashboard links a hundred or more figures to it."""
    return reverse("referrals:list")


def scope_list_url(*, area_id: int, scope, **narrowing) -> str | None:
    """The referral list for a dashboard figure counted over `scope` (a ReferralScope), or None
    when the list cannot show exactly those referrals: it has no criminal-justice-stage filter,
    and a figure for another offence group than the one chosen counts none."""
    if scope.justice_stage:
        return None
    group = narrowing.pop("offence_group", "")
    if scope.offence_group and group and group != scope.offence_group:
        return None
    return referral_list_url(
        area_id=area_id,
        start=scope.period.start,
        end=scope.period.end,
        offence_group=group or scope.offence_group,
        initiator=scope.initiator,
        **narrowing,
    )
