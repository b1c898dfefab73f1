"""Provider accreditation: providers keep their own registrations; the PCC offices that
commission them read them. Status is worked out from the expiry date on the day."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from rjportal.audit.models import AuditEvent
from rjportal.links import WEB_ADDRESS_MESSAGE
from strategy.constants import AccreditationStatus
from strategy.models import ProviderRegistration
from strategy.selectors import accreditations, registration_status
from tests.factories import (
    ESSEX,
    CommissionFactory,
    PccOfficeFactory,
    ProviderFactory,
    ProviderRegistrationFactory,
    area,
)

pytestmark = pytest.mark.django_db

LIST = reverse("strategy:registrations")
CREATE = reverse("strategy:registration_create")
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def update_url(registration):
    return reverse("strategy:registration_update", kwargs={"pk": registration.pk})


def changes_audited():
    """Audit events of changes (signing in is audited too)."""
    return AuditEvent.objects.filter(action__in=["create", "update", "delete"])


@pytest.fixture
def kent_provider(provider_user, pcc_user):
    """provider_user's organisation, commissioned by Kent's PCC office."""
    provider = provider_user.organisation
    provider.name = "Kent RJ Service"
    provider.save()
    CommissionFactory(commissioner=pcc_user.organisation, provider=provider)
    return provider


@pytest.fixture
def kent_registration(kent_provider):
    return ProviderRegistrationFactory(
        provider=kent_provider, awarded_on=date(2024, 6, 1), expires_on=date(2027, 5, 31), certificate_reference="RSP-1"
    )


@pytest.fixture
def essex_registration(other_pcc_user):
    provider = ProviderFactory(name="Essex RJ Hub", areas=[area(ESSEX)])
    CommissionFactory(commissioner=other_pcc_user.organisation, provider=provider, areas=[area(ESSEX)])
    return ProviderRegistrationFactory(provider=provider)


def form_data(**changes):
    data = {
        "scheme": "rjc_registered",
        "awarded_on_0": "1",
        "awarded_on_1": "2",
        "awarded_on_2": "2026",
        "expires_on_0": "31",
        "expires_on_1": "1",
        "expires_on_2": "2029",
        "certificate_reference": "RSP-2026-17",
        "certificate_url": "https://restorativejustice.example.org/certificates/17",
        "evidence_note": "Assessment report kept in the contracts folder.",
    }
    data.update(changes)
    return data


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def rows_of(response):
    return [
        (row.provider.name, row.registration.certificate_reference if row.registration else None, row.status)
        for row in response.context["rows"]
    ]


# Status on the day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (365, AccreditationStatus.CURRENT),
        (91, AccreditationStatus.CURRENT),
        (90, AccreditationStatus.EXPIRING),
        (30, AccreditationStatus.EXPIRING),
        (0, AccreditationStatus.EXPIRING),  # the expiry date is the last day it is valid
        (-1, AccreditationStatus.EXPIRED),
        (-400, AccreditationStatus.EXPIRED),
    ],
)
def test_status_follows_the_expiry_date(days_left, expected):
    registration = ProviderRegistration(awarded_on=date(2020, 1, 1), expires_on=TODAY + timedelta(days=days_left))
    assert registration_status(registration, today=TODAY) == expected


def test_no_registration_is_none_recorded():
    assert registration_status(None, today=TODAY) == AccreditationStatus.NONE


def test_a_providers_standing_is_its_registration_that_expires_last(kent_provider):
    ProviderRegistrationFactory(
        provider=kent_provider, scheme="rsqm", awarded_on=date(2018, 1, 1), expires_on=date(2021, 1, 1)
    )
    newer = ProviderRegistrationFactory(
        provider=kent_provider, awarded_on=date(2025, 1, 1), expires_on=date(2026, 5, 1)
    )
    standing = accreditations([kent_provider.pk], today=TODAY)[kent_provider.pk]
    assert standing.registration == newer
    assert standing.status == AccreditationStatus.EXPIRING


@pytest.mark.parametrize(
    ("expires_on", "label", "tag"),
    [
        (TODAY + timedelta(days=91), "Current", "govuk-tag--green"),
        (TODAY + timedelta(days=90), "Expiring soon", "govuk-tag--yellow"),
        (TODAY, "Expiring soon", "govuk-tag--yellow"),
        (TODAY - timedelta(days=1), "Expired", "govuk-tag--red"),
    ],
)
def test_the_list_shows_the_status_as_a_coloured_tag(client, pcc_user, kent_provider, expires_on, label, tag):
    ProviderRegistrationFactory(provider=kent_provider, awarded_on=date(2023, 1, 1), expires_on=expires_on)
    client.force_login(pcc_user)
    page = client.get(LIST).content.decode()
    assert f'<strong class="govuk-tag {tag}">{label}</strong>' in page
    assert csv_rows(client.get(LIST, {"format": "csv"}))[1][4] == label


def test_office_staff_see_commissioned_providers_with_none_recorded(client, pcc_user, kent_provider):
    client.force_login(pcc_user)
    response = client.get(LIST)
    assert rows_of(response) == [("Kent RJ Service", None, AccreditationStatus.NONE)]
    assert '<strong class="govuk-tag govuk-tag--grey">None recorded</strong>' in response.content.decode()
    assert csv_rows(client.get(LIST, {"format": "csv"}))[1][:5] == ["Kent RJ Service", "", "", "", "None recorded"]


def test_an_earlier_registration_is_marked_as_replaced(client, provider_user, kent_registration):
    ProviderRegistrationFactory(
        provider=kent_registration.provider,
        scheme="rsqm",
        awarded_on=date(2017, 1, 1),
        expires_on=date(2020, 1, 1),
        certificate_reference="RSQM-OLD",
    )
    client.force_login(provider_user)
    response = client.get(LIST)
    assert rows_of(response) == [
        ("Kent RJ Service", "RSP-1", AccreditationStatus.CURRENT),
        ("Kent RJ Service", "RSQM-OLD", AccreditationStatus.EXPIRED),
    ]
    assert "Replaced by a later award" in response.content.decode()
    assert [row[5] for row in csv_rows(client.get(LIST, {"format": "csv"}))[1:]] == ["Yes", ""]


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
        ("admin", {"Kent RJ Service", "Essex RJ Hub"}),
        ("pcc", {"Kent RJ Service"}),
        ("other_pcc", {"Essex RJ Hub"}),
        ("provider", {"Kent RJ Service"}),
    ],
    indirect=["persona"],
)
def test_each_persona_lists_only_registrations_in_scope(
    client, persona, expected, kent_registration, essex_registration
):
    client.force_login(persona)
    assert {name for name, _reference, _status in rows_of(client.get(LIST))} == expected
    assert {row[0] for row in csv_rows(client.get(LIST, {"format": "csv"}))[1:]} == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("provider", 200), ("pcc", 403), ("other_pcc", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_add_page_access(client, persona, expected):
    client.force_login(persona)
    assert client.get(CREATE).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    # The commissioning office reads it but may not change it (403); other offices do not know
    # it exists (404).
    [("admin", 200), ("provider", 200), ("pcc", 403), ("other_pcc", 404), ("moderator", 403)],
    indirect=["persona"],
)
def test_change_page_access(client, persona, expected, kent_registration):
    client.force_login(persona)
    assert client.get(update_url(kent_registration)).status_code == expected


def test_providers_do_not_find_another_providers_registration(client, provider_user, essex_registration):
    client.force_login(provider_user)
    assert client.get(update_url(essex_registration)).status_code == 404
    assert client.post(update_url(essex_registration), form_data()).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, kent_registration):
    for url in [LIST, f"{LIST}?format=csv", CREATE, update_url(kent_registration)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    assert client.post(CREATE, form_data()).status_code == 302
    assert ProviderRegistration.objects.count() == 1


def test_office_staff_cannot_add_or_change_registrations(client, pcc_user, kent_registration):
    client.force_login(pcc_user)
    assert client.post(CREATE, form_data()).status_code == 403
    assert client.post(update_url(kent_registration), form_data(certificate_reference="X")).status_code == 403
    kent_registration.refresh_from_db()
    assert kent_registration.certificate_reference == "RSP-1"
    assert ProviderRegistration.objects.count() == 1
    assert not changes_audited().exists()


def test_office_staff_see_no_add_button_or_change_links(client, pcc_user, kent_registration):
    client.force_login(pcc_user)
    page = client.get(LIST).content.decode()
    assert CREATE not in page
    assert update_url(kent_registration) not in page


def test_providers_see_change_links_for_their_own(client, provider_user, kent_registration):
    client.force_login(provider_user)
    page = client.get(LIST).content.decode()
    assert CREATE in page
    assert update_url(kent_registration) in page


# Recording a registration -----------------------------------------------------------------


def test_providers_record_their_own_registration(client, provider_user, kent_provider):
    other = ProviderFactory()
    client.force_login(provider_user)
    response = client.post(CREATE, {**form_data(), "provider": other.pk})
    assert response.status_code == 302
    assert response["Location"] == LIST
    registration = ProviderRegistration.objects.get()
    assert registration.provider == kent_provider  # whatever was posted
    assert (registration.scheme, registration.awarded_on, registration.expires_on) == (
        "rjc_registered",
        date(2026, 2, 1),
        date(2029, 1, 31),
    )
    assert registration.certificate_url == "https://restorativejustice.example.org/certificates/17"
    event = AuditEvent.objects.for_target(registration).get()
    assert (event.action, event.actor) == ("create", provider_user)
    assert event.changes["expires_on"] == "2029-01-31"
    page = client.get(LIST).content.decode()
    assert "RJC Registered Service Provider for Kent RJ Service saved: expires on 31 January 2029." in page


def test_the_commissioning_office_sees_the_new_registration(client, provider_user, pcc_user, kent_provider):
    client.force_login(provider_user)
    client.post(CREATE, form_data(expires_on_0="1", expires_on_1="5", expires_on_2="2026"))
    client.force_login(pcc_user)
    assert rows_of(client.get(LIST)) == [("Kent RJ Service", "RSP-2026-17", AccreditationStatus.EXPIRING)]


def test_administrators_choose_the_provider(client, admin_user):
    provider = ProviderFactory(name="Chosen RJ")
    client.force_login(admin_user)
    assert "provider" in client.get(CREATE).context["form"].fields
    response = client.post(CREATE, {**form_data(), "provider": provider.pk})
    assert response.status_code == 302
    assert ProviderRegistration.objects.get().provider == provider


def test_administrators_cannot_give_a_pcc_office_an_accreditation(client, admin_user):
    client.force_login(admin_user)
    response = client.post(CREATE, {**form_data(), "provider": PccOfficeFactory().pk})
    assert "Select an RJ provider" in response.context["form"].errors["provider"]
    assert not ProviderRegistration.objects.exists()


# Bad input: a message on the field, nothing saved -----------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"expires_on_0": "31", "expires_on_1": "1", "expires_on_2": "2026"},
            "expires_on",
            "The expiry date must be after the date it was awarded",
        ),
        (
            {"expires_on_0": "1", "expires_on_1": "2", "expires_on_2": "2026"},
            "expires_on",
            "The expiry date must be after the date it was awarded",
        ),
        (
            {"awarded_on_0": "3", "awarded_on_1": "3", "awarded_on_2": "2026"},
            "awarded_on",
            "The date it was awarded must be today or in the past",
        ),
        ({"certificate_url": "javascript:alert(1)"}, "certificate_url", WEB_ADDRESS_MESSAGE),
        ({"certificate_url": "ftp://example.org/cert"}, "certificate_url", WEB_ADDRESS_MESSAGE),
        ({"scheme": "made_up"}, "scheme", "Select the scheme"),
        ({"awarded_on_0": "", "awarded_on_1": "", "awarded_on_2": ""}, "awarded_on", "Enter the date it was awarded"),
        (
            {"expires_on_0": "30", "expires_on_1": "2"},
            "expires_on",
            "The expiry date must be a real date, like 27 3 2026",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field(client, provider_user, kent_provider, changes, field, message):
    client.force_login(provider_user)
    response = client.post(CREATE, form_data(**changes))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    page = response.content.decode()
    assert "<title>Error: " in page
    assert f'href="#id_{field}' in page
    assert not ProviderRegistration.objects.exists()
    assert not changes_audited().exists()


def test_the_same_award_twice_is_refused(client, provider_user, kent_registration):
    client.force_login(provider_user)
    response = client.post(CREATE, form_data(awarded_on_0="1", awarded_on_1="6", awarded_on_2="2024"))
    assert "already has an accreditation (RJC Registered Service Provider) awarded on 1 June 2024" in " ".join(
        response.context["form"].errors["awarded_on"]
    )
    assert ProviderRegistration.objects.count() == 1


# Changing a registration ------------------------------------------------------------------


def test_providers_change_their_registration_and_it_is_audited(client, provider_user, kent_registration):
    client.force_login(provider_user)
    form = client.get(update_url(kent_registration)).context["form"]
    assert form.initial["certificate_reference"] == "RSP-1"
    assert "provider" not in form.fields
    data = form_data(
        awarded_on_0="1",
        awarded_on_1="6",
        awarded_on_2="2024",
        expires_on_0="30",
        expires_on_1="6",
        expires_on_2="2027",
    )
    assert client.post(update_url(kent_registration), data).status_code == 302
    kent_registration.refresh_from_db()
    assert kent_registration.expires_on == date(2027, 6, 30)
    event = AuditEvent.objects.for_target(kent_registration).get()
    assert (event.action, event.actor) == ("update", provider_user)
    assert event.changes["expires_on"] == {"from": "2027-05-31", "to": "2027-06-30"}


def test_a_bad_change_changes_nothing(client, provider_user, kent_registration):
    client.force_login(provider_user)
    data = form_data(
        awarded_on_0="1", awarded_on_1="6", awarded_on_2="2024", expires_on_0="1", expires_on_1="6", expires_on_2="2024"
    )
    response = client.post(update_url(kent_registration), data)
    assert response.status_code == 200
    assert "The expiry date must be after the date it was awarded" in response.content.decode()
    kent_registration.refresh_from_db()
    assert kent_registration.expires_on == date(2027, 5, 31)
    assert not changes_audited().exists()


def test_administrators_change_any_registration(client, admin_user, essex_registration):
    client.force_login(admin_user)
    data = form_data(awarded_on_0="1", awarded_on_1="6", awarded_on_2="2024", certificate_reference="FIXED")
    assert client.post(update_url(essex_registration), data).status_code == 302
    essex_registration.refresh_from_db()
    assert essex_registration.certificate_reference == "FIXED"


def test_providers_without_a_registration_are_asked_to_add_one(client, provider_user):
    client.force_login(provider_user)
    page = client.get(LIST).content.decode()
    assert f"No accreditation has been recorded for {provider_user.organisation.name} yet." in page
