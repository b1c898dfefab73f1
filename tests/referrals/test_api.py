import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse
from rest_framework.test import APIClient

from referrals.models import Referral, ReferralEvent
from rjportal.apitokens.services import api_token_create
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, KENT, ProviderFactory, ReferralFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 2, 2)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime.datetime(2026, 2, 2, 12, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def kent_team(db):
    return ReferringTeamFactory(name="Medway neighbourhood", area=area(KENT))


@pytest.fixture
def own_referral(provider_user, kent_team):
    """Held by the provider user's organisation, in Kent (the PCC user's area)."""
    return ReferralFactory(provider=provider_user.organisation, referring_team=kent_team, reference="OWN-1")


@pytest.fixture
def essex_referral(db):
    """Held by another provider, in Essex: outside the provider's and the Kent PCC's scope."""
    return ReferralFactory(provider=ProviderFactory(areas=[area(ESSEX)]), area=area(ESSEX), reference="ESX-1")


def list_url():
    return reverse("api:referral-list")


def detail_url(referral):
    return reverse("api:referral-detail", kwargs={"pk": referral.pk})


def transition_url(referral):
    return reverse("api:referral-transition", kwargs={"pk": referral.pk})


def new_referral(team, **changes):
    values = {
        "area": KENT,
        "reference": "NEW-1",
        "referring_team": team.pk,
        "initiator": "victim",
        "offence_group": "violence_against_the_person",
        "offence_subgroup": "violence_with_injury",
        "justice_stage": "pre_sentence",
        "crime_reported_on": "2026-01-05",
        "victim_informed_on": "2026-01-07",
        "victim_requested_on": "2026-01-08",
        "referred_on": "2026-01-09",
        "received_on": "2026-01-12",
    }
    return {**values, **changes}


def ids(response):
    return sorted(row["id"] for row in response.json()["results"])


# Who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url_name", "with_pk"),
    [
        ("get", "api:referral-list", False),
        ("post", "api:referral-list", False),
        ("get", "api:referral-detail", True),
        ("patch", "api:referral-detail", True),
        ("put", "api:referral-detail", True),
        ("post", "api:referral-transition", True),
        ("get", "api:referring-team-list", False),
        ("get", "api:schema", False),
    ],
)
def test_anonymous_requests_get_401_not_a_sign_in_redirect(api, own_referral, method, url_name, with_pk):
    url = reverse(url_name, kwargs={"pk": own_referral.pk} if with_pk else {})
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_401(api, own_referral):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(list_url()).status_code == 401


@pytest.mark.parametrize(
    ("method", "url_name", "with_pk"),
    [
        ("get", "api:referral-list", False),
        ("post", "api:referral-list", False),
        ("get", "api:referral-detail", True),
        ("patch", "api:referral-detail", True),
        ("post", "api:referral-transition", True),
        ("get", "api:referring-team-list", False),
    ],
)
def test_moderators_get_403_from_the_referrals_api(api, moderator_user, own_referral, method, url_name, with_pk):
    api.force_authenticate(moderator_user)
    url = reverse(url_name, kwargs={"pk": own_referral.pk} if with_pk else {})
    assert getattr(api, method)(url, {}, format="json").status_code == 403


def test_provider_staff_list_and_read_only_their_own_referrals(api, provider_user, own_referral, essex_referral):
    kent_other_provider = ReferralFactory(reference="KENT-OTHER")
    api.force_authenticate(provider_user)
    assert ids(api.get(list_url())) == [own_referral.pk]
    assert api.get(detail_url(own_referral)).status_code == 200
    assert api.get(detail_url(essex_referral)).status_code == 404
    assert api.get(detail_url(kent_other_provider)).status_code == 404


def test_pcc_staff_read_their_areas_referrals_whoever_holds_them(api, pcc_user, own_referral, essex_referral):
    another_kent_provider = ReferralFactory(reference="KENT-2")
    api.force_authenticate(pcc_user)
    assert ids(api.get(list_url())) == sorted([own_referral.pk, another_kent_provider.pk])
    assert api.get(detail_url(own_referral)).status_code == 200
    assert api.get(detail_url(essex_referral)).status_code == 404


def test_pcc_staff_in_another_area_see_none_of_kents(api, other_pcc_user, own_referral, essex_referral):
    api.force_authenticate(other_pcc_user)
    assert ids(api.get(list_url())) == [essex_referral.pk]
    assert api.get(detail_url(own_referral)).status_code == 404


