import datetime
import zoneinfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from demo.organisations import KENT_PROVIDER, SOUTH_WEST_PROVIDER, demo_admin, seed_organisations_and_users
from demo.pledges import seed_pledges
from demo.strategy import DEMO_AREAS, seed_strategy
from rjportal.accounts.models import User
from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent
from rjportal.organisations.models import Organisation
from rjportal.periods import financial_year_of
from strategy.constants import AccreditationStatus, Way, WayStatus
from strategy.models import (
    AreaBudget,
    AreaStrategy,
    Commission,
    CommunicationsActivity,
    CommunicationsPlan,
    CommunityRemedyDocument,
    Observation,
    ProviderRegistration,
    QuarterlySpend,
    TrainingRecord,
    WayAssessment,
)
from strategy.selectors import accreditation_alerts, accreditations, scorecards

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# Mid-way through 2026/27: quarters 1 and 2 have begun, 3 and 4 have not.
TODAY = datetime.date(2026, 8, 20)
KENT, AVON_AND_SOMERSET, DYFED_POWYS = DEMO_AREAS

SEEDED_MODELS = [
    Commission,
    ProviderRegistration,
    AreaBudget,
    AreaStrategy,
    TrainingRecord,
    CommunicationsPlan,
    CommunicationsActivity,
    CommunityRemedyDocument,
    Observation,
    WayAssessment,
]


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON), tick=False)


def demo_scorecards(today):
    areas = PoliceArea.objects.filter(code__in=DEMO_AREAS)
    return {card.area.code: card for card in scorecards(areas, year=financial_year_of(today), today=today).values()}


def demo_accreditations(today):
    providers = dict(
        Organisation.objects.filter(name__in=[KENT_PROVIDER, SOUTH_WEST_PROVIDER]).values_list("pk", "name")
    )
    return {providers[pk]: standing for pk, standing in accreditations(providers, today=today).items()}


def strategy_row_counts():
    return {model.__name__: model.objects.count() for model in apps.get_app_config("strategy").get_models()}


def seed_strategy_only(today):
    """The demo's organisations, pledges and strategy records, without the synthetic referrals."""
    with on(today):
        seed_organisations_and_users()
        seed_pledges(actor=demo_admin())
        return seed_strategy(actor=demo_admin(), today=today)


def test_seed_demo_fills_the_strategy_records_of_the_demo_areas(settings):
    settings.DEBUG = True
    with on(TODAY):
        call_command("seed_demo")

    cards = demo_scorecards(TODAY)
    statuses = {result.status for card in cards.values() for result in card.ways}
    assert statuses == set(WayStatus)
    kent, somerset = cards[KENT].by_way(), cards[AVON_AND_SOMERSET].by_way()
    assert (kent[Way.PROVIDER].status, somerset[Way.PROVIDER].status) == (WayStatus.MET, WayStatus.PARTLY_MET)
    assert (kent[Way.STRATEGY].status, somerset[Way.STRATEGY].status) == (WayStatus.MET, WayStatus.PARTLY_MET)
    assert (kent[Way.BUDGET].status, somerset[Way.BUDGET].status) == (WayStatus.MET, WayStatus.PARTLY_MET)
    assert kent[Way.TRAINING].status == WayStatus.MET
    assert cards[DYFED_POWYS].by_way()[Way.TRAINING].status == WayStatus.NOT_MET
    assert kent[Way.DIP_SAMPLING].status == WayStatus.MET and kent[Way.DIP_SAMPLING].evidence
    assert kent[Way.OBSERVATION].status == WayStatus.MET

    standing = demo_accreditations(TODAY)
    assert standing[KENT_PROVIDER].status == AccreditationStatus.EXPIRING
    assert standing[KENT_PROVIDER].days_left(TODAY) == 45
    assert standing[SOUTH_WEST_PROVIDER].status == AccreditationStatus.EXPIRED
    assert standing[SOUTH_WEST_PROVIDER].registration.expires_on == TODAY - datetime.timedelta(days=20)
    # The Kent PCC office's demo user sees its provider in the expiry banner.
    alerts = accreditation_alerts(User.objects.get(email="pcc@demo.rjportal.invalid"), today=TODAY)
    assert [alert.provider.name for alert in alerts] == [KENT_PROVIDER]

    for code in (KENT, AVON_AND_SOMERSET):
        spend = QuarterlySpend.objects.filter(area__code=code)
        assert set(spend.filter(financial_year=2025).values_list("quarter", flat=True)) == {1, 2, 3, 4}
        assert set(spend.filter(financial_year=2026).values_list("quarter", flat=True)) == {1, 2}
        assert set(AreaBudget.objects.filter(area__code=code).values_list("financial_year", flat=True)) == {2025, 2026}

    for commission in Commission.objects.all():
        assert commission.phone.startswith("01632 960")
        assert commission.email.endswith("@example.org")
        assert commission.web_page.startswith("https://example.org/")

    # Written through the services: each record has its audit event, in the demo administrator's name.
    admin = User.objects.get(email="admin@demo.rjportal.invalid")
    for model in SEEDED_MODELS:
        events = AuditEvent.objects.filter(
            actor=admin, action=AuditAction.CREATE, target_type=ContentType.objects.get_for_model(model)
        )
        assert model.objects.exists()
        assert events.count() == model.objects.count(), model.__name__
    assert AuditEvent.objects.filter(actor=admin, summary__startswith="Changed RJ spend").count() == 4


def test_a_second_seed_demo_adds_no_strategy_records(settings):
    settings.DEBUG = True
    with on(TODAY):
        call_command("seed_demo")
        counts = strategy_row_counts()
        events = AuditEvent.objects.count()
        call_command("seed_demo")
    assert strategy_row_counts() == counts
    assert AuditEvent.objects.count() == events


def test_a_run_on_a_later_day_adds_only_the_spend_of_quarters_begun_since():
    assert seed_strategy_only(TODAY) > 0
    counts = strategy_row_counts()
    later = datetime.date(2026, 10, 5)  # quarter 3 has begun
    assert seed_strategy_only(later) == 2
    assert strategy_row_counts() == {**counts, "QuarterlySpend": counts["QuarterlySpend"] + 2}
    assert QuarterlySpend.objects.filter(financial_year=2026, quarter=3).count() == 2


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2024, 5, 2),  # a PCC election day: the current term starts that day
        datetime.date(2027, 4, 1),  # the first day of a financial year: only quarter 1 has begun
        datetime.date(2028, 3, 31),  # the last day of a financial year
    ],
)
def test_the_demo_tells_the_same_story_whatever_the_date(today):
    seed_strategy_only(today)

    cards = demo_scorecards(today)
    assert {result.status for card in cards.values() for result in card.ways} == set(WayStatus)
    assert cards[KENT].by_way()[Way.OBSERVATION].status == WayStatus.MET
    standing = demo_accreditations(today)
    assert standing[KENT_PROVIDER].status == AccreditationStatus.EXPIRING
    assert standing[SOUTH_WEST_PROVIDER].status == AccreditationStatus.EXPIRED
    year = financial_year_of(today)
    for code in (KENT, AVON_AND_SOMERSET):
        assert QuarterlySpend.objects.filter(area__code=code, financial_year=year.start_year - 1).count() == 4
        begun = QuarterlySpend.objects.filter(area__code=code, financial_year=year.start_year).count()
        assert begun == sum(quarter.start <= today for quarter in year.quarters())
