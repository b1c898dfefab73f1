"""Contracts with RJ providers: each PCC office keeps its own; providers read those naming them."""

import csv
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from rjportal.audit.models import AuditEvent
from rjportal.links import WEB_ADDRESS_MESSAGE
from strategy.models import Commission
from tests.factories import (
    DYFED_POWYS,
    ESSEX,
    KENT,
    CommissionFactory,
    PccOfficeFactory,
    ProviderFactory,
    ProviderRegistrationFactory,
    area,
)

pytestmark = pytest.mark.django_db

LIST = reverse("strategy:commissions")
CREATE = reverse("strategy:commission_create")
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def detail_url(commission):
    return reverse("strategy:commission_detail", kwargs={"pk": commission.pk})


def update_url(commission):
    return reverse("strategy:commission_update", kwargs={"pk": commission.pk})


@pytest.fixture
def kent_contract(pcc_user, provider_user):
    """Kent's PCC office commissions provider_user's organisation for Kent."""
    return CommissionFactory(
        commissioner=pcc_user.organisation,
        provider=provider_user.organisation,
        annual_value_pence=8_500_000,
        service_name="Restorative Kent",
    )


@pytest.fixture
def essex_contract(other_pcc_user):
    return CommissionFactory(
        commissioner=other_pcc_user.organisation,
        provider=ProviderFactory(name="Essex RJ Hub", areas=[area(ESSEX)]),
        areas=[area(ESSEX)],
    )


