"""Synthetic referrals for the dashboard.

With recorded crime loaded (`make run` loads it first), a national world over the current and
previous financial years (referrals.synthetic.SyntheticWorld): every area refers at one
national rate per 1,000 recorded crimes, except for the shortfalls planted in
referrals.synthetic.PLANTED_SHORTFALLS. Kent's custody teams are one of them, so the demo PCC
office's dashboard leads with a shortfall. Without recorded crime there are no rates to follow:
3,000 referrals spread over the areas by population instead. The same seed each time, so a
second run adds nothing (the world only the referrals received since the last run)."""

from io import StringIO

from django.core.management import call_command

from referrals.synthetic import recorded_crime_for_world

DEMO_SEED = 2026
DEMO_REFERRALS_WITHOUT_RECORDED_CRIME = 3000


def seed_referrals() -> None:
    world = bool(recorded_crime_for_world())
    options = {"world": True} if world else {"count": DEMO_REFERRALS_WITHOUT_RECORDED_CRIME}
    call_command("generate_referrals", seed=DEMO_SEED, verbosity=0, stderr=StringIO(), **options)
