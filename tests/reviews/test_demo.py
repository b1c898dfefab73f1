"""The demo's case reviews: a completed and an in-progress dip sample, a signed-off quarter and
actions for the Kent office, once however often it runs; the scorecard's way 8 reads them."""

import datetime

import pytest
import time_machine

from demo.organisations import seed_organisations_and_users
from demo.reviews import seed_reviews
from reviews.models import Action, DipSample, ReturnSignOff
from reviews.selectors import sample_progress, sample_results
from rjportal.areas.models import PoliceArea
from rjportal.periods import financial_year_of
from strategy.constants import Way, WayStatus
from strategy.selectors import area_scorecard

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 8, 20)


def test_demo_case_reviews(settings):
    with time_machine.travel(datetime.datetime(2026, 8, 20, 10), tick=False):
        seed_organisations_and_users()
        assert seed_reviews(today=TODAY) == 6
        assert seed_reviews(today=TODAY) == 0
        completed = DipSample.objects.get(status="completed")
        in_progress = DipSample.objects.get(status="reviewing")
        assert sample_progress(completed).complete
        assert (sample_progress(in_progress).reviewed, sample_progress(in_progress).sampled) == (12, 80)
        assert sample_results(completed).overall is not None
        assert ReturnSignOff.objects.get().quarter == 1
        assert Action.objects.filter(due_on__lt=TODAY, status="open").count() == 1
        kent = PoliceArea.objects.get(code="E23000032")
        result = area_scorecard(kent, year=financial_year_of(TODAY), today=TODAY).by_way()[Way.DIP_SAMPLING.value]
        assert result.status == WayStatus.MET