def form_data(provider, **changes):
    data = {
        "provider": provider.pk,
        "areas": [area(KENT).pk],
        "starts_on_0": "1",
        "starts_on_1": "4",
        "starts_on_2": "2026",
        "ends_on_0": "31",
        "ends_on_1": "3",
        "ends_on_2": "2029",
        "annual_value_pence": "85,000.50",
        "service_name": "Restorative Kent",
        "phone": "01632 960001",
        "email": "rj@kent.example.org",
        "web_page": "https://rj.kent.example.org/",
        "how_to_ask": "Call us, or ask the officer dealing with your case.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def changes_audited():
    """Audit events of changes (signing in is audited too)."""
    return AuditEvent.objects.filter(action__in=["create", "update", "delete"])


def provider_names(response):
    return [commission.provider.name for commission in response.context["commissions"]]


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# Who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("pcc", 200), ("other_pcc", 200), ("provider", 200), ("moderator", 403)],
    indirect=["persona"],
)
def test_list_access(client, persona, expected):
    client.force_login(persona)
    assert client.get(LIST).status_code == expected
    assert client.get(LIST, {"format": "csv"}).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", {"RJ provider A", "Essex RJ Hub"}),
        ("pcc", {"RJ provider A"}),
        ("other_pcc", {"Essex RJ Hub"}),
        ("provider", {"RJ provider A"}),
    ],
    indirect=["persona"],
)
def test_each_persona_lists_only_contracts_in_scope(client, persona, expected, kent_contract, essex_contract):
    kent_contract.provider.name = "RJ provider A"
    kent_contract.provider.save()
    client.force_login(persona)
    assert set(provider_names(client.get(LIST))) == expected
    assert {row[1] for row in csv_rows(client.get(LIST, {"format": "csv"}))[1:]} == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("pcc", 200), ("other_pcc", 200), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_add_page_access(client, persona, expected):
    client.force_login(persona)
    assert client.get(CREATE).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("pcc", 200), ("other_pcc", 404), ("provider", 200), ("moderator", 403)],
    indirect=["persona"],
)
def test_detail_page_access(client, persona, expected, kent_contract):
    client.force_login(persona)
    assert client.get(detail_url(kent_contract)).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    # The provider the contract names may read it but not change it (403); other offices do not
    # know it exists (404).
    [("admin", 200), ("pcc", 200), ("other_pcc", 404), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_change_page_access(client, persona, expected, kent_contract):
    client.force_login(persona)
    assert client.get(update_url(kent_contract)).status_code == expected


def test_providers_do_not_find_other_providers_contracts(client, provider_user, essex_contract):
    client.force_login(provider_user)
    assert client.get(detail_url(essex_contract)).status_code == 404
    assert client.get(update_url(essex_contract)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, kent_contract, provider_user):
    for url in [LIST, f"{LIST}?format=csv", CREATE, detail_url(kent_contract), update_url(kent_contract)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    response = client.post(CREATE, form_data(provider_user.organisation))
    assert response.status_code == 302
    assert Commission.objects.count() == 1


def test_providers_and_other_offices_cannot_change_a_contract(client, provider_user, other_pcc_user, kent_contract):
    data = form_data(provider_user.organisation, annual_value_pence="1")
    client.force_login(provider_user)
    assert client.post(CREATE, data).status_code == 403
    assert client.post(update_url(kent_contract), data).status_code == 403
    client.force_login(other_pcc_user)
    assert client.post(update_url(kent_contract), data).status_code == 404
    kent_contract.refresh_from_db()
    assert kent_contract.annual_value_pence == 8_500_000
    assert Commission.objects.count() == 1
    assert not changes_audited().exists()


def test_providers_see_no_add_button_or_change_links(client, provider_user, kent_contract):
    client.force_login(provider_user)
    page = client.get(LIST).content.decode()
    assert CREATE not in page
    assert update_url(kent_contract) not in page
    assert detail_url(kent_contract) in page
    detail = client.get(detail_url(kent_contract)).content.decode()
    assert update_url(kent_contract) not in detail
    assert "Restorative Kent" in detail


def test_office_staff_see_change_links_for_their_contracts(client, pcc_user, kent_contract):
    client.force_login(pcc_user)
    assert update_url(kent_contract) in client.get(LIST).content.decode()
    assert update_url(kent_contract) in client.get(detail_url(kent_contract)).content.decode()


# Recording a contract ---------------------------------------------------------------------


def test_office_staff_record_a_contract_for_their_own_office(client, pcc_user, provider_user, other_pcc_user):
    client.force_login(pcc_user)
    data = form_data(provider_user.organisation, commissioner=other_pcc_user.organisation.pk)
    response = client.post(CREATE, data)
    assert response.status_code == 302
    assert response["Location"] == LIST
    commission = Commission.objects.get()
    assert commission.commissioner == pcc_user.organisation  # whatever was posted
    assert commission.provider == provider_user.organisation
    assert list(commission.areas.all()) == [area(KENT)]
    assert (commission.starts_on, commission.ends_on) == (date(2026, 4, 1), date(2029, 3, 31))
    assert commission.annual_value_pence == 8_500_050
    assert (commission.phone, commission.email, commission.web_page) == (
        "01632 960001",
        "rj@kent.example.org",
        "https://rj.kent.example.org/",
    )
    event = AuditEvent.objects.for_target(commission).get()
    assert (event.action, event.actor) == ("create", pcc_user)
    assert event.changes["areas"] == [KENT]
    assert event.changes["annual_value_pence"] == 8_500_050
    assert f"Contract with {provider_user.organisation.name} saved." in client.get(LIST).content.decode()


def test_an_office_serving_one_area_has_it_ticked_already(client, pcc_user):
    client.force_login(pcc_user)
    form = client.get(CREATE).context["form"]
    assert "commissioner" not in form.fields
    assert list(form.fields["areas"].queryset) == [area(KENT)]
    assert form.initial["areas"] == [area(KENT)]


def test_administrators_choose_the_office(client, admin_user, other_pcc_user):
    provider = ProviderFactory(areas=[area(ESSEX)])
    client.force_login(admin_user)
    assert "commissioner" in client.get(CREATE).context["form"].fields
    data = form_data(provider, commissioner=other_pcc_user.organisation.pk, areas=[area(ESSEX).pk])
    assert client.post(CREATE, data).status_code == 302
    commission = Commission.objects.get()
    assert commission.commissioner == other_pcc_user.organisation
    assert AuditEvent.objects.for_target(commission).get().actor == admin_user


def test_the_annual_value_and_end_date_are_optional(client, pcc_user, provider_user):
    client.force_login(pcc_user)
    data = form_data(
        provider_user.organisation, annual_value_pence="", ends_on_0="", ends_on_1="", ends_on_2="", web_page=""
    )
    assert client.post(CREATE, data).status_code == 302
    commission = Commission.objects.get()
    assert (commission.annual_value_pence, commission.ends_on, commission.web_page) == (None, None, "")


# Bad input: a message on the field, nothing saved -----------------------------------------


def assert_refused(response, field, message):
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field], form.errors
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "govuk-error-summary" in page
    assert f'href="#id_{field}' in page  # the summary links to the field
    assert not Commission.objects.exists()
    assert not changes_audited().exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"ends_on_0": "31", "ends_on_1": "3", "ends_on_2": "2026"},
            "ends_on",
            "The contract end date must be the same as or after its start date",
        ),
        ({"annual_value_pence": "-100"}, "annual_value_pence", "The annual value must be £0 or more"),
        (
            {"annual_value_pence": "a lot"},
            "annual_value_pence",
            "Enter the annual value in pounds, like 1500 or 1,500.50",
        ),
        ({"web_page": "javascript:alert(1)"}, "web_page", WEB_ADDRESS_MESSAGE),
        ({"web_page": "ftp://rj.kent.example.org/"}, "web_page", WEB_ADDRESS_MESSAGE),
        (
            {"starts_on_0": "31", "starts_on_1": "2"},
            "starts_on",
            "The contract start date must be a real date, like 27 3 2026",
        ),
        ({"starts_on_1": ""}, "starts_on", "The contract start date must include a month"),
        ({"starts_on_2": "26"}, "starts_on", "The contract start date must have a 4-digit year, like 2026"),
        ({"starts_on_0": "", "starts_on_1": "", "starts_on_2": ""}, "starts_on", "Enter the contract start date"),
        ({"ends_on_0": "x"}, "ends_on", "The contract end date must be a real date, like 27 3 2026"),
        ({"areas": []}, "areas", "Select at least one police area the contract covers"),
        ({"email": "not an email"}, "email", "Enter an email address like name@example.org"),
    ],
)
def test_bad_input_is_refused_on_its_field(client, pcc_user, provider_user, changes, field, message):
    client.force_login(pcc_user)
    response = client.post(CREATE, form_data(provider_user.organisation, **changes))
    assert_refused(response, field, message)