def test_pcc_staff_cannot_write_even_in_their_own_area(api, pcc_user, own_referral, kent_team):
    api.force_authenticate(pcc_user)
    assert api.post(list_url(), new_referral(kent_team), format="json").status_code == 403
    assert api.patch(detail_url(own_referral), {"contact_attempts": 3}, format="json").status_code == 403
    assert api.put(detail_url(own_referral), new_referral(kent_team), format="json").status_code == 403
    response = api.post(
        transition_url(own_referral), {"to_stage": "contacting", "on_date": "2026-01-20"}, format="json"
    )
    assert response.status_code == 403
    own_referral.refresh_from_db()
    assert (own_referral.stage, own_referral.contact_attempts, own_referral.reference) == ("referred", 0, "OWN-1")
    assert Referral.objects.count() == 1


def test_national_admins_see_and_change_every_referral(api, admin_user, own_referral, essex_referral):
    api.force_authenticate(admin_user)
    assert ids(api.get(list_url())) == sorted([own_referral.pk, essex_referral.pk])
    response = api.patch(detail_url(essex_referral), {"contact_attempts": 2}, format="json")
    assert response.status_code == 200
    essex_referral.refresh_from_db()
    assert essex_referral.contact_attempts == 2


# Reading ---------------------------------------------------------------------------------


def test_a_referral_comes_with_its_clocks_stage_and_timeline(api, provider_user, own_referral):
    ReferralEvent.objects.create(
        referral=own_referral, from_stage="", to_stage="referred", happened_on=own_referral.received_on
    )
    api.force_authenticate(provider_user)
    data = api.get(detail_url(own_referral)).json()
    assert data["reference"] == "OWN-1"
    assert data["area"] == KENT
    assert data["provider"] == provider_user.organisation_id
    assert data["stage"] == "referred"
    assert data["information_clock"] == "met"
    assert data["referral_clock"] == "met"
    assert data["allowed_transitions"] == ["contacting", "closed"]
    assert data["events"] == [
        {
            "from_stage": "",
            "to_stage": "referred",
            "happened_on": "2026-01-12",
            "reason": "",
            "corrected_at": None,
            "correction_reason": "",
        }
    ]


def test_the_list_shows_a_missed_clock(api, provider_user, kent_team):
    # Reported on 5 January, so the victim should have been told about RJ by 12 January.
    ReferralFactory(provider=provider_user.organisation, referring_team=kent_team, victim_informed_on=None)
    api.force_authenticate(provider_user)
    [row] = api.get(list_url()).json()["results"]
    assert row["information_clock"] == "missed"
    assert "events" not in row


def test_every_retrieve_is_audited(api, pcc_user, own_referral):
    api.force_authenticate(pcc_user)
    api.get(detail_url(own_referral))
    api.get(detail_url(own_referral))
    events = AuditEvent.objects.filter(action=AuditAction.VIEW, target_id=str(own_referral.pk))
    assert events.count() == 2
    assert {event.actor for event in events} == {pcc_user}


def test_a_list_request_is_audited_once(api, pcc_user, own_referral):
    ReferralFactory(reference="KENT-2")
    api.force_authenticate(pcc_user)
    api.get(list_url())
    [event] = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert event.summary == "Listed 2 referrals via API"
    assert event.actor == pcc_user


def test_a_referral_out_of_scope_is_not_audited_as_viewed(api, provider_user, essex_referral):
    api.force_authenticate(provider_user)
    assert api.get(detail_url(essex_referral)).status_code == 404
    assert not AuditEvent.objects.filter(target_id=str(essex_referral.pk)).exists()


# Filters and pagination ------------------------------------------------------------------


@pytest.fixture
def three_referrals(provider_user, kent_team):
    provider = provider_user.organisation
    provider.areas.add(area(ESSEX))
    other_team = ReferringTeamFactory(name="Custody suite", area=area(KENT))
    return {
        "plain": ReferralFactory(provider=provider, referring_team=kent_team, reference="A-1"),
        "offender_led": ReferralFactory(
            provider=provider,
            referring_team=other_team,
            reference="A-2",
            initiator="offender",
            offence_group="theft_offences",
            offence_subgroup="",
            referred_on=datetime.date(2026, 1, 19),
            received_on=datetime.date(2026, 1, 20),
            stage="contacting",
        ),
        "essex": ReferralFactory(provider=provider, area=area(ESSEX), reference="A-3"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"area": ESSEX}, ["essex"]),
        ({"stage": "contacting"}, ["offender_led"]),
        ({"offence_group": "theft_offences"}, ["offender_led"]),
        ({"initiator": "offender"}, ["offender_led"]),
        ({"received_from": "2026-01-13"}, ["offender_led"]),
        ({"received_to": "2026-01-13"}, ["essex", "plain"]),
        ({"reference": "A-3"}, ["essex"]),
        ({"reference": "A-"}, []),
        ({"area": KENT, "stage": "referred"}, ["plain"]),
    ],
)
def test_filters(api, provider_user, three_referrals, query, expected):
    api.force_authenticate(provider_user)
    response = api.get(list_url(), query)
    assert response.status_code == 200
    assert ids(response) == sorted(three_referrals[name].pk for name in expected)


