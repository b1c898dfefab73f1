"""Each expected figure here is worked out by hand in the comments."""

import pytest

from dashboard.gaps import crime_type_gaps, national_spreads, peer_areas, spread, team_category_gaps
from dashboard.limits import Band
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


def test_national_spread_counts_small_numbers_and_leaves_out_missing_crime():
    area_ids = [1, 2, 3, 4]
    referrals = {(1, ROBBERY): 10, (2, ROBBERY): 3, (3, ROBBERY): 0}  # area 4 has none recorded
    crime = {(1, ROBBERY): 1000, (2, ROBBERY): 1000, (3, ROBBERY): 2000}  # area 4: no robbery figures
    spreads = national_spreads(referrals=referrals, crime=crime, area_ids=area_ids)
    # Rates: area 1 = 10 per 1,000; area 2 = 3 (small, but suppression is for display only);
    # area 3 = 0; area 4 no denominator. Over [0, 3, 10]: median 3, Q1 1.5, Q3 6.5.
    robbery = spreads[ROBBERY]
    assert (robbery.q1, robbery.median, robbery.q3, robbery.areas) == (1.5, 3, 6.5, 3)
    assert spreads[THEFT].median is None


def test_a_sparse_groups_median_is_not_pulled_to_zero_by_suppression():
    # Ten areas of 1,000 robberies: six referred 1 to 4 victims, four referred none. Leaving the
    # small counts out would leave only zeros, median 0, and no shortfall could ever show.
    area_ids = list(range(1, 11))
    referrals = {
        (area_id, ROBBERY): count for area_id, count in zip(area_ids, [2, 3, 4, 2, 3, 1, 0, 0, 0, 0], strict=True)
    }
    crime = {(area_id, ROBBERY): 1000 for area_id in area_ids}
    assert national_spreads(referrals=referrals, crime=crime, area_ids=area_ids)[ROBBERY].median == 1.5


def test_crime_type_gaps_rank_the_biggest_shortfall_first():
    area_ids = [1, 2, 3]
    referrals = {(1, ROBBERY): 2, (2, ROBBERY): 20, (3, ROBBERY): 40, (1, THEFT): 50, (2, THEFT): 10, (3, THEFT): 30}
    crime = {
        (1, ROBBERY): 1000, (2, ROBBERY): 1000, (3, ROBBERY): 1000,
        (1, THEFT): 10000, (2, THEFT): 10000, (3, THEFT): 10000,
    }  # fmt: skip
    spreads = national_spreads(referrals=referrals, crime=crime, area_ids=area_ids)
    # Robbery rates: 2, 20, 40 -> median 20; national rate 62 / 3,000 = 20.67 per 1,000.
    # Theft rates: 5, 1, 3 -> median 3; national rate 90 / 30,000 = 3 per 1,000.
    rows = crime_type_gaps(area_id=1, referrals=referrals, crime=crime, spreads=spreads)
    robbery, theft = rows[0], rows[1]
    # Robbery: expected 20.67 * 1000 / 1000 = 20.67; actual 2; gap 18.67, far below chance.
    assert (robbery["offence_group"], robbery["referrals"]) == (ROBBERY, 2)
    assert (robbery["expected"], robbery["gap"]) == (pytest.approx(62 / 3), pytest.approx(62 / 3 - 2))
    assert robbery["more_at_median"] == 18  # at the median rate, 20 - 2
    assert robbery["rate"] == 2.0
    assert robbery["band"] == Band.FAR_BELOW
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


def test_a_small_national_count_still_gives_a_share():
    rows = team_category_gaps(
        area_counts={"court": 1}, national_counts={"court": 3, "response": 100}, categories=[("court", "Court")]
    )
    assert rows[0]["national_share"] == pytest.approx(3 / 103)


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