def test_office_staff_cannot_record_an_area_they_do_not_serve(client, pcc_user, provider_user):
    client.force_login(pcc_user)
    response = client.post(CREATE, form_data(provider_user.organisation, areas=[area(KENT).pk, area(ESSEX).pk]))
    assert_refused(response, "areas", f"Select only police areas {pcc_user.organisation.name} serves")


def test_administrators_cannot_record_an_area_the_office_does_not_serve(client, admin_user, pcc_user, provider_user):
    client.force_login(admin_user)
    data = form_data(
        provider_user.organisation, commissioner=pcc_user.organisation.pk, areas=[area(KENT).pk, area(DYFED_POWYS).pk]
    )
    response = client.post(CREATE, data)
    assert_refused(response, "areas", f"{pcc_user.organisation.name} does not serve Dyfed-Powys")


def test_only_an_rj_provider_can_be_commissioned(client, pcc_user):
    client.force_login(pcc_user)
    response = client.post(CREATE, form_data(PccOfficeFactory()))
    assert_refused(response, "provider", "Select an RJ provider")


def test_every_problem_shows_at_once(client, pcc_user, provider_user):
    client.force_login(pcc_user)
    data = form_data(
        provider_user.organisation,
        annual_value_pence="-5",
        ends_on_0="1",
        ends_on_1="1",
        ends_on_2="2026",
        web_page="javascript:alert(1)",
    )
    errors = client.post(CREATE, data).context["form"].errors
    assert set(errors) == {"annual_value_pence", "ends_on", "web_page"}
    assert not Commission.objects.exists()


# Changing a contract ----------------------------------------------------------------------


