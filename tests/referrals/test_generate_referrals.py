"""Synthetic referrals: the same seed makes the same data, every row passes the referral
rules, all 43 areas appear, the funnel looks like the published one, and a second run adds
nothing. The national world: each area's referrals follow its recorded crime, planted
shortfalls are where they were planted, and a later run adds only what was received since."""

import datetime
import math
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from referrals.constants import DIRECT_INTERVENTIONS, PATH_STAGES, ClosureReason, Stage, TeamCategory
from referrals.models import Referral, ReferralEvent, ReferringTeam
from referrals.synthetic import (
    NATIONAL_TEAM_SHARES,
    TEAM_TEMPLATES,
    Shortfall,
    SyntheticReferrals,
    SyntheticWorld,
    area_plans,
    generation_window,
    synthetic_reference,
    world_areas,
)
from referrals.validation import referral_value_errors
from rjportal.areas.constants import OFFENCE_PARENT, Offence
from rjportal.audit.models import AuditEvent
from rjportal.organisations.models import Organisation

TODAY = datetime.date(2026, 1, 15)
COUNT = 3000

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 1, 15, 12, 0), tick=False):
        yield


def plans(seed=7):
    """Plans for three made-up areas, without the database."""
    return area_plans(
        [(1, "E23000001", 900_000), (2, "E23000002", 300_000), (3, "W15000001", 100_000)],
        seed=seed,
        teams={area: {category: [area * 100 + n] for n, category in enumerate(TeamCategory)} for area in (1, 2, 3)},
        providers={1: [11], 2: [12], 3: [13, 14]},
        recorded_crime=None,
    )


def generate(count, seed=7):
    generator = SyntheticReferrals(plans(seed), seed=seed, today=TODAY)
    return [generator.values(index) for index in range(count)]


def snapshot(seed=7):
    fields = [f.attname for f in Referral._meta.concrete_fields if f.attname not in ("id", "created_at", "updated_at")]
    return sorted(Referral.objects.filter(reference__startswith=f"SYN-{seed}-").values_list(*fields))


def test_same_seed_same_rows_and_a_longer_run_extends_a_shorter_one():
    assert generate(500) == generate(500)
    assert generate(800)[:500] == generate(500)
    assert generate(200, seed=8) != generate(200)


def test_every_generated_row_passes_the_referral_rules():
    start, _end = generation_window(TODAY)
    assert start == datetime.date(2023, 4, 1)
    for values, previous in generate(5000):
        assert referral_value_errors(values, today=TODAY) == {}
        subgroup = values["offence_subgroup"]
        assert not subgroup or OFFENCE_PARENT[subgroup] == values["offence_group"]
        assert start <= values["received_on"] <= TODAY
        assert values["received_on"] <= values["stage_changed_on"] <= TODAY
        if values["victim_informed_on"] and values["victim_requested_on"]:
            assert values["victim_informed_on"] <= values["victim_requested_on"]
        stage = values["stage"]
        assert (stage == Stage.CLOSED) == bool(values["closure_reason"])
        assert (stage == Stage.COMPLETED) == (values["victim_satisfaction"] is not None)
        if stage in (Stage.INTERVENTION, Stage.COMPLETED):
            assert values["intervention_type"]
        assert values["furthest_stage"] in PATH_STAGES
        assert previous == "" if stage == Stage.REFERRED else previous in PATH_STAGES


def test_command_creates_the_count_across_all_43_areas_with_teams_and_providers():
    call_command("generate_referrals", count=COUNT, seed=7)

    assert Referral.objects.count() == COUNT
    assert Referral.objects.values("area").distinct().count() == 43
    assert Referral.objects.filter(reference=synthetic_reference(7, COUNT - 1)).exists()
    providers = Organisation.objects.filter(name__endswith="RJ service (synthetic)", kind="rj_provider")
    assert providers.count() == 43
    assert set(ReferringTeam.objects.values_list("category", flat=True)) == set(TeamCategory.values)
    assert ReferringTeam.objects.count() >= 43 * len(TEAM_TEMPLATES)
    # One timeline event each (the latest stage change) and one audit event for the run.
    assert ReferralEvent.objects.count() == COUNT
    assert AuditEvent.objects.filter(summary=f"Generated {COUNT} synthetic referrals (seed 7)").count() == 1
    assert not AuditEvent.objects.filter(target_type__model="referral").exists()


