"""The referring teams API: every role with referral access reads every team; PCC office staff
add and change their areas' teams, national administrators any area's, through the services."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from referrals.models import ReferringTeam
from rjportal.audit.models import AuditEvent
from tests.factories import DYFED_POWYS, ESSEX, KENT, PccStaffFactory, ReferralFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db

LIST = reverse("api:referring-team-list")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def kent_team(db):
    return ReferringTeamFactory(area=area(KENT), name="Medway Neighbourhood", category="neighbourhood", staff_count=40)


@pytest.fixture
def essex_team(db):
    return ReferringTeamFactory(area=area(ESSEX), name="Essex Custody", category="custody")


def detail(team):
    return reverse("api:referring-team-detail", kwargs={"pk": team.pk})


def new_team(**changes):
    return {"area": KENT, "name": "Swale Response", "category": "response", "staff_count": 25, **changes}


# Who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 201), ("pcc", 201), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_who_may_add_a_team(api, persona, status):
    api.force_authenticate(persona)
    response = api.post(LIST, new_team(), format="json")
    assert response.status_code == status
    assert ReferringTeam.objects.filter(name="Swale Response").exists() == (status == 201)


@pytest.mark.parametrize(
    ("persona", "status"),
    # Another area's PCC office does not find Kent's team to change (404); providers and
    # moderators may change no team at all (403).
    [("admin", 200), ("pcc", 200), ("other_pcc", 404), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_who_may_change_a_team(api, kent_team, persona, status, method):
    api.force_authenticate(persona)
    response = getattr(api, method)(detail(kent_team), new_team(name="Medway NP"), format="json")
    assert response.status_code == status
    kent_team.refresh_from_db()
    assert kent_team.name == ("Medway NP" if status == 200 else "Medway Neighbourhood")


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_anonymous_requests_get_401(api, kent_team, method):
    url = LIST if method == "post" else detail(kent_team)
    response = getattr(api, method)(url, new_team(), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("persona", ["admin", "pcc", "other_pcc", "provider"], indirect=True)
def test_every_role_with_referral_access_reads_every_team(api, persona, kent_team, essex_team):
    api.force_authenticate(persona)
    names = [team["name"] for team in api.get(LIST).json()["results"]]
    assert names == ["Essex Custody", "Medway Neighbourhood"]
    assert api.get(detail(kent_team)).json() == {
        "id": kent_team.pk,
        "name": "Medway Neighbourhood",
        "area": KENT,
        "area_name": "Kent",
        "category": "neighbourhood",
        "staff_count": 40,
    }


def test_pcc_staff_cannot_add_a_team_to_an_area_they_do_not_serve(api, pcc_user):
    api.force_authenticate(pcc_user)
    response = api.post(LIST, new_team(area=ESSEX), format="json")
    assert response.status_code == 400
    assert response.json() == {"area": ["Select one of your police areas"]}
    assert not ReferringTeam.objects.exists()


def test_pcc_staff_cannot_move_their_team_to_an_area_they_do_not_serve(api, pcc_user, kent_team):
    api.force_authenticate(pcc_user)
    response = api.patch(detail(kent_team), {"area": ESSEX}, format="json")
    assert response.status_code == 400
    assert response.json() == {"area": ["Select one of your police areas"]}
    kent_team.refresh_from_db()
    assert kent_team.area == area(KENT)


def test_an_office_with_several_areas_adds_to_each(api):
    user = PccStaffFactory(organisation__areas=[area(KENT), area(ESSEX)])
    api.force_authenticate(user)
    assert api.post(LIST, new_team(area=ESSEX), format="json").status_code == 201
    assert api.post(LIST, new_team(area=DYFED_POWYS), format="json").status_code == 400


def test_an_administrator_adds_to_any_area(api, admin_user):
    api.force_authenticate(admin_user)
    response = api.post(LIST, new_team(area=DYFED_POWYS), format="json")
    assert response.status_code == 201
    assert response.json()["area_name"] == "Dyfed-Powys"


# Adding and changing ---------------------------------------------------------------------


def test_adding_a_team_answers_with_it_and_audits_it(api, pcc_user):
    api.force_authenticate(pcc_user)
    response = api.post(LIST, new_team(name="  Swale Response "), format="json")
    team = ReferringTeam.objects.get()
    assert response.json() == {
        "id": team.pk,
        "name": "Swale Response",
        "area": KENT,
        "area_name": "Kent",
        "category": "response",
        "staff_count": 25,
    }
    event = AuditEvent.objects.for_target(team).get()
    assert (event.action, event.actor) == ("create", pcc_user)


def test_a_staff_count_may_be_left_out_or_null(api, pcc_user):
    api.force_authenticate(pcc_user)
    api.post(LIST, {"area": KENT, "name": "Dover Court", "category": "court"}, format="json")
    api.post(LIST, new_team(staff_count=None), format="json")
    assert set(ReferringTeam.objects.values_list("staff_count", flat=True)) == {None}


def test_a_partial_change_changes_only_what_it_names_and_audits_it(api, pcc_user, kent_team):
    api.force_authenticate(pcc_user)
    response = api.patch(detail(kent_team), {"staff_count": 45}, format="json")
    assert response.status_code == 200
    assert response.json()["staff_count"] == 45
    kent_team.refresh_from_db()
    assert (kent_team.name, kent_team.category, kent_team.staff_count) == ("Medway Neighbourhood", "neighbourhood", 45)
    event = AuditEvent.objects.for_target(kent_team).get()
    assert (event.action, event.changes) == ("update", {"staff_count": {"from": 40, "to": 45}})


def test_a_full_change_without_a_staff_count_makes_it_not_known(api, pcc_user, kent_team):
    api.force_authenticate(pcc_user)
    response = api.put(
        detail(kent_team), {"area": KENT, "name": "Medway Neighbourhood", "category": "court"}, format="json"
    )
    assert response.status_code == 200
    kent_team.refresh_from_db()
    assert (kent_team.category, kent_team.staff_count) == ("court", None)


def test_a_full_change_needs_every_required_value(api, pcc_user, kent_team):
    api.force_authenticate(pcc_user)
    response = api.put(detail(kent_team), {"staff_count": 3}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"area", "name", "category"}


def test_a_name_the_area_has_is_refused_in_the_services_words(api, pcc_user, kent_team):
    api.force_authenticate(pcc_user)
    response = api.post(LIST, new_team(name="MEDWAY neighbourhood"), format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["Kent already has a team called Medway Neighbourhood"]}
    swale = ReferringTeamFactory(area=area(KENT), name="Swale Response")
    response = api.patch(detail(swale), {"name": "medway neighbourhood"}, format="json")
    assert response.json() == {"name": ["Kent already has a team called Medway Neighbourhood"]}
    assert ReferringTeam.objects.count() == 2
    assert not AuditEvent.objects.exists()


def test_a_team_with_referrals_stays_in_its_area(api, admin_user, kent_team):
    ReferralFactory(referring_team=kent_team)
    api.force_authenticate(admin_user)
    response = api.patch(detail(kent_team), {"area": ESSEX}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "area": ["Medway Neighbourhood has referrals in Kent, so it cannot move to another area"]
    }
    kent_team.refresh_from_db()
    assert kent_team.area == area(KENT)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the team's name"),
        ({"name": "x" * 121}, "name", "The team's name must be 120 characters or fewer"),
        ({"category": "made_up"}, "category", "Select the team's category"),
        ({"staff_count": -1}, "staff_count", "The number of officers or staff must be 0 or more"),
        ({"staff_count": 100_001}, "staff_count", "The number of officers or staff must be 100,000 or fewer"),
        ({"staff_count": "lots"}, "staff_count", "Enter the number of officers or staff as a whole number, like 12"),
        ({"area": "E23999999"}, "area", None),
    ],
)
def test_bad_values_are_refused_field_by_field(api, pcc_user, changes, field, message):
    api.force_authenticate(pcc_user)
    response = api.post(LIST, new_team(**changes), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [message]
    assert not ReferringTeam.objects.exists()


def test_the_schema_documents_the_writes_and_their_errors(api, pcc_user):
    api.force_authenticate(pcc_user)
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/referring-teams/"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(operations["get"]["responses"])
    assert {"201", "400", "401", "403", "429"} <= set(operations["post"]["responses"])
    for method in ("put", "patch"):
        responses = schema["paths"]["/api/v1/referring-teams/{id}/"][method]["responses"]
        assert {"200", "400", "401", "403", "404", "429"} <= set(responses)
