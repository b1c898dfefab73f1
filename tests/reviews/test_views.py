"""Pages by persona, a whole dip sample through the views, the return sign-off and actions."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from referrals.constants import Stage
from reviews.models import Action, DipSampleCase, ReturnSignOff
from rjportal.audit.models import AuditEvent
from strategy.models import QuarterlySpend
from tests.factories import ESSEX, KENT, ReferralFactory, area
from tests.reviews.factories import dip_sample

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("pcc", 200), ("provider", 403), ("moderator", 403), ("anonymous", 302)],
    indirect=["persona"],
)
def test_case_review_pages_by_persona(client, persona, expected):
    sample = dip_sample()
    if persona:
        client.force_login(persona)
    for name, args in [("reviews:index", []), ("reviews:detail", [sample.pk]), ("reviews:actions", [])]:
        assert client.get(reverse(name, args=args)).status_code == expected


def test_another_areas_sample_is_not_found(client, other_pcc_user):
    sample = dip_sample()
    client.force_login(other_pcc_user)
    assert client.get(reverse("reviews:detail", args=[sample.pk])).status_code == 404
    assert client.post(reverse("reviews:design", args=[sample.pk]), {"sample_size": "10"}).status_code == 404
    assert client.get(reverse("reviews:results", args=[sample.pk])).status_code == 404


def test_a_dip_sample_is_designed_drawn_reviewed_completed_and_read(client, pcc_user):
    sample = dip_sample({"none": 60, "hate_crime": 5, "domestic_abuse": 20, "sexual_harm": 8})
    client.force_login(pcc_user)
    url = reverse("reviews:design", args=[sample.pk])
    design = {"sample_size": "20", "minimum_per_flagged_stratum": "4", "by_offence_group": "no", "seed": "42"}
    preview = client.post(url, design)
    assert preview.status_code == 200
    assert [(s.key, s.population, s.sample) for s in preview.context["design"]] == [
        ("domestic_abuse", 20, 4),
        ("hate_crime", 5, 4),
        ("none", 60, 8),
        ("sexual_harm", 8, 4),
    ]
    assert not DipSampleCase.objects.filter(selected=True).exists()  # nothing drawn before confirming
    assert client.post(url, {**design, "confirm": "draw"}).status_code == 302
    chosen = list(
        DipSampleCase.objects.filter(selected=True)
        .order_by("crime_reference")
        .values_list("crime_reference", flat=True)
    )
    assert len(chosen) == 20
    assert AuditEvent.objects.filter(target_id=str(sample.pk), summary__contains="with seed 42").exists()

    # Redrawing needs the seed; the same seed draws the same cases again.
    missing = client.post(url, {**design, "seed": "", "confirm": "draw"})
    assert "Enter the seed to draw the sample again" in missing.content.decode()
    client.post(url, {**design, "confirm": "draw"})
    assert chosen == list(
        DipSampleCase.objects.filter(selected=True)
        .order_by("crime_reference")
        .values_list("crime_reference", flat=True)
    )

    cases = list(DipSampleCase.objects.filter(selected=True).order_by("stratum", "crime_reference"))
    answers = {"offered": "yes", "evidence_source": "crime_record", "referred": "no"}
    for case in cases:
        offered = "no" if case.stratum == "none" else "yes"
        response = client.post(
            reverse("reviews:case_review", args=[sample.pk, case.pk]), {**answers, "offered": offered}
        )
        assert response.status_code == 302
    other = client.post(
        reverse("reviews:case_review", args=[sample.pk, cases[0].pk]),
        {"offered": "cannot_tell", "evidence_source": "other", "evidence_other": "", "referred": "no"},
    )
    assert "Enter where the evidence was found" in other.content.decode()
    client.post(reverse("reviews:complete", args=[sample.pk]))
    sample.refresh_from_db()
    assert sample.status == "completed"

    results = client.get(reverse("reviews:results", args=[sample.pk])).context["results"]
    by_key = {row.key: row for row in results.strata}
    assert (by_key["none"].yes, by_key["none"].no) == (0, 8)
    # Flagged strata: all yes (population 33 of 93); 'none': all no (60 of 93) -> 33/93.
    assert results.overall.estimate == pytest.approx(33 / 93)
    csv = b"".join(client.get(reverse("reviews:results", args=[sample.pk]) + "?format=csv").streaming_content).decode()
    assert "finite population correction" in csv
    cases_csv = b"".join(client.get(reverse("reviews:cases_export", args=[sample.pk])).streaming_content).decode()
    assert cases_csv.count("\n") == 21


def test_a_sample_larger_than_the_population_gets_a_clear_message(client, pcc_user):
    sample = dip_sample({"none": 5, "hate_crime": 2})
    client.force_login(pcc_user)
    response = client.post(
        reverse("reviews:design", args=[sample.pk]),
        {"sample_size": "8", "minimum_per_flagged_stratum": "3", "by_offence_group": "no", "seed": ""},
    )
    content = response.content.decode()
    assert "The sample size (8) is larger than the population (7 cases)" in content
    assert response.context["form"].errors


def test_return_sign_off_keeps_its_figures_and_shows_a_later_difference(client, pcc_user, provider_user):
    kent = area(KENT)
    ReferralFactory(area=kent, received_on=date(2026, 5, 10), referred_on=date(2026, 5, 9))
    client.force_login(pcc_user)
    page = client.get(reverse("dashboard:return", args=[KENT]) + "?year=2026")
    checks = page.context["checks"]
    assert [check.ended for check in checks] == [True, True, False, False]
    assert "Not yet ended" in page.content.decode()
    refused = client.post(reverse("dashboard:return_sign_off", args=[KENT, 2026, 3]), follow=True)
    assert "Q3 of 2026/27 has not yet ended" in refused.content.decode()
    client.post(reverse("dashboard:return_sign_off", args=[KENT, 2026, 1]))
    sign_off = ReturnSignOff.objects.get()
    assert (sign_off.referrals, sign_off.signed_by, sign_off.quarter) == (1, pcc_user, 1)
    assert AuditEvent.objects.filter(target_id=str(sign_off.pk), action="create").exists()
    with pytest.raises(ValueError):
        sign_off.referrals = 5
        sign_off.save()

    ReferralFactory(area=kent, received_on=date(2026, 6, 1), referred_on=date(2026, 6, 1), stage=Stage.REFERRED)
    page = client.get(reverse("dashboard:return", args=[KENT]) + "?year=2026").content.decode()
    assert (
        "The figures now differ from those signed off: 2 referrals, 0 victims supported and spend Not recorded now, "
        "against 1, 0 and Not recorded signed off" in page
    )
    assert ReturnSignOff.objects.get().referrals == 1


def test_the_sign_off_keeps_the_quarters_spend_and_a_later_change_to_it_shows(client, pcc_user):
    kent = area(KENT)
    ReferralFactory(area=kent, received_on=date(2026, 5, 10), referred_on=date(2026, 5, 9))
    QuarterlySpend.objects.create(area=kent, financial_year=2026, quarter=1, amount_pence=12_345_00)
    QuarterlySpend.objects.create(area=kent, financial_year=2026, quarter=2, amount_pence=99_00)
    client.force_login(pcc_user)
    client.post(reverse("dashboard:return_sign_off", args=[KENT, 2026, 1]))
    sign_off = ReturnSignOff.objects.get()
    assert sign_off.spend_pence == 12_345_00
    audit = AuditEvent.objects.get(target_id=str(sign_off.pk), action="create")
    assert audit.changes["spend_pence"] == 12_345_00
    page = client.get(reverse("dashboard:return", args=[KENT]) + "?year=2026").content.decode()
    assert "1 referral, 0 victims supported, spend £12,345.00." in page
    assert "The figures now differ" not in page
    again = client.post(reverse("dashboard:return_sign_off", args=[KENT, 2026, 1]), follow=True)
    assert "Q1 is already signed off with these figures" in again.content.decode()

    QuarterlySpend.objects.filter(quarter=1).update(amount_pence=12_000_00)
    page = client.get(reverse("dashboard:return", args=[KENT]) + "?year=2026").content.decode()
    assert (
        "The figures now differ from those signed off: 1 referral, 0 victims supported and spend £12,000.00 now, "
        "against 1, 0 and £12,345.00 signed off" in page
    )
    assert ReturnSignOff.objects.get().spend_pence == 12_345_00


def test_sign_off_is_not_for_providers_or_other_areas(client, provider_user, other_pcc_user):
    client.force_login(provider_user)
    assert client.post(reverse("dashboard:return_sign_off", args=[KENT, 2026, 1])).status_code == 403
    client.force_login(other_pcc_user)
    assert client.post(reverse("dashboard:return_sign_off", args=[KENT, 2026, 1])).status_code == 404
    assert not ReturnSignOff.objects.exists()


def test_an_action_is_recorded_and_an_overdue_one_shows_on_the_home_page(client, pcc_user):
    client.force_login(pcc_user)
    sample = dip_sample()
    response = client.post(
        reverse("reviews:action_create") + f"?area={KENT}",
        {
            "what": "Brief custody sergeants on RJ",
            "owner": pcc_user.pk,
            "due_on_0": "1",
            "due_on_1": "11",
            "due_on_2": "2026",
            "status": "open",
            "prompt": "dip_sample",
            "dip_sample": sample.pk,
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.dip_sample, action.owner, action.due_on) == (sample, pcc_user, date(2026, 11, 1))
    home = client.get(reverse("home")).content.decode()
    assert "Overdue actions" in home and "Brief custody sergeants on RJ" in home
    csv = b"".join(client.get(reverse("reviews:actions") + "?format=csv").streaming_content).decode()
    assert "Dip sample: January cases" in csv


def test_an_action_owner_must_be_of_the_office(client, pcc_user, other_pcc_user):
    client.force_login(pcc_user)
    response = client.post(
        reverse("reviews:action_create") + f"?area={KENT}",
        {
            "what": "x",
            "owner": other_pcc_user.pk,
            "due_on_0": "1",
            "due_on_1": "12",
            "due_on_2": "2026",
            "status": "open",
            "prompt": "scorecard",
            "way": "training",
        },
    )
    assert response.status_code == 200 and not Action.objects.exists()
    assert area(ESSEX)  # the stranger's office serves Essex only


def test_the_scorecard_ways_are_the_strategy_apps():
    from reviews.constants import SCORECARD_WAYS
    from strategy.constants import Way

    assert Way.choices == SCORECARD_WAYS