def test_funnel_flags_and_clocks_are_in_plausible_proportions():
    call_command("generate_referrals", count=COUNT, seed=7)
    referrals = list(Referral.objects.values())
    share = Counter()
    for referral in referrals:
        share["direct"] += referral["intervention_type"] in DIRECT_INTERVENTIONS
        share["indirect"] += referral["intervention_type"] not in ("", *DIRECT_INTERVENTIONS)
        share["closed"] += referral["stage"] == Stage.CLOSED
        share["not_suitable"] += referral["closure_reason"] == ClosureReason.NOT_SUITABLE
        share["domestic_abuse"] += referral["domestic_abuse"]
        share["hate_crime"] += referral["hate_crime"]
        share["under_18"] += referral["offender_under_18"]
        share["not_reported"] += referral["crime_reported_on"] is None
        share["informed_late"] += bool(
            referral["information_due_on"]
            and (referral["victim_informed_on"] or TODAY) > referral["information_due_on"]
        )
        share["referred_late"] += bool(
            referral["referral_due_on"] and referral["referred_on"] > referral["referral_due_on"]
        )
    share = {key: value / len(referrals) for key, value in share.items()}
    assert 0.04 <= share["direct"] <= 0.12
    assert 0.12 <= share["indirect"] <= 0.26
    assert 0.55 <= share["closed"] <= 0.85
    assert share["not_suitable"] > 0.03
    assert 0.08 <= share["domestic_abuse"] <= 0.25
    assert 0.02 <= share["hate_crime"] <= 0.09
    assert 0.06 <= share["under_18"] <= 0.14
    assert 0.04 <= share["not_reported"] <= 0.14
    assert 0.10 <= share["informed_late"] <= 0.30
    assert 0.03 <= share["referred_late"] <= 0.12
    completed = [r for r in referrals if r["stage"] == Stage.COMPLETED]
    satisfaction = Counter(r["victim_satisfaction"] for r in completed)
    assert satisfaction[5] + satisfaction[4] > 0.7 * len(completed)


def test_running_again_adds_nothing_and_a_larger_count_only_adds_the_rest():
    call_command("generate_referrals", count=1000, seed=7, provider_per_area=True)
    before = snapshot()
    call_command("generate_referrals", count=1000, seed=7, provider_per_area=True)
    assert snapshot() == before
    assert Organisation.objects.filter(name__endswith="(synthetic)").count() == 43
    call_command("generate_referrals", count=1200, seed=7, provider_per_area=True)
    assert Referral.objects.count() == 1200
    assert set(before) <= set(snapshot())
    assert AuditEvent.objects.filter(summary__startswith="Generated").count() == 2


def test_the_same_seed_makes_the_same_rows_in_the_database():
    call_command("generate_referrals", count=500, seed=7, provider_per_area=True)
    first = snapshot()
    ReferralEvent.objects.all().delete()
    Referral.objects.all().delete()
    call_command("generate_referrals", count=500, seed=7, provider_per_area=True)
    assert snapshot() == first


def test_by_default_referrals_also_go_to_other_providers_serving_the_area():
    from tests.factories import KENT, ProviderFactory, area

    demo = ProviderFactory(name="Kent demo provider", areas=[area(KENT)])
    call_command("generate_referrals", count=COUNT, seed=7)
    assert Referral.objects.filter(provider=demo).exists()
    assert not Referral.objects.filter(provider=demo).exclude(area__code=KENT).exists()


# The national world ----------------------------------------------------------------------

RECORDED_CRIME = "rjportal/areas/data/recorded_crime_by_pfa_2023.csv"


def test_command_needs_either_a_count_or_a_world():
    with pytest.raises(CommandError, match="either --count or --world"):
        call_command("generate_referrals")
    with pytest.raises(CommandError, match="either --count or --world"):
        call_command("generate_referrals", count=10, world=True)
    with pytest.raises(CommandError, match="recorded crime"):
        call_command("generate_referrals", world=True)


def small_world(shortfalls=(), rate=6.0):
    """Two made-up areas, one with twice the other's violence and the same theft."""
    categories = list(TeamCategory)
    return world_areas(
        [(1, "E23000001"), (2, "E23000002")],
        teams={area: {category: [area * 100 + n] for n, category in enumerate(categories)} for area in (1, 2)},
        providers={1: [11], 2: [12]},
        recorded_crime={
            1: {Offence.VIOLENCE: 20_000, Offence.THEFT: 10_000},
            2: {Offence.VIOLENCE: 10_000, Offence.THEFT: 10_000},
        },
        rate=rate,
        shortfalls=shortfalls,
    )


