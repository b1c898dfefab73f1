"""The public "RJ in your area" page: the services commissioned for an area today, for anyone."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from tests.factories import (
    DYFED_POWYS,
    ESSEX,
    KENT,
    CommissionFactory,
    PccOfficeFactory,
    PccStaffFactory,
    ProviderFactory,
    area,
)
from tests.pledges.factories import CampaignFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def url(code):
    return reverse("strategy_public:area", kwargs={"code": code})


@pytest.fixture
def kent_office():
    return PccOfficeFactory(name="Kent PCC office", email="contracts@kent-pcc.example.org", areas=[area(KENT)])


@pytest.fixture
def kent_service(kent_office):
    return CommissionFactory(
        commissioner=kent_office,
        provider=ProviderFactory(name="Kent RJ Ltd"),
        service_name="Restorative Kent",
        phone="01632 960123",
        email="hello@restorative-kent.example.org",
        web_page="https://restorative-kent.example.org/",
        how_to_ask="Call us on weekdays, or ask the officer dealing with your case.",
        annual_value_pence=12_345_600,
    )


def test_the_address_is_under_the_area(kent_service):
    assert url(KENT) == f"/areas/{KENT}/restorative-justice/"


def test_anyone_signed_out_sees_the_areas_service(client, kent_service):
    response = client.get(url(KENT))
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "Restorative justice in Kent",
        "Restorative Kent",
        "Run by",
        "Kent RJ Ltd",
        "01632 960123",
        'href="mailto:hello@restorative-kent.example.org"',
        'href="https://restorative-kent.example.org/"',
        "Call us on weekdays, or ask the officer dealing with your case.",
    ]:
        assert text in page, text


def test_the_page_explains_restorative_justice(client):
    page = client.get(url(KENT)).content.decode()
    assert "brings together people harmed by a crime and the person responsible" in page
    assert "It is voluntary." in page
    assert "It can happen at any stage" in page
    assert "even if the crime was never reported to the police" in page


def test_no_money_or_personal_data_is_shown(client, kent_service, kent_office):
    PccStaffFactory(email="officer.name@kent-pcc.example.org", organisation=kent_office)
    page = client.get(url(KENT)).content.decode()
    assert "123,456" not in page
    assert "£" not in page
    assert "officer.name@kent-pcc.example.org" not in page
    assert "contracts@kent-pcc.example.org" not in page


def test_only_contracts_running_today_in_that_area_are_shown(client, kent_office, kent_service):
    CommissionFactory(
        commissioner=kent_office,
        provider=ProviderFactory(name="Ended RJ"),
        starts_on=date(2020, 4, 1),
        ends_on=date(2026, 3, 1),
    )
    CommissionFactory(commissioner=kent_office, provider=ProviderFactory(name="Future RJ"), starts_on=date(2026, 3, 3))
    CommissionFactory(
        commissioner=PccOfficeFactory(areas=[area(ESSEX)]),
        provider=ProviderFactory(name="Essex RJ"),
        areas=[area(ESSEX)],
    )
    CommissionFactory(
        commissioner=kent_office,
        provider=ProviderFactory(name="Last Day RJ"),
        starts_on=date(2025, 1, 1),
        ends_on=TODAY,
    )
    response = client.get(url(KENT))
    assert [service.public_name for service in response.context["services"]] == [
        "Restorative Kent",
        "Last Day RJ",
    ]  # by provider name
    page = response.content.decode()
    assert "Ended RJ" not in page
    assert "Future RJ" not in page
    assert "Essex RJ" not in page
    assert "Essex RJ" in client.get(url(ESSEX)).content.decode()


def test_a_fallback_when_no_service_is_recorded(client, kent_office):
    CommissionFactory(commissioner=kent_office, starts_on=date(2020, 4, 1), ends_on=date(2025, 3, 31))
    response = client.get(url(KENT))
    assert response.status_code == 200
    assert response.context["services"] == []
    page = response.content.decode()
    assert "We do not have a record of a restorative justice service in Kent at the moment." in page
    assert "the office of the Kent Police and Crime Commissioner" in page


def test_welsh_areas_work_too(client):
    response = client.get(url(DYFED_POWYS))
    assert response.status_code == 200
    assert "Restorative justice in Dyfed-Powys" in response.content.decode()


@pytest.mark.parametrize("code", ["E99999999", "kent", "e23000032"])
def test_an_unknown_area_is_not_found(client, code):
    assert client.get(url(code)).status_code == 404


@pytest.mark.parametrize("persona", ["admin", "pcc", "provider", "moderator"], indirect=True)
def test_signed_in_users_see_it_too(client, persona, kent_service):
    client.force_login(persona)
    response = client.get(url(KENT))
    assert response.status_code == 200
    assert "Restorative Kent" in response.content.decode()


def test_the_pledge_area_page_links_to_it(client):
    page = client.get(reverse("pledges:area", kwargs={"code": KENT})).content.decode()
    assert f'href="{url(KENT)}"' in page
    assert "Restorative justice services in Kent" in page


def test_the_pledge_register_links_to_the_chosen_areas_page(client):
    CampaignFactory()
    unfiltered = client.get(reverse("pledges:register")).content.decode()
    assert "/restorative-justice/" not in unfiltered
    filtered = client.get(reverse("pledges:register"), {"area": area(ESSEX).pk}).content.decode()
    assert f'href="{url(ESSEX)}"' in filtered
    assert "Restorative justice services in Essex" in filtered
