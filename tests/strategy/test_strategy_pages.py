"""Who may open the 10-ways pages: PCC office staff for their own areas, administrators for
any; providers and moderators never; another area's pages are 'not found'."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from strategy.models import Observation
from tests.factories import ESSEX, KENT, area

pytestmark = pytest.mark.django_db

YEAR = 2026  # 2026/27: today is in its third quarter


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(date(2026, 11, 20), tick=False):
        yield


@pytest.fixture
def kent_observation():
    return Observation.objects.create(area=area(KENT), observed_on=date(2026, 6, 1), observer_role="pcc", note="")


def kent_pages(observation=None):
    pages = [
        reverse("strategy:area", args=[KENT]),
        reverse("strategy:money", args=[KENT]),
        reverse("strategy:budget_edit", args=[KENT, YEAR]),
        reverse("strategy:spend_edit", args=[KENT, YEAR]),
        reverse("strategy:way_assess", args=[KENT, "dip_sampling", YEAR]),
        reverse("strategy:records", args=[KENT, "observations"]),
        reverse("strategy:record_create", args=[KENT, "observations"]),
    ]
    if observation is not None:
        pages += [
            reverse("strategy:record_update", args=[KENT, "observations", observation.pk]),
            reverse("strategy:record_delete", args=[KENT, "observations", observation.pk]),
        ]
    return pages


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("pcc", 200), ("other_pcc", 404), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_an_areas_pages_open_only_for_its_office_and_administrators(client, persona, expected, kent_observation):
    client.force_login(persona)
    for url in kent_pages(kent_observation):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("pcc", 200), ("other_pcc", 200), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_every_office_sees_the_national_scorecard(client, persona, expected):
    client.force_login(persona)
    assert client.get(reverse("strategy:scorecard")).status_code == expected
    assert client.get(reverse("strategy:scorecard"), {"format": "csv"}).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("pcc", 403), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_only_administrators_choose_the_benefit_ratio(client, persona, expected):
    client.force_login(persona)
    assert client.get(reverse("strategy:benefit_ratio")).status_code == expected
    assert client.get(reverse("strategy:benefit_ratio_create")).status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, kent_observation):
    for url in [*kent_pages(kent_observation), reverse("strategy:scorecard"), reverse("strategy:index")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_pcc_staff_with_one_area_go_straight_to_it(client, pcc_user):
    client.force_login(pcc_user)
    response = client.get(reverse("strategy:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:area", args=[KENT])


def test_administrators_choose_an_area(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("strategy:index"))
    assert response.status_code == 200
    assert reverse("strategy:area", args=[ESSEX]) in response.content.decode()


def test_other_areas_records_are_not_found_even_through_ones_own_area(client, pcc_user):
    essex_observation = Observation.objects.create(
        area=area(ESSEX), observed_on=date(2026, 6, 1), observer_role="pcc", note=""
    )
    client.force_login(pcc_user)
    for name in ("strategy:record_update", "strategy:record_delete"):
        url = reverse(name, args=[KENT, "observations", essex_observation.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert Observation.objects.filter(pk=essex_observation.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("strategy:records", args=[KENT, "no-such-kind"]),
        reverse("strategy:budget_edit", args=[KENT, 1999]),
        reverse("strategy:budget_edit", args=[KENT, YEAR + 1]),
        reverse("strategy:way_assess", args=[KENT, "no_such_way", YEAR]),
        reverse("strategy:area", args=["E99999999"]),
    ],
)
def test_unknown_kinds_years_ways_and_areas_are_not_found(client, pcc_user, url):
    client.force_login(pcc_user)
    assert client.get(url).status_code == 404