def test_world_referrals_follow_recorded_crime_at_one_rate_except_where_a_shortfall_is_planted():
    first, second = small_world()
    assert first.per_year[Offence.VIOLENCE] == pytest.approx(120)  # 6 per 1,000 of 20,000
    assert second.per_year[Offence.VIOLENCE] == pytest.approx(60)
    assert first.per_year[Offence.THEFT] == second.per_year[Offence.THEFT] == pytest.approx(36)  # propensity 0.6
    assert first.per_year[Offence.DRUG_OFFENCES] == 0
    assert first.per_year[Offence.FRAUD] > 0  # fraud and other: fixed shares of all referrals

    planted = (
        Shortfall("E23000001", 1 / 3, offence_group=Offence.VIOLENCE),
        Shortfall("E23000002", 0.0, team_category=TeamCategory.CUSTODY),
    )
    first, second = small_world(planted)
    assert first.per_year[Offence.VIOLENCE] == pytest.approx(40)
    assert second.per_year[Offence.VIOLENCE] == pytest.approx(60)
    assert TeamCategory.CUSTODY not in second.categories.values
    assert TeamCategory.CUSTODY in first.categories.values

    rows = list(SyntheticWorld([first, second], seed=3, today=TODAY).rows())
    counts = Counter((values["area_id"], values["offence_group"]) for values, _previous in rows)
    years = 1 + 290 / 365  # 2024/25, and 2025/26 to 15 January
    for area_id, per_year in [(1, 40), (2, 60)]:
        expected = per_year * years
        assert abs(counts[area_id, Offence.VIOLENCE] - expected) < 4 * math.sqrt(expected)
    team = {category: list(TeamCategory).index(category) for category in TeamCategory}
    assert not [values for values, _previous in rows if values["referring_team_id"] == 200 + team["custody"]]
    assert [values for values, _previous in rows if values["referring_team_id"] == 100 + team["custody"]]
    youth = [values for values, _previous in rows if values["referring_team_id"] % 100 == team["youth_justice"]]
    assert youth and all(values["offender_under_18"] for values in youth)


def test_world_rows_pass_the_referral_rules_and_fall_in_the_two_financial_years():
    rows = list(SyntheticWorld(small_world(), seed=4, today=TODAY).rows())
    assert len(rows) > 300
    shares = Counter()
    for values, previous in rows:
        assert referral_value_errors(values, today=TODAY) == {}
        assert datetime.date(2024, 4, 1) <= values["received_on"] <= TODAY
        assert previous == "" if values["stage"] == Stage.REFERRED else previous in PATH_STAGES
        shares[values["referring_team_id"] % 100] += 1
    probation = list(TeamCategory).index(TeamCategory.PROBATION)
    assert shares[probation] / len(rows) == pytest.approx(NATIONAL_TEAM_SHARES[TeamCategory.PROBATION], abs=0.05)
    references = [values["reference"] for values, _previous in rows]
    assert len(set(references)) == len(references)
    assert all(reference.startswith("SYNW-4-") for reference in references)


def test_world_command_adds_nothing_the_second_time_and_only_what_was_received_since_later():
    call_command("import_recorded_crime", RECORDED_CRIME, stdout=StringIO())
    call_command("generate_referrals", world=True, seed=5, rate=0.5, stdout=StringIO(), stderr=StringIO())
    before = snapshot_world(5)
    assert 2_000 <= len(before) <= 4_000
    assert Referral.objects.values("area").distinct().count() == 43
    assert ReferralEvent.objects.count() == len(before)
    assert AuditEvent.objects.filter(summary__contains="(national world, seed 5)").count() == 1
    # The database holds what the generator made, deadlines included.
    referral = Referral.objects.filter(reference__startswith="SYNW-5-", victim_requested_on__isnull=False).first()
    assert referral.referral_due_on > referral.victim_requested_on
    assert referral.created_at is not None and referral.events.get().to_stage == referral.stage

    call_command("generate_referrals", world=True, seed=5, rate=0.5, stdout=StringIO(), stderr=StringIO())
    assert snapshot_world(5) == before
    assert AuditEvent.objects.filter(summary__contains="(national world, seed 5)").count() == 1

    with time_machine.travel(datetime.datetime(2026, 2, 20, 12, 0), tick=False):
        call_command("generate_referrals", world=True, seed=5, rate=0.5, stdout=StringIO(), stderr=StringIO())
    after = snapshot_world(5)
    assert set(before) < set(after)
    added = Referral.objects.exclude(reference__in=[row[0] for row in before])
    assert added.filter(received_on__gt=TODAY).count() == added.count() > 0


def snapshot_world(seed):
    fields = [f.attname for f in Referral._meta.concrete_fields if f.attname not in ("id", "created_at", "updated_at")]
    fields.remove("reference")
    return sorted(Referral.objects.filter(reference__startswith=f"SYNW-{seed}-").values_list("reference", *fields))