def test_filter_by_referring_team(api, provider_user, three_referrals, kent_team):
    api.force_authenticate(provider_user)
    assert ids(api.get(list_url(), {"referring_team": kent_team.pk})) == [three_referrals["plain"].pk]


@pytest.mark.parametrize(
    "query",
    [
        {"area": "E99999999"},
        {"stage": "lost"},
        {"received_from": "2 January"},
        {"received_from": "13/01/2026"},
        {"referring_team": "x"},
        {"referring_team": "0"},
        {"stage": ""},
        {"area": " "},
        {"reference": "x" * 51},
        {"page_size": "ten"},
        {"page_size": "0"},
    ],
)
def test_a_bad_filter_value_is_400_naming_the_parameter(api, provider_user, three_referrals, query):
    api.force_authenticate(provider_user)
    response = api.get(list_url(), query)
    assert response.status_code == 400
    assert list(response.json()) == list(query)


def test_pages_of_100_by_default_and_page_size_on_request(api, provider_user, kent_team):
    ReferralFactory.create_batch(101, provider=provider_user.organisation, referring_team=kent_team)
    api.force_authenticate(provider_user)
    first = api.get(list_url()).json()
    assert (first["count"], len(first["results"])) == (101, 100)
    assert len(api.get(first["next"]).json()["results"]) == 1
    assert len(api.get(list_url(), {"page_size": 30}).json()["results"]) == 30
    assert len(api.get(list_url(), {"page_size": 5000}).json()["results"]) == 101


def test_page_size_is_capped_at_1000():
    from referrals.api.views import ApiPagination

    request = type("Request", (), {"query_params": {"page_size": "5000"}})()
    assert ApiPagination().get_page_size(request) == 1000


# Recording and changing ------------------------------------------------------------------


def test_provider_staff_record_a_referral_for_their_own_organisation(api, provider_user, kent_team):
    stranger = ProviderFactory()
    api.force_authenticate(provider_user)
    response = api.post(list_url(), new_referral(kent_team, provider=stranger.pk), format="json")
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.provider == provider_user.organisation
    assert response.json()["id"] == referral.pk
    assert response.json()["information_clock"] == "met"
    assert [event["to_stage"] for event in response.json()["events"]] == ["referred"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(referral.pk)).exists()


def test_national_admins_must_say_which_provider(api, admin_user, kent_team):
    provider = ProviderFactory()
    api.force_authenticate(admin_user)
    response = api.post(list_url(), new_referral(kent_team), format="json")
    assert response.status_code == 400
    assert "provider" in response.json()
    response = api.post(list_url(), new_referral(kent_team, provider=provider.pk), format="json")
    assert response.status_code == 201
    assert Referral.objects.get().provider == provider