def test_office_staff_change_their_contract_and_it_is_audited(client, pcc_user, provider_user, kent_contract):
    client.force_login(pcc_user)
    form = client.get(update_url(kent_contract)).context["form"]
    assert form.initial["annual_value_pence"] == 8_500_000
    assert "commissioner" not in form.fields
    data = form_data(
        provider_user.organisation,
        starts_on_0="1",
        starts_on_1="4",
        starts_on_2="2025",
        annual_value_pence="90000",
        ends_on_0="31",
        ends_on_1="3",
        ends_on_2="2027",
    )
    response = client.post(update_url(kent_contract), data)
    assert response.status_code == 302
    assert response["Location"] == detail_url(kent_contract)
    kent_contract.refresh_from_db()
    assert (kent_contract.annual_value_pence, kent_contract.ends_on) == (9_000_000, date(2027, 3, 31))
    event = AuditEvent.objects.for_target(kent_contract).get()
    assert (event.action, event.actor) == ("update", pcc_user)
    assert event.changes["annual_value_pence"] == {"from": 8_500_000, "to": 9_000_000}
    assert event.changes["ends_on"] == {"from": None, "to": "2027-03-31"}


def test_changing_the_areas_is_audited(client, admin_user, kent_contract):
    office = kent_contract.commissioner
    office.areas.add(area(ESSEX))
    client.force_login(admin_user)
    data = form_data(
        kent_contract.provider,
        starts_on_0="1",
        starts_on_1="4",
        starts_on_2="2025",
        areas=[area(KENT).pk, area(ESSEX).pk],
        annual_value_pence="85000",
        service_name="Restorative Kent",
        ends_on_0="",
        ends_on_1="",
        ends_on_2="",
    )
    assert client.post(update_url(kent_contract), data).status_code == 302
    assert set(kent_contract.areas.all()) == {area(KENT), area(ESSEX)}
    events = AuditEvent.objects.for_target(kent_contract)
    assert [event.changes.get("areas") for event in events if "areas" in event.changes] == [
        {"from": [KENT], "to": sorted([KENT, ESSEX])}
    ]


def test_a_bad_change_changes_nothing(client, pcc_user, provider_user, kent_contract):
    client.force_login(pcc_user)
    data = form_data(
        provider_user.organisation,
        starts_on_0="1",
        starts_on_1="4",
        starts_on_2="2025",
        ends_on_0="1",
        ends_on_1="1",
        ends_on_2="2025",
        annual_value_pence="1",
    )
    response = client.post(update_url(kent_contract), data)
    assert response.status_code == 200
    assert "The contract end date must be the same as or after its start date" in response.content.decode()
    kent_contract.refresh_from_db()
    assert (kent_contract.ends_on, kent_contract.annual_value_pence) == (None, 8_500_000)
    assert not changes_audited().exists()


# The list and the detail page -------------------------------------------------------------


@pytest.fixture
def three_contracts(pcc_user):
    """One running, one ended, one not started, all Kent's."""
    office = pcc_user.organisation
    return {
        "Running": CommissionFactory(
            commissioner=office, provider=ProviderFactory(name="Alpha RJ"), annual_value_pence=100
        ),
        "Ended": CommissionFactory(
            commissioner=office,
            provider=ProviderFactory(name="Bravo RJ"),
            starts_on=date(2022, 4, 1),
            ends_on=date(2026, 3, 1),
            annual_value_pence=None,
        ),
        "Not started": CommissionFactory(
            commissioner=office,
            provider=ProviderFactory(name="Charlie RJ"),
            starts_on=date(2026, 3, 3),
            annual_value_pence=300,
        ),
    }


def test_the_list_shows_each_contracts_status_today(client, pcc_user, three_contracts):
    client.force_login(pcc_user)
    response = client.get(LIST)
    statuses = {
        commission.provider.name: commission.contract_status_label for commission in response.context["commissions"]
    }
    assert statuses == {"Alpha RJ": "Running", "Bravo RJ": "Ended", "Charlie RJ": "Not started"}
    page = response.content.decode()
    assert "£1.00" in page
    assert "Not recorded" in page
    assert ">PCC office<" not in page  # office staff see only their own office's


