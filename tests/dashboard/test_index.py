import pytest
from django.urls import reverse

from tests.factories import KENT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("admin", 200), ("pcc", 200), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_dashboard_access_by_role(client, persona, expected_status):
    client.force_login(persona)
    assert client.get(reverse("dashboard:index")).status_code == expected_status


def test_pcc_staff_see_only_their_areas(client, pcc_user):
    client.force_login(pcc_user)
    assert [area.code for area in client.get(reverse("dashboard:index")).context["areas"]] == [KENT]


def test_admins_see_every_area(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("dashboard:index")).context["areas"].count() == 43


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(reverse("dashboard:index")).status_code == 302
