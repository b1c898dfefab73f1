"""An area's RJ money: budget, funding, spend by quarter, cost per referral and estimated benefit."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from rjportal.audit.models import AuditEvent
from rjportal.money import multiply_pence, pence_to_pounds, pounds_to_pence
from rjportal.periods import FinancialYear, financial_year_of
from strategy.models import AreaBudget, BenefitRatio, QuarterlySpend
from strategy.selectors import area_money, benefit_note
from strategy.services import benefit_ratio_choose, benefit_ratio_create, budget_save, spend_save
from tests.factories import ESSEX, KENT, ReferralFactory, area

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # 2026/27, quarter 3
YEAR = FinancialYear(2026)
LAST_YEAR = FinancialYear(2025)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def money_url(code=KENT, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("strategy:money", args=[code]) + (f"?{query}" if query else "")


# Pounds and pence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pence"),
    [("1500", 150_000), ("1,500.50", 150_050), ("£1,500.5", 150_050), ("0", 0), (" £ 12 ", 1200), ("0.01", 1)],
)
def test_pounds_are_read_as_pence(text, pence):
    assert pounds_to_pence(text) == pence


@pytest.mark.parametrize("text", ["-5", "£-5", "1.234", "12,34", "ten", "1e3", "", "1,5000"])
def test_anything_else_is_not_an_amount(text):
    with pytest.raises(ValueError, match=r"."):
        pounds_to_pence(text)


def test_pence_are_shown_as_pounds():
    assert pence_to_pounds(123_450) == "£1,234.50"
    assert pence_to_pounds(123_450, whole=True) == "£1,235"
    assert pence_to_pounds(5) == "£0.05"


# Financial years ------------------------------------------------------------------------------


def test_financial_years_turn_on_1_april():
    assert financial_year_of(date(2026, 3, 31)) == FinancialYear(2025)
    assert financial_year_of(date(2026, 4, 1)) == FinancialYear(2026)


def test_spend_and_referrals_on_31_march_and_1_april_fall_in_different_years(pcc_user):
    kent = area(KENT)
    ReferralFactory(area=kent, referred_on=date(2026, 3, 30), received_on=date(2026, 3, 31))
    ReferralFactory(area=kent, referred_on=date(2026, 3, 30), received_on=date(2026, 4, 1))
    ReferralFactory(area=kent, referred_on=date(2026, 3, 30), received_on=date(2026, 4, 1))
    spend_save(actor=pcc_user, area=kent, financial_year=LAST_YEAR, amounts={4: 100_00})
    spend_save(actor=pcc_user, area=kent, financial_year=YEAR, amounts={1: 300_00})
    last, this = area_money(area=kent, year=LAST_YEAR, today=TODAY), area_money(area=kent, year=YEAR, today=TODAY)
    assert (last.referrals, last.spend_pence, last.cost_per_referral_pence) == (1, 100_00, 100_00)
    assert (this.referrals, this.spend_pence, this.cost_per_referral_pence) == (2, 300_00, 150_00)


# Budget -------------------------------------------------------------------------------------


def test_a_budget_is_recorded_changed_and_audited(pcc_user):
    kent = area(KENT)
    budget_save(
        actor=pcc_user,
        area=kent,
        financial_year=YEAR,
        amount_pence=5_000_000,
        ringfenced=True,
        funding={"moj_grant": 3_000_000, "pcc_core": 2_000_000, "other": None},
    )
    budget = AreaBudget.objects.get(area=kent, financial_year=2026)
    assert {line.source: line.amount_pence for line in budget.funding.all()} == {
        "moj_grant": 3_000_000,
        "pcc_core": 2_000_000,
    }
    budget_save(
        actor=pcc_user,
        area=kent,
        financial_year=YEAR,
        amount_pence=5_500_000,
        ringfenced=False,
        funding={"moj_grant": 3_000_000, "pcc_core": None, "other": 2_500_000},
    )
    budget.refresh_from_db()
    assert (budget.amount_pence, budget.ringfenced) == (5_500_000, False)
    assert {line.source for line in budget.funding.all()} == {"moj_grant", "other"}
    assert AreaBudget.objects.count() == 1
    events = AuditEvent.objects.filter(target_id=str(budget.pk)).order_by("created_at", "id")
    assert [event.action for event in events] == ["create", "update"]
    assert set(events[1].changes) == {"amount_pence", "ringfenced", "funding_pcc_core", "funding_other"}


def test_saving_the_same_budget_again_records_nothing(pcc_user):
    values = {"amount_pence": 100, "ringfenced": True, "funding": {"moj_grant": 100}}
    budget_save(actor=pcc_user, area=area(KENT), financial_year=YEAR, **values)
    budget_save(actor=pcc_user, area=area(KENT), financial_year=YEAR, **values)
    assert AuditEvent.objects.filter(summary__contains="RJ budget").count() == 1


def test_negative_money_is_refused_and_nothing_changes(pcc_user):
    with pytest.raises(ValidationError) as error:
        budget_save(actor=pcc_user, area=area(KENT), financial_year=YEAR, amount_pence=-1, ringfenced=True, funding={})
    assert error.value.message_dict == {"amount_pence": ["The budget must be £0 or more"]}
    assert AreaBudget.objects.count() == 0


def test_the_budget_form_takes_pounds_and_names_what_is_wrong(client, pcc_user):
    client.force_login(pcc_user)
    url = reverse("strategy:budget_edit", args=[KENT, 2026])
    response = client.post(url, {"amount_pence": "-50", "ringfenced": "", "funding_moj_grant": "lots"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The budget must be £0 or more" in page
    assert "Select yes if the budget is ringfenced" in page
    assert "Enter the amount from the Ministry of Justice victim services grant in pounds, like 1500" in page
    assert "<title>Error: " in page
    assert AreaBudget.objects.count() == 0

    response = client.post(
        url, {"amount_pence": "£50,000", "ringfenced": "yes", "funding_moj_grant": "30,000.50", "funding_other": ""}
    )
    assert response.status_code == 302
    budget = AreaBudget.objects.get()
    assert (budget.amount_pence, budget.ringfenced) == (5_000_000, True)
    assert budget.funding.get().amount_pence == 3_000_050
    page = client.get(money_url(year=2026)).content.decode()
    assert "£50,000.00" in page
    assert "£30,000.50" in page
    assert "The funding sources add up to £30,000.50, not the budget of £50,000.00." in page


def test_the_budget_form_shows_the_saved_figures_in_pounds(client, pcc_user):
    budget_save(
        actor=pcc_user,
        area=area(KENT),
        financial_year=YEAR,
        amount_pence=1_234_550,
        ringfenced=False,
        funding={"other": 10_000},
    )
    client.force_login(pcc_user)
    page = client.get(reverse("strategy:budget_edit", args=[KENT, 2026])).content.decode()
    assert 'value="12345.50"' in page
    assert 'value="100"' in page


# Spend --------------------------------------------------------------------------------------


def test_spend_is_recorded_by_quarter_and_cleared_with_none(pcc_user):
    kent = area(KENT)
    spend_save(actor=pcc_user, area=kent, financial_year=YEAR, amounts={1: 1_000_00, 2: 2_000_00})
    spend_save(actor=pcc_user, area=kent, financial_year=YEAR, amounts={1: None, 2: 2_500_00})
    assert dict(QuarterlySpend.objects.values_list("quarter", "amount_pence")) == {2: 2_500_00}


@pytest.mark.parametrize(
    ("amounts", "field", "message"),
    [
        (
            {4: 100},
            "quarter_4",
            "Quarter 4 of 2026/27 starts on 1 January 2027: spend can be recorded once it has begun",
        ),
        ({5: 100}, "quarter_5", "A financial year has quarters 1 to 4"),
        ({1: -100}, "quarter_1", "Spend in quarter 1 must be £0 or more"),
    ],
)
def test_spend_beyond_the_years_quarters_is_refused(pcc_user, amounts, field, message):
    with pytest.raises(ValidationError) as error:
        spend_save(actor=pcc_user, area=area(KENT), financial_year=YEAR, amounts={2: 100, **amounts})
    assert error.value.message_dict == {field: [message]}
    assert QuarterlySpend.objects.count() == 0


def test_the_spend_form_asks_only_for_quarters_that_have_begun(client, pcc_user):
    client.force_login(pcc_user)
    url = reverse("strategy:spend_edit", args=[KENT, 2026])
    page = client.get(url).content.decode()
    assert 'name="quarter_3"' in page
    assert 'name="quarter_4"' not in page
    assert "Quarter 4 begins on 1 January 2027." in page
    response = client.post(url, {"quarter_1": "1,000", "quarter_2": "abc", "quarter_4": "999"})
    assert "Enter the spend in quarter 2 in pounds, like 1500 or 1,500.50" in response.content.decode()
    assert QuarterlySpend.objects.count() == 0
    assert client.post(url, {"quarter_1": "1,000", "quarter_2": "", "quarter_4": "999"}).status_code == 302
    assert dict(QuarterlySpend.objects.values_list("quarter", "amount_pence")) == {1: 1_000_00}


def test_the_money_page_shows_quarters_not_begun_as_such(client, pcc_user):
    spend_save(actor=pcc_user, area=area(KENT), financial_year=YEAR, amounts={1: 1_000_00})
    client.force_login(pcc_user)
    page = client.get(money_url(year=2026)).content.decode()
    assert page.count("Not yet begun") == 1  # quarter 4
    assert page.count("Not recorded") >= 2  # quarters 2 and 3 have begun with no figure
    assert "Year so far" in page


# Costs and benefit --------------------------------------------------------------------------


def test_cost_per_referral_and_per_victim_supported_beside_the_national_median(pcc_user, admin_user):
    kent, essex = area(KENT), area(ESSEX)
    for _ in range(4):
        ReferralFactory(area=kent, received_on=date(2026, 5, 1), referred_on=date(2026, 4, 30))
    ReferralFactory(  # supported: it reached an intervention
        area=kent,
        received_on=date(2026, 5, 1),
        referred_on=date(2026, 4, 30),
        stage="intervention",
        intervention_type="face_to_face",
    )
    for _ in range(2):
        ReferralFactory(area=essex, received_on=date(2026, 5, 1), referred_on=date(2026, 4, 30))
    spend_save(actor=pcc_user, area=kent, financial_year=YEAR, amounts={1: 3_000_00})  # £3,000 over 5 referrals
    spend_save(actor=admin_user, area=essex, financial_year=YEAR, amounts={1: 1_000_00})  # £1,000 over 2
    money = area_money(area=kent, year=YEAR, today=TODAY)
    assert (money.referrals, money.supported) == (5, 1)
    assert money.cost_per_referral_pence == 600_00
    assert money.cost_per_supported_pence == 3_000_00
    assert money.national_cost_per_referral == 550_00  # median of £600 and £500
    assert money.national_cost_per_supported == 3_000_00  # Essex supported nobody, so only Kent has this cost


@pytest.mark.parametrize(
    ("label", "expected"), [("£9 for every £1 spent", 2_700_09), ("£8 for every £1 spent", 2_400_08)]
)
def test_estimated_benefit_in_pence_with_either_ratio(pcc_user, admin_user, label, expected):
    benefit_ratio_choose(actor=admin_user, ratio=BenefitRatio.objects.get(label=label))
    spend_save(actor=pcc_user, area=area(KENT), financial_year=YEAR, amounts={1: 300_01})
    money = area_money(area=area(KENT), year=YEAR, today=TODAY)
    assert money.estimated_benefit_pence == expected
    assert label in benefit_note(money.ratio)


def test_benefit_rounds_to_the_nearest_penny():
    assert multiply_pence(1, Decimal("8.50")) == 9  # 8.5p rounds up
    assert multiply_pence(333, Decimal("1.5")) == 500  # 499.5p rounds up


def test_the_money_page_names_the_ratio_and_its_source(client, pcc_user):
    spend_save(actor=pcc_user, area=area(KENT), financial_year=YEAR, amounts={1: 1_000_00})
    client.force_login(pcc_user)
    page = client.get(money_url(year=2026)).content.decode()
    assert "£9,000 of benefit" in page
    assert "£9 for every £1 spent" in page
    assert "10 ways PCCs can unlock restorative justice" in page


def test_administrators_switch_and_add_ratios(client, admin_user):
    client.force_login(admin_user)
    eight = BenefitRatio.objects.get(label="£8 for every £1 spent")
    assert client.post(reverse("strategy:benefit_ratio"), {"ratio": eight.pk}).status_code == 302
    assert BenefitRatio.objects.in_use() == eight
    assert AuditEvent.objects.filter(summary__startswith="Estimates of benefit now use £8").exists()

    response = client.post(
        reverse("strategy:benefit_ratio_create"),
        {"label": "£8 for every £1 spent", "pounds_per_pound": "0", "citation": ""},
    )
    page = response.content.decode()
    assert "There is already a ratio called £8 for every £1 spent" in page
    assert "The benefit for every £1 must be more than £0" in page
    assert "Enter the source of the figure" in page
    assert BenefitRatio.objects.count() == 2
    response = client.post(
        reverse("strategy:benefit_ratio_create"),
        {"label": "£4 for every £1", "pounds_per_pound": "4", "citation": "A study", "url": "javascript:alert(1)"},
    )
    assert "Enter a web address that starts with http:// or https://" in response.content.decode()
    assert BenefitRatio.objects.count() == 2
    with pytest.raises(ValidationError):
        benefit_ratio_create(actor=admin_user, label="Zero", pounds_per_pound=Decimal("0"), citation="x")
