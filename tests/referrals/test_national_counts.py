"""The national counts are added up from one GROUP BY (referrals.selectors._national_breakdown):
each must equal what counting it on its own gives."""

import itertools
from datetime import date

import pytest
from django.db.models import Count, Q

from referrals.models import Referral
from referrals.selectors import (
    SUPPORTED_STAGES,
    ReferralScope,
    referral_counts_by_area,
    referral_counts_by_area_and_offence,
    referral_counts_by_team_category,
    referral_mix_national,
    referral_supported_by_area,
)
from rjportal.periods import FinancialYear
from tests.factories import ESSEX, KENT, ProviderFactory, ReferralFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db

SCOPE = ReferralScope(period=FinancialYear(2025).period)


@pytest.fixture
def referrals():
    """Two areas, teams of two categories, three offence groups, stages either side of
    supported, flags and justice stages varied, and one referral outside the year."""
    kinds = itertools.cycle(
        [
            ("violence_against_the_person", "violence_with_injury", "referred", "pre_sentence"),
            ("theft_offences", "", "intervention", "post_sentence_community"),
            ("robbery", "", "completed", "out_of_court"),
            ("theft_offences", "", "assessing", "pre_sentence"),
        ]
    )
    for code, category in [(KENT, "neighbourhood"), (KENT, "response"), (ESSEX, "response")]:
        place = area(code)
        team = ReferringTeamFactory(area=place, category=category)
        provider = ProviderFactory(areas=[place])
        for number in range(5 if code == KENT else 3):
            group, subgroup, stage, justice = next(kinds)
            ReferralFactory(
                provider=provider,
                area=place,
                referring_team=team,
                offence_group=group,
                offence_subgroup=subgroup,
                stage=stage,
                intervention_type="direct_meeting" if stage in ("intervention", "completed") else "",
                justice_stage=justice,
                hate_crime=number % 2 == 0,
                sexual_harm=number % 3 == 0,
            )
    ReferralFactory(
        area=area(KENT),
        received_on=date(2024, 3, 1),
        referred_on=date(2024, 2, 1),
        crime_reported_on=None,
        victim_informed_on=None,
        victim_requested_on=None,
    )


def counted(*fields, **conditions) -> dict:
    rows = Referral.objects.filter(SCOPE.q(), **conditions).values(*fields).annotate(n=Count("id")).order_by()
    return {tuple(row[field] for field in fields) if len(fields) > 1 else row[fields[0]]: row["n"] for row in rows}


def test_each_national_count_equals_counting_it_on_its_own(referrals):
    assert referral_counts_by_area_and_offence(scope=SCOPE) == counted("area_id", "offence_group")
    assert referral_counts_by_area(scope=SCOPE) == counted("area_id")
    assert referral_supported_by_area(scope=SCOPE) == counted("area_id", furthest_stage__in=SUPPORTED_STAGES)
    assert referral_counts_by_team_category(scope=SCOPE) == counted("referring_team__category")
    mix = referral_mix_national(scope=SCOPE)
    assert mix["total"] == 13
    assert mix["flags"] == {
        flag: Referral.objects.filter(SCOPE.q(), Q(**{flag: True})).count()
        for flag in ("hate_crime", "domestic_abuse", "sexual_harm")
    }
    assert (
        mix["justice_stages"]["pre_sentence"]
        == Referral.objects.filter(SCOPE.q(), justice_stage="pre_sentence").count()
    )
    assert sum(mix["justice_stages"].values()) == 13


def test_the_national_counts_are_one_query_and_then_kept(referrals, django_assert_max_num_queries):
    with django_assert_max_num_queries(2 + 1):  # the newest id and change that key the cache, and the GROUP BY
        referral_counts_by_area(scope=SCOPE)
    with django_assert_max_num_queries(2 + 1):  # kept: the key, and the teams' categories
        referral_counts_by_team_category(scope=SCOPE)