def test_a_provider_that_is_not_an_rj_provider_is_refused_in_the_services_words(api, admin_user, pcc_user, kent_team):
    api.force_authenticate(admin_user)
    response = api.post(list_url(), new_referral(kent_team, provider=pcc_user.organisation_id), format="json")
    assert response.status_code == 400
    assert response.json() == {"provider": [f"{pcc_user.organisation.name} is not an RJ provider"]}
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"received_on": "2026-01-08"},
            "received_on",
            "The date the referral was received must be the same as or after the referral date",
        ),
        ({"referred_on": "2026-03-01"}, "referred_on", "The referral date must be today or in the past"),
        (
            {"offence_subgroup": "shoplifting"},
            "offence_subgroup",
            "The offence subgroup must belong to the offence group",
        ),
        ({"area": ESSEX}, "area", None),
        ({"area": "E99999999"}, "area", None),
        ({"initiator": "neighbour"}, "initiator", None),
        ({"received_on": "12/01/2026"}, "received_on", None),
    ],
)
def test_invalid_values_are_400_with_field_messages_and_record_nothing(
    api, provider_user, kent_team, changes, field, message
):
    api.force_authenticate(provider_user)
    response = api.post(list_url(), new_referral(kent_team, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_team_from_another_area_is_refused(api, provider_user):
    essex_team = ReferringTeamFactory(area=area(ESSEX))
    api.force_authenticate(provider_user)
    response = api.post(list_url(), new_referral(essex_team), format="json")
    assert response.status_code == 400
    assert response.json() == {"referring_team": ["Choose a team from Kent"]}


def test_a_reference_already_used_by_the_provider_is_refused(api, provider_user, own_referral, kent_team):
    api.force_authenticate(provider_user)
    response = api.post(list_url(), new_referral(kent_team, reference=own_referral.reference.lower()), format="json")
    assert response.status_code == 400
    assert response.json()["reference"] == [f"You already have a referral with the reference {own_referral.reference}"]
    assert Referral.objects.count() == 1


def test_provider_staff_change_their_referral(api, provider_user, own_referral):
    api.force_authenticate(provider_user)
    response = api.patch(detail_url(own_referral), {"contact_attempts": 3, "victim_informed_on": None}, format="json")
    assert response.status_code == 200
    assert response.json()["contact_attempts"] == 3
    assert response.json()["information_clock"] == "missed"
    own_referral.refresh_from_db()
    assert own_referral.contact_attempts == 3
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(own_referral.pk)).exists()


def test_a_full_update_needs_every_required_value(api, provider_user, own_referral, kent_team):
    api.force_authenticate(provider_user)
    assert api.put(detail_url(own_referral), {"contact_attempts": 1}, format="json").status_code == 400
    response = api.put(detail_url(own_referral), new_referral(kent_team, reference="OWN-1B"), format="json")
    assert response.status_code == 200
    own_referral.refresh_from_db()
    assert own_referral.reference == "OWN-1B"


def test_an_invalid_change_is_400_and_changes_nothing(api, provider_user, own_referral):
    api.force_authenticate(provider_user)
    response = api.patch(detail_url(own_referral), {"received_on": "2026-01-01", "contact_attempts": 4}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "received_on": ["The date the referral was received must be the same as or after the referral date"]
    }
    own_referral.refresh_from_db()
    assert (own_referral.received_on, own_referral.contact_attempts) == (datetime.date(2026, 1, 12), 0)


def test_the_provider_of_a_referral_cannot_be_changed(api, admin_user, provider_user, own_referral):
    api.force_authenticate(admin_user)
    response = api.patch(detail_url(own_referral), {"provider": ProviderFactory().pk}, format="json")
    assert response.status_code == 200
    assert response.json()["provider"] == provider_user.organisation_id
    own_referral.refresh_from_db()
    assert own_referral.provider == provider_user.organisation


def test_provider_staff_cannot_change_another_providers_referral(api, provider_user, essex_referral):
    api.force_authenticate(provider_user)
    assert api.patch(detail_url(essex_referral), {"contact_attempts": 3}, format="json").status_code == 404
    response = api.post(
        transition_url(essex_referral), {"to_stage": "contacting", "on_date": "2026-01-20"}, format="json"
    )
    assert response.status_code == 404
    essex_referral.refresh_from_db()
    assert (essex_referral.contact_attempts, essex_referral.stage) == (0, "referred")


# Moving stage ----------------------------------------------------------------------------


def test_provider_staff_move_a_referral_on(api, provider_user, own_referral):
    api.force_authenticate(provider_user)
    response = api.post(
        transition_url(own_referral), {"to_stage": "contacting", "on_date": "2026-01-20"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["stage"] == "contacting"
    assert response.json()["stage_changed_on"] == "2026-01-20"
    assert response.json()["allowed_transitions"] == ["assessing", "closed"]
    assert [event["to_stage"] for event in response.json()["events"]] == ["contacting"]
    assert AuditEvent.objects.filter(action=AuditAction.TRANSITION, target_id=str(own_referral.pk)).exists()


def test_closing_needs_a_reason(api, provider_user, own_referral):
    api.force_authenticate(provider_user)
    response = api.post(transition_url(own_referral), {"to_stage": "closed", "on_date": "2026-01-20"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Select why the referral was closed"]}
    response = api.post(
        transition_url(own_referral),
        {"to_stage": "closed", "on_date": "2026-01-20", "reason": "withdrawn"},
        format="json",
    )
    assert response.status_code == 200
    own_referral.refresh_from_db()
    assert (own_referral.stage, own_referral.closure_reason) == ("closed", "withdrawn")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to_stage": "assessing", "on_date": "2026-01-20"}, "to_stage"),
        ({"to_stage": "completed", "on_date": "2026-01-20"}, "to_stage"),
        ({"to_stage": "lost", "on_date": "2026-01-20"}, "to_stage"),
        ({"to_stage": "contacting", "on_date": "2026-03-01"}, "on_date"),
        ({"to_stage": "contacting", "on_date": "2026-01-01"}, "on_date"),
        ({"to_stage": "contacting"}, "on_date"),
        ({"to_stage": "closed", "on_date": "2026-01-20", "reason": "bored"}, "reason"),
    ],
)
def test_a_transition_that_is_not_allowed_is_400_and_changes_nothing(api, provider_user, own_referral, payload, field):
    api.force_authenticate(provider_user)
    response = api.post(transition_url(own_referral), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    own_referral.refresh_from_db()
    assert (own_referral.stage, own_referral.stage_changed_on) == ("referred", datetime.date(2026, 1, 12))
    assert not own_referral.events.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSITION).exists()


def test_a_skipped_stage_is_refused_in_the_services_words(api, provider_user, own_referral):
    api.force_authenticate(provider_user)
    response = api.post(transition_url(own_referral), {"to_stage": "assessing", "on_date": "2026-01-20"}, format="json")
    assert response.json() == {"to_stage": ["A referral at referred can move to contacting or closed, not assessing"]}


def test_completing_records_the_outcome(api, provider_user, kent_team):
    referral = ReferralFactory(
        provider=provider_user.organisation, referring_team=kent_team, stage="intervention", intervention_type="video"
    )
    api.force_authenticate(provider_user)
    response = api.post(transition_url(referral), {"to_stage": "completed", "on_date": "2026-01-30"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"agreement_reached", "victim_satisfaction"}
    payload = {"to_stage": "completed", "on_date": "2026-01-30", "agreement_reached": True, "victim_satisfaction": 5}
    assert api.post(transition_url(referral), payload, format="json").status_code == 200
    referral.refresh_from_db()
    assert (referral.stage, referral.agreement_reached, referral.victim_satisfaction) == ("completed", True, 5)


# Tokens and sessions ---------------------------------------------------------------------


def test_a_provider_system_works_with_a_token_and_no_session(client, provider_user, own_referral, kent_team):
    """The plain Django client, so the project's sign-in middleware and CSRF checks run."""
    _, secret = api_token_create(actor=provider_user, name="Case system", expires_in_days=30)
    headers = {"Authorization": f"Token {secret}"}
    response = client.get(list_url(), headers=headers)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own_referral.pk]
    response = client.post(list_url(), new_referral(kent_team), content_type="application/json", headers=headers)
    assert response.status_code == 201
    assert Referral.objects.filter(reference="NEW-1", provider=provider_user.organisation).exists()


def test_a_signed_in_person_uses_the_api_with_their_session(client, pcc_user, own_referral):
    client.force_login(pcc_user)
    assert client.get(detail_url(own_referral)).status_code == 200


def test_session_writes_need_the_csrf_token(provider_user, own_referral):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_user)
    response = client.patch(detail_url(own_referral), {"contact_attempts": 3}, content_type="application/json")
    assert response.status_code == 403
    own_referral.refresh_from_db()
    assert own_referral.contact_attempts == 0


# Referring teams -------------------------------------------------------------------------


def test_provider_systems_find_team_ids_by_area(api, provider_user, kent_team):
    essex_team = ReferringTeamFactory(name="Essex victim care", area=area(ESSEX), category="victim_care_unit")
    api.force_authenticate(provider_user)
    response = api.get(reverse("api:referring-team-list"), {"area": KENT})
    assert response.json()["results"] == [
        {
            "id": kent_team.pk,
            "name": "Medway neighbourhood",
            "area": KENT,
            "area_name": "Kent",
            "category": "neighbourhood",
            "staff_count": None,
        }
    ]
    all_ids = [row["id"] for row in api.get(reverse("api:referring-team-list")).json()["results"]]
    assert sorted(all_ids) == sorted([kent_team.pk, essex_team.pk])
    assert api.get(reverse("api:referring-team-list"), {"area": "nowhere"}).status_code == 400


def test_provider_systems_only_read_referring_teams(api, provider_user, kent_team):
    """PCC office staff and administrators keep the teams (tests/referrals/test_teams_api.py)."""
    api.force_authenticate(provider_user)
    response = api.post(reverse("api:referring-team-list"), {"name": "New", "area": KENT}, format="json")
    assert response.status_code == 403


# Schema and docs -------------------------------------------------------------------------


def test_the_schema_is_served_to_signed_in_users_and_tokens(client, pcc_user, provider_user):
    client.force_login(pcc_user)
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/v1/referrals/{id}/transition/" in schema
    assert "tokenAuth" in schema
    client.logout()
    _, secret = api_token_create(actor=provider_user, name="Case system", expires_in_days=30)
    assert client.get(reverse("api:schema"), headers={"Authorization": f"Token {secret}"}).status_code == 200


def test_the_docs_are_for_signed_in_people(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_docs_page_uses_no_cdn_and_no_inline_script(client, pcc_user):
    client.force_login(pcc_user)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    for host in ("cdn", "unpkg", "jsdelivr", "http://", "https://"):
        assert host not in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 3
    assert all('src="' in attributes and not body.strip() for attributes, body in scripts)
    assert "<style" not in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_docs_assets_are_served_from_our_own_static_files(client, pcc_user):
    client.force_login(pcc_user)
    page = client.get(reverse("api:docs")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    static_files = [source for source in sources if source.startswith("/static/")]
    assert len(static_files) == 4  # the stylesheet, the favicon and two bundles
    for source in static_files:
        assert finders.find(source.removeprefix("/static/")), source
    [script_url] = [source for source in sources if source.startswith(reverse("api:docs"))]
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in script.content.decode()


def test_a_patch_may_not_put_the_received_date_after_the_referral_closed(api, provider_user, own_referral):
    from referrals.services import referral_transition

    referral_transition(
        actor=provider_user,
        referral=own_referral,
        to_stage="closed",
        on_date=datetime.date(2026, 1, 20),
        reason="withdrawn",
    )
    api.force_authenticate(provider_user)
    response = api.patch(
        detail_url(own_referral), {"referred_on": "2026-01-25", "received_on": "2026-01-26"}, format="json"
    )
    assert response.status_code == 400
    assert "on or before 20 January 2026, when it moved to closed" in response.json()["received_on"][0]
    own_referral.refresh_from_db()
    assert own_referral.received_on == datetime.date(2026, 1, 12)


def test_a_referring_team_id_that_matches_no_team_gives_an_empty_list(api, provider_user, three_referrals):
    api.force_authenticate(provider_user)
    response = api.get(list_url(), {"referring_team": 999999})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("page", ["0", "-1", "1.0", "last", "99"])
def test_a_page_that_does_not_exist_is_404(api, provider_user, own_referral, page):
    api.force_authenticate(provider_user)
    response = api.get(list_url(), {"page": page})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_full_update_ignores_provider_and_needs_no_provider(api, admin_user, provider_user, own_referral, kent_team):
    api.force_authenticate(admin_user)
    values = new_referral(kent_team, reference="OWN-1C")
    response = api.put(detail_url(own_referral), values, format="json")
    assert response.status_code == 200, response.json()
    response = api.put(detail_url(own_referral), {**values, "provider": ProviderFactory().pk}, format="json")
    assert response.status_code == 200
    own_referral.refresh_from_db()
    assert (own_referral.reference, own_referral.provider) == ("OWN-1C", provider_user.organisation)


def test_blank_choices_come_back_as_empty_strings_and_the_schema_allows_them(client, api, provider_user, own_referral):
    api.force_authenticate(provider_user)
    data = api.get(detail_url(own_referral)).json()
    assert (data["intervention_type"], data["closure_reason"]) == ("", "")
    client.force_login(provider_user)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    properties = schema["components"]["schemas"]["ReferralDetail"]["properties"]
    for field in ("intervention_type", "closure_reason", "offence_subgroup"):
        assert {"$ref": "#/components/schemas/BlankEnum"} in properties[field]["oneOf"], field


def test_the_schema_documents_every_error_and_puts_no_provider_in_changes(client, provider_user):
    client.force_login(provider_user)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    referral = schema["paths"]["/api/v1/referrals/{id}/"]
    assert set(referral["get"]["responses"]) == {"200", "401", "403", "404", "429"}
    assert set(referral["put"]["responses"]) == {"200", "400", "401", "403", "404", "429"}
    listed = schema["paths"]["/api/v1/referrals/"]["get"]["responses"]
    assert set(listed) == {"200", "400", "401", "403", "404", "429"}
    throttled = referral["get"]["responses"]["429"]
    assert throttled["headers"]["Retry-After"]["required"] is True
    components = schema["components"]["schemas"]
    put_body = referral["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "provider" not in components[put_body]["properties"]
    create = schema["paths"]["/api/v1/referrals/"]["post"]
    create_body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "provider" in components[create_body]["properties"]
    assert "provider" not in components[create_body]["required"]
    area = next(p for p in schema["paths"]["/api/v1/referrals/"]["get"]["parameters"] if p["name"] == "area")
    assert len(area["schema"]["enum"]) == 43
    assert KENT in area["schema"]["enum"]


def test_a_token_request_is_throttled_with_retry_after(client, settings, provider_user):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_burst": "2/second", "api_sustained": "100/hour"},
    }
    _, secret = api_token_create(actor=provider_user, name="Case system", expires_in_days=30)
    headers = {"Authorization": f"Token {secret}"}
    assert [client.get(list_url(), headers=headers).status_code for _ in range(2)] == [200, 200]
    response = client.get(list_url(), headers=headers)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


@pytest.mark.parametrize("path", ["/api/v1/referrals/0.5/", "/api/v1/referral/", "/api/v2/referrals/1/"])
def test_other_addresses_under_the_api_are_json_404s(api, provider_user, path):
    assert api.get(path)["WWW-Authenticate"] == "Token"  # anonymous: 401, as everywhere in the API
    api.force_authenticate(provider_user)
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_corrected_move_says_so_in_the_timeline(api, provider_user, own_referral):
    from referrals.services import referral_move_correct

    api.force_authenticate(provider_user)
    api.post(transition_url(own_referral), {"to_stage": "contacting", "on_date": "2026-01-20"}, format="json")
    referral_move_correct(actor=provider_user, referral=own_referral, reason="wrong_date")
    events = api.get(detail_url(own_referral)).json()["events"]
    [moved] = [event for event in events if event["to_stage"] == "contacting"]
    assert moved["correction_reason"] == "wrong_date"
    assert moved["corrected_at"] is not None


def test_the_api_takes_json_only(api, provider_user, own_referral):
    api.force_authenticate(provider_user)
    response = api.patch(detail_url(own_referral), {"contact_attempts": 3})  # multipart, as a form sends
    assert response.status_code == 415
    own_referral.refresh_from_db()
    assert own_referral.contact_attempts == 0


# Many referrals at once, with their stages -------------------------------------------------------


def import_url():
    return reverse("api:referral-bulk-import")


def template_row(**changes) -> dict:
    """A row of the import template, as the API takes it (only some columns: the rest are empty)."""
    values = {
        "reference": "BULK-1",
        "police_area_code": KENT,
        "referring_team": "Medway neighbourhood",
        "initiator": "victim",
        "offence_group": "violence_against_the_person",
        "hate_crime": "no",
        "domestic_abuse": "no",
        "sexual_harm": "no",
        "justice_stage": "pre_sentence",
        "offender_under_18": "no",
        "victim_enhanced_rights": "no",
        "crime_reported_on": "2026-01-05",
        "referred_on": "2026-01-09",
        "received_on": "2026-01-12",
    }
    return {**values, **changes}


def test_provider_staff_import_rows_with_stages(api, provider_user, own_referral):
    """A new referral straight to completed, and one recorded before moved on to assessing."""
    api.force_authenticate(provider_user)
    rows = [
        template_row(
            stage="completed",
            contacting_on="2026-01-13",
            intervention_on="2026-01-20",
            intervention_type="video",
            completed_on="2026-01-27",
            agreement_reached="yes",
            victim_satisfaction="5",
            offender_satisfaction=None,
        ),
        template_row(reference="OWN-1", stage="assessing", contacting_on="2026-01-14", assessing_on="2026-01-21"),
    ]
    response = api.post(import_url(), {"rows": rows, "provider": 999999}, format="json")  # provider ignored

    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0, "moved": 2}
    new = Referral.objects.get(reference="BULK-1")
    assert new.provider == provider_user.organisation
    assert (new.stage, new.stage_changed_on, new.intervention_type, new.victim_satisfaction) == (
        "completed",
        datetime.date(2026, 1, 27),
        "video",
        5,
    )
    assert new.events.count() == 6
    own_referral.refresh_from_db()
    assert own_referral.stage == "assessing"
    assert list(own_referral.events.order_by("id").values_list("to_stage", "happened_on", "actor"))[-2:] == [
        ("contacting", datetime.date(2026, 1, 14), provider_user.pk),
        ("assessing", datetime.date(2026, 1, 21), provider_user.pk),
    ]
    moves = AuditEvent.objects.filter(action=AuditAction.TRANSITION, target_id=str(own_referral.pk))
    assert moves.count() == 2
    assert set(moves.values_list("actor", flat=True)) == {provider_user.pk}
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, actor=provider_user).count() == 1


def test_a_row_that_would_move_a_referral_back_is_400_by_row_and_column_and_saves_nothing(
    api, provider_user, own_referral, kent_team
):
    api.force_authenticate(provider_user)
    ahead = template_row(reference="OWN-1", stage="preparing", preparing_on="2026-01-20")
    assert api.post(import_url(), {"rows": [ahead]}, format="json").status_code == 200
    events = ReferralEvent.objects.count()

    rows = [
        template_row(reference="NEW-2"),
        template_row(reference="OWN-1", stage="contacting", contacting_on="2026-01-20"),
        template_row(reference="NEW-3", stage="closed", closed_on="2026-01-30", hate_crime="perhaps"),
    ]
    response = api.post(import_url(), {"rows": rows}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "row": 2,
                "column": "stage",
                "message": "The referral is at preparing in the portal, after contacting: a file cannot move a "
                "referral back. If a move was recorded by mistake, correct it on the referral's page",
            },
            {"row": 3, "column": "hate_crime", "message": "Enter yes or no"},
            {
                "row": 3,
                "column": "closure_reason",
                "message": "Enter why the referral was closed, as a code or name from the column guide",
            },
        ]
    }
    assert not Referral.objects.filter(reference__startswith="NEW").exists()
    assert ReferralEvent.objects.count() == events


