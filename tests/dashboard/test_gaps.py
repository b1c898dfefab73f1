"""Each expected figure here is worked out by hand in the comments."""

import pytest

from dashboard.gaps import crime_type_gaps, national_spreads, peer_areas, spread, team_category_gaps
from rjportal.areas.constants import Offence

ROBBERY = Offence.ROBBERY
THEFT = Offence.THEFT


def test_spread_uses_inclusive_quartiles():
    # Sorted 1, 2, 3, 4, 5: median 3; Q1 at position 1 + 0.25*4 = 2 -> 2; Q3 -> 4.
    assert spread([5, 1, 4, 2, 3, None]) == spread([1, 2, 3, 4, 5])
    result = spread([1, 2, 3, 4, 5])
    assert (result.q1, result.median, result.q3, result.areas) == (2, 3, 4, 5)
    # 1, 2, 3, 4: median 2.5; Q1 = 1 + 0.75*(2-1) = 1.75; Q3 = 3 + 0.25*(4-3) = 3.25.
    result = spread([4, 3, 2, 1])
    assert (result.q1, result.median, result.q3) == (1.75, 2.5, 3.25)


def test_spread_of_nothing_and_of_one():
    assert spread([]).median is None
    assert spread([None]).areas == 0
    assert spread([7]).median == 7


def test_national_spread_leaves_out_suppressed_counts_and_missing_crime():
    area_ids = [1, 2, 3, 4]
    referrals = {(1, ROBBERY): 10, (2, ROBBERY): 3, (3, ROBBERY): 0}  # area 4 has none recorded
    crime = {(1, ROBBERY): 1000, (2, ROBBERY): 1000, (3, ROBBERY): 2000}  # area 4: no robbery figures
    spreads = national_spreads(referrals=referrals, crime=crime, area_ids=area_ids)
    # Rates: area 1 = 10 per 1,000; area 2 suppressed (3); area 3 = 0; area 4 no denominator.
    # So the spread is over [0, 10]: median 5, Q1 2.5, Q3 7.5.
    robbery = spreads[ROBBERY]
    assert (robbery.q1, robbery.median, robbery.q3, robbery.areas) == (2.5, 5, 7.5, 2)
    assert spreads[THEFT].median is None


def test_crime_type_gaps_rank_the_biggest_shortfall_first():
    area_ids = [1, 2, 3]
    referrals = {(1, ROBBERY): 2, (2, ROBBERY): 20, (3, ROBBERY): 40, (1, THEFT): 50, (2, THEFT): 10, (3, THEFT): 30}
    crime = {
        (1, ROBBERY): 1000, (2, ROBBERY): 1000, (3, ROBBERY): 1000,
        (1, THEFT): 10000, (2, THEFT): 10000, (3, THEFT): 10000,
    }  # fmt: skip
    spreads = national_spreads(referrals=referrals, crime=crime, area_ids=area_ids)
    # Robbery rates: area 1 suppressed (2), 20, 40 -> median 30. Theft rates: 5, 1, 3 -> median 3.
    rows = crime_type_gaps(area_id=1, referrals=referrals, crime=crime, spreads=spreads)
    robbery, theft = rows[0], rows[1]
    # Robbery: expected 30 * 1000 / 1000 = 30; actual 2; gap 28 (the area sees its own count).
    assert (robbery["offence_group"], robbery["expected"], robbery["referrals"], robbery["gap"]) == (ROBBERY, 30, 2, 28)
    assert robbery["rate"] == 2.0
    # Theft: expected 3 * 10000 / 1000 = 30; actual 50; gap -20 (more than expected).
    assert (theft["offence_group"], theft["expected"], theft["gap"]) == (THEFT, 30, -20)
    # Groups with no recorded crime anywhere have no expected figure and come last.
    assert rows[-1]["expected"] is None
    assert len(rows) == 9


def test_team_category_gaps_compare_with_the_national_share():
    area = {"response": 2, "neighbourhood": 8}
    national = {"response": 50, "neighbourhood": 30, "custody": 20}
    rows = team_category_gaps(
        area_counts=area,
        national_counts=national,
        categories=[("response", "Response"), ("neighbourhood", "Neighbourhood"), ("custody", "Custody")],
    )
    by_category = {row["category"]: row for row in rows}
    # Response: national share 50/100 = 0.5; expected 0.5 * 10 = 5; actual 2; gap 3.
    assert by_category["response"]["expected"] == 5
    assert by_category["response"]["gap"] == 3
    # Custody: 0.2 * 10 = 2 expected, none referred: gap 2.
    assert by_category["custody"]["gap"] == 2
    assert by_category["neighbourhood"]["gap"] == -5
    assert [row["category"] for row in rows] == ["response", "custody", "neighbourhood"]


def test_a_suppressed_national_count_gives_no_share():
    rows = team_category_gaps(
        area_counts={"court": 1}, national_counts={"court": 3, "response": 100}, categories=[("court", "Court")]
    )
    assert rows[0]["national_share"] is None


def test_peers_are_the_areas_most_alike_in_volume_and_mix():
    crime = {}
    for area_id, total, robbery in [(1, 1000, 100), (2, 1100, 110), (3, 50000, 100), (4, 1000, 900)]:
        crime[(area_id, Offence.TOTAL)] = total
        crime[(area_id, ROBBERY)] = robbery
    peers = peer_areas(area_id=1, crime=crime, area_ids=[1, 2, 3, 4], how_many=2)
    assert [area_id for area_id, _distance in peers] == [2, 4]


@pytest.mark.parametrize("missing", [{}, {(1, Offence.TOTAL): 0}])
def test_no_peers_without_recorded_crime(missing):
    assert peer_areas(area_id=1, crime=missing, area_ids=[1, 2]) == []
