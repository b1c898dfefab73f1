"""Demo case reviews for the Kent PCC office: one completed and one in-progress dip sample (from
a synthetic case register), a signed-off return quarter and a few actions. Safe to run again."""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model

from referrals.constants import REFERRAL_OFFENCE_GROUPS
from reviews.models import Action, DipSample, ReturnSignOff
from reviews.selectors import sampled_cases
from reviews.services import (
    action_create,
    case_review_save,
    dip_sample_complete,
    dip_sample_create_from_register,
    dip_sample_draw,
    return_sign_off,
)
from rjportal.areas.models import PoliceArea
from rjportal.periods import financial_year_of
from strategy.selectors import quarterly_spend

DEMO_PCC_EMAIL = "pcc@demo.rjportal.invalid"
KENT = "E23000032"
COMPLETED_TITLE = "Demo: cases reported last quarter"
IN_PROGRESS_TITLE = "Demo: cases reported this month"


def _register(seed: int, rows: int, start: date) -> bytes:
    """A synthetic case register: references, groups, dates and flags only."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    groups = [offence.value for offence in REFERRAL_OFFENCE_GROUPS]
    lines = ["crime_reference,offence_group,reported_on,hate_crime,domestic_abuse,sexual_harm"]
    for number in range(rows):
        flag = rng.random()
        hate, abuse, sexual = flag < 0.04, 0.04 <= flag < 0.16, 0.16 <= flag < 0.21
        day = start + timedelta(days=rng.randrange(28))
        yes_no = ["no", "yes"]
        lines.append(
            f"46/{seed % 100:02d}{number:05d}/{day:%y},{rng.choice(groups)},{day.isoformat()},"
            f"{yes_no[hate]},{yes_no[abuse]},{yes_no[sexual]}"
        )
    return ("\n".join(lines) + "\n").encode()


def _review(actor, sample, cases, seed: int):
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    for case in cases:
        offered = rng.choices(["yes", "no", "cannot_tell"], weights=[3, 6, 1])[0]
        case_review_save(
            actor=actor,
            case=case,
            offered=offered,
            evidence_source=rng.choice(["crime_record", "victim_contact_log", "victim_needs_assessment"]),
            referred=offered == "yes" and rng.random() < 0.4,
        )


def seed_reviews(*, today: date) -> int:
    """Returns how many records it added (0 when they are already there)."""
    user = get_user_model().objects.filter(email=DEMO_PCC_EMAIL).first()
    kent = PoliceArea.objects.get(code=KENT)
    if user is None or DipSample.objects.filter(area=kent, title=COMPLETED_TITLE).exists():
        return 0
    added = 0
    completed = dip_sample_create_from_register(
        actor=user,
        area=kent,
        title=COMPLETED_TITLE,
        content=_register(2601, 600, today - timedelta(days=100)),
        filename="demo-register-last-quarter.csv",
    )
    dip_sample_draw(actor=user, sample=completed, sample_size=90, minimum=10, by_offence_group=False, seed=20260105)
    _review(user, completed, list(sampled_cases(completed)), seed=1)
    dip_sample_complete(actor=user, sample=completed)
    in_progress = dip_sample_create_from_register(
        actor=user,
        area=kent,
        title=IN_PROGRESS_TITLE,
        content=_register(2602, 400, today - timedelta(days=30)),
        filename="demo-register-this-month.csv",
    )
    dip_sample_draw(actor=user, sample=in_progress, sample_size=80, minimum=8, by_offence_group=False, seed=777)
    _review(user, in_progress, list(sampled_cases(in_progress)[:12]), seed=2)
    added += 2

    year = financial_year_of(today)
    ended = [number for number, quarter in enumerate(year.quarters(), start=1) if quarter.end < today]
    if not ended:
        year, ended = year.previous(), [4]
    if not ReturnSignOff.objects.filter(area=kent).exists():
        return_sign_off(
            actor=user,
            area=kent,
            financial_year=year,
            quarter=ended[-1],
            today=today,
            spend_by_quarter=quarterly_spend(area=kent, year=year),
        )
        added += 1

    if not Action.objects.filter(area=kent).exists():
        for what, due, prompt in [
            (
                "Brief response sergeants on offering RJ to domestic abuse victims",
                -14,
                {"prompt": "dip_sample", "dip_sample": completed},
            ),
            (
                "Ask custody to add RJ to the victim contact script",
                30,
                {"prompt": "gap", "gap": "team_category:custody"},
            ),
            ("Publish the communications plan for RJ", 60, {"prompt": "scorecard", "way": "communications"}),
        ]:
            action_create(
                actor=user,
                area=kent,
                what=what,
                owner=user,
                due_on=today + timedelta(days=due),
                status="open",
                **prompt,
            )
            added += 1
    return added