def test_values_the_schema_refuses_and_unknown_columns_are_400_by_row(api, provider_user, kent_team):
    api.force_authenticate(provider_user)
    response = api.post(import_url(), {"rows": [template_row(), template_row(hate_crime=True)]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"row": 2, "column": "hate_crime", "message": "Not a valid string."}]}

    response = api.post(import_url(), {"rows": [template_row(colour="blue")]}, format="json")
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert (problem["row"], problem["column"]) == (1, "colour")
    assert Referral.objects.count() == 0


def test_no_rows_or_too_many_are_400(api, provider_user, kent_team):
    api.force_authenticate(provider_user)
    for rows in ([], [template_row(reference=f"R{n}") for n in range(1001)]):
        response = api.post(import_url(), {"rows": rows}, format="json")
        assert response.status_code == 400
        assert [problem["column"] for problem in response.json()["errors"]] == ["rows"]
    assert Referral.objects.count() == 0


def test_national_admins_import_for_the_provider_they_name(api, admin_user, provider_user, kent_team):
    api.force_authenticate(admin_user)
    response = api.post(import_url(), {"rows": [template_row()]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "provider"

    body = {"rows": [template_row()], "provider": provider_user.organisation.pk}
    assert api.post(import_url(), body, format="json").json()["created"] == 1
    assert Referral.objects.get().provider == provider_user.organisation


@pytest.mark.parametrize(("persona", "status"), [("pcc", 403), ("moderator", 403)], indirect=["persona"])
def test_others_cannot_import(api, persona, status, kent_team):
    api.force_authenticate(persona)
    assert api.post(import_url(), {"rows": [template_row()]}, format="json").status_code == status
    assert Referral.objects.count() == 0


def test_anonymous_import_is_401(api):
    response = api.post(import_url(), {"rows": [template_row()]}, format="json")
    assert response.status_code == 401


def test_the_schema_documents_the_import_and_its_problems(client, provider_user):
    client.force_login(provider_user)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/referrals/import/"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "429"}
    problems = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert schema["components"]["schemas"][problems]["required"] == ["errors"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    rows = schema["components"]["schemas"][body]["properties"]["rows"]
    assert (rows["minItems"], rows["maxItems"]) == (1, 1000)
    row = schema["components"]["schemas"][rows["items"]["$ref"].split("/")[-1]]
    assert {"stage", "completed_on", "closure_reason", "victim_satisfaction"} <= set(row["properties"])


def test_rows_that_are_not_objects_are_400_by_row(api, provider_user, kent_team):
    api.force_authenticate(provider_user)
    response = api.post(import_url(), {"rows": [template_row(), None, 0, "AAA", [None]]}, format="json")
    assert response.status_code == 400
    assert [(problem["row"], problem["column"]) for problem in response.json()["errors"]] == [
        (2, ""),
        (3, ""),
        (4, ""),
        (5, ""),
    ]
    assert Referral.objects.count() == 0
