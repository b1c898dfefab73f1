"""Synthetic referrals: the same seed makes the same data, every row passes the referral
rules, all 43 areas appear, the funnel looks like the published one, and a second run adds
nothing."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command

from referrals.constants import DIRECT_INTERVENTIONS, PATH_STAGES, ClosureReason, Stage, TeamCategory
from referrals.models import Referral, ReferralEvent, ReferringTeam
from referrals.synthetic import (
    TEAM_TEMPLATES,
    SyntheticReferrals,
    area_plans,
    generation_window,
    synthetic_reference,
)
from referrals.validation import referral_value_errors
from rjportal.areas.constants import OFFENCE_PARENT
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
