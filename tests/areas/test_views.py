import pytest
from django.urls import reverse

from tests.factories import KENT

pytestmark = pytest.mark.django_db

EVERY_SIGNED_IN = ["admin", "pcc", "provider", "moderator"]


@pytest.mark.parametrize("persona", EVERY_SIGNED_IN, indirect=True)
def test_every_signed_in_persona_sees_the_list_of_43_areas(client, persona):
    client.force_login(persona)
    response = client.get(reverse("areas:list"))
    assert response.status_code == 200
    assert response.context["areas"].paginator.count == 43
    assert "Kent Police and Crime Commissioner" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("areas:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_search_finds_areas_by_name_code_or_region(client, admin_user):
    client.force_login(admin_user)
    assert [a.code for a in client.get(reverse("areas:list"), {"q": "kent"}).context["areas"]] == [KENT]
    assert [a.code for a in client.get(reverse("areas:list"), {"q": KENT}).context["areas"]] == [KENT]
    assert client.get(reverse("areas:list"), {"q": "Wales"}).context["areas"].paginator.count == 4


def test_a_search_with_no_match_says_so(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("areas:list"), {"q": "Atlantis"})
    assert "No police areas match “Atlantis”" in response.content.decode()


def test_sorting_by_population_descending(client, admin_user):
    client.force_login(admin_user)
    areas = list(client.get(reverse("areas:list"), {"sort": "-population"}).context["areas"])
    assert areas[0].name == "Metropolitan Police"
    assert areas[-1].name == "London, City of"


def test_an_unknown_sort_falls_back_to_name(client, admin_user):
    client.force_login(admin_user)
    areas = list(client.get(reverse("areas:list"), {"sort": "password"}).context["areas"])
    assert areas[0].name == "Avon and Somerset"


def test_pcc_staff_see_their_own_area_marked(client, pcc_user):
    client.force_login(pcc_user)
    response = client.get(reverse("areas:list"))
    assert response.context["my_codes"] == {KENT}
    assert response.content.decode().count("Your area") == 1


@pytest.mark.parametrize("persona", EVERY_SIGNED_IN, indirect=True)
def test_area_detail_shows_governance_and_recorded_crime(client, persona):
    from django.core.management import call_command

    call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", verbosity=0)
    client.force_login(persona)
    response = client.get(reverse("areas:detail", kwargs={"code": "E23000011"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "South Yorkshire Police and Crime Commissioner" in page
    assert "6 May 2024" in page
    labels = [row["label"] for row in response.context["crime_rows"]]
    # Subgroups follow their group.
    assert labels.index("Homicide") == labels.index("Violence against the person") + 1


def test_area_detail_without_figures_says_none_are_loaded(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("areas:detail", kwargs={"code": KENT}))
    assert "No recorded crime figures have been loaded" in response.content.decode()


def test_an_unknown_area_code_is_not_found(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("areas:detail", kwargs={"code": "E99999999"})).status_code == 404