def test_a_contract_ending_today_is_still_running(client, pcc_user):
    CommissionFactory(commissioner=pcc_user.organisation, ends_on=TODAY)
    client.force_login(pcc_user)
    assert [c.contract_status for c in client.get(LIST).context["commissions"]] == ["running"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("running", ["Alpha RJ"]), ("ended", ["Bravo RJ"]), ("not_started", ["Charlie RJ"]), ("nonsense", None)],
)
def test_filter_by_status(client, pcc_user, three_contracts, status, expected):
    client.force_login(pcc_user)
    names = provider_names(client.get(LIST, {"status": status}))
    assert names == (expected or ["Alpha RJ", "Bravo RJ", "Charlie RJ"])
    csv_names = [row[1] for row in csv_rows(client.get(LIST, {"status": status, "format": "csv"}))[1:]]
    assert sorted(csv_names) == sorted(names)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("provider", ["Alpha RJ", "Bravo RJ", "Charlie RJ"]),
        ("-provider", ["Charlie RJ", "Bravo RJ", "Alpha RJ"]),
        ("starts", ["Bravo RJ", "Alpha RJ", "Charlie RJ"]),
        ("value", ["Alpha RJ", "Charlie RJ", "Bravo RJ"]),
        ("-value", ["Charlie RJ", "Alpha RJ", "Bravo RJ"]),
        ("status", ["Alpha RJ", "Charlie RJ", "Bravo RJ"]),
        ("nonsense", ["Alpha RJ", "Bravo RJ", "Charlie RJ"]),
    ],
)
def test_sorting(client, pcc_user, three_contracts, sort, expected):
    client.force_login(pcc_user)
    assert provider_names(client.get(LIST, {"sort": sort})) == expected


def test_pagination(client, pcc_user):
    provider = ProviderFactory()
    for number in range(51):
        CommissionFactory(
            commissioner=pcc_user.organisation, provider=provider, starts_on=date(2020, 1, 1 + number % 28)
        )
    client.force_login(pcc_user)
    first, second = client.get(LIST), client.get(LIST, {"page": 2})
    assert len(first.context["commissions"]) == 50
    assert len(second.context["commissions"]) == 1
    assert first.context["commissions"].paginator.count == 51
    assert len(csv_rows(client.get(LIST, {"format": "csv"}))) == 52


def test_csv_download(client, admin_user, kent_contract):
    client.force_login(admin_user)
    rows = csv_rows(client.get(LIST, {"format": "csv"}))
    assert rows[0][:8] == [
        "PCC office",
        "RJ provider",
        "Police area codes",
        "Police areas",
        "Start date",
        "End date",
        "Annual value (£)",
        "Status on 2 March 2026",
    ]
    assert rows[1][:9] == [
        kent_contract.commissioner.name,
        kent_contract.provider.name,
        KENT,
        "Kent",
        "2025-04-01",
        "",
        "85000.00",
        "Running",
        "Restorative Kent",
    ]


def test_the_csv_neutralises_formulas(client, pcc_user, provider_user):
    CommissionFactory(
        commissioner=pcc_user.organisation, provider=provider_user.organisation, how_to_ask="=HYPERLINK()"
    )
    client.force_login(pcc_user)
    assert csv_rows(client.get(LIST, {"format": "csv"}))[1][-1] == "'=HYPERLINK()"


def test_the_detail_page_summarises_the_contract(client, pcc_user, kent_contract):
    ProviderRegistrationFactory(provider=kent_contract.provider, expires_on=date(2026, 4, 30))
    client.force_login(pcc_user)
    page = client.get(detail_url(kent_contract)).content.decode()
    for text in [
        "Contract with",
        "1 April 2025",
        "No end date",
        "£85,000.00",
        "Running",
        "01632 960000",
        "Restorative Kent",
        "Call or email the service and ask for restorative justice.",
        "Expiring soon",
        reverse("strategy_public:area", kwargs={"code": KENT}),
    ]:
        assert text in page, text


def test_the_list_shows_an_empty_state(client, pcc_user):
    client.force_login(pcc_user)
    assert "No contracts have been recorded yet." in client.get(LIST).content.decode()
