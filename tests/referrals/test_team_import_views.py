"""The page that uploads a file of referring teams, its template and its column guide."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import ReferringTeam
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, KENT, PccStaffFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
UPLOAD = reverse("referrals:team_import")
TEMPLATE = reverse("referrals:team_import_template")
TEAMS = reverse("referrals:teams")


def upload(name="teams_good.csv", content=None):
    return SimpleUploadedFile(name, content if content is not None else (FILES / name).read_bytes(), "text/csv")


def streamed(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("url", [UPLOAD, TEMPLATE])
@pytest.mark.parametrize(
    ("persona", "status"),
    # Roles that never keep teams are forbidden (403), as on the page that adds one team.
    [("admin", 200), ("pcc", 200), ("other_pcc", 200), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_who_can_see_the_upload_pages(client, persona, status, url):
    client.force_login(persona)
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", [UPLOAD, TEMPLATE])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["provider", "moderator"], indirect=True)
def test_other_roles_cannot_post_a_file(client, persona):
    client.force_login(persona)
    assert client.post(UPLOAD, {"file": upload()}).status_code == 403
    assert not ReferringTeam.objects.exists()


def test_an_office_that_serves_no_area_finds_nothing_to_upload_to(client):
    client.force_login(PccStaffFactory(organisation__areas=[]))
    assert client.get(UPLOAD).status_code == 404
    assert client.get(TEMPLATE).status_code == 404
    assert client.post(UPLOAD, {"file": upload()}).status_code == 404
    assert not ReferringTeam.objects.exists()


def test_pcc_staff_upload_a_file_and_see_what_it_did(client, pcc_user):
    ReferringTeamFactory(area=area(KENT), name="Medway Neighbourhood", category="neighbourhood", staff_count=40)
    client.force_login(pcc_user)

    response = client.post(UPLOAD, {"file": upload()}, follow=True)

    assert response.redirect_chain == [(TEAMS, 302)]
    page = response.content.decode()
    assert "Teams uploaded from teams_good.csv: 3 added, 1 changed, 0 unchanged." in page
    assert "govuk-notification-banner--success" in page
    assert ReferringTeam.objects.count() == 4
    assert AuditEvent.objects.filter(action="import", actor=pcc_user).count() == 1


def test_an_administrator_uploads_teams_of_any_area(client, admin_user):
    client.force_login(admin_user)
    content = f"police_area_code,name,category,staff_count\n{ESSEX},Colchester Youth,youth_justice,8\n".encode()
    client.post(UPLOAD, {"file": upload("essex.csv", content)})
    assert ReferringTeam.objects.get().area == area(ESSEX)


def test_a_file_with_problems_lists_them_and_saves_nothing(client, pcc_user):
    client.force_login(pcc_user)

    response = client.post(UPLOAD, {"file": upload("teams_problems.csv")})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Upload referring teams" in page
    assert "govuk-error-summary" in page
    # In the summary and by the file field.
    assert (
        page.count("The file has 10 problems, listed below. Nothing was saved: fix them and upload the file again") == 2
    )
    assert 'id="problems"' in page
    problems = response.context["errors"]
    assert [(error.row, error.column) for error in problems][:2] == [(3, "police_area_code"), (4, "police_area_code")]
    assert "Enter a category code or name from the column guide" in page
    assert "This team is also on row 6" in page
    assert not ReferringTeam.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["create", "import"]).exists()


def test_one_problem_is_spoken_of_as_one(client, pcc_user):
    client.force_login(pcc_user)
    content = b"police_area_code,name,category,staff_count\n,Dover Court,,\n"
    page = client.post(UPLOAD, {"file": upload("one.csv", content)}).content.decode()
    assert "The file has 1 problem, listed below. Nothing was saved: fix it and upload the file again" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a file of teams to upload"),
        ({"file": upload("teams.txt", b"x")}, "The file must be a .csv or .xlsx file."),
        ({"file": upload("teams.csv", b"")}, "The file is empty."),
    ],
)
def test_the_file_field_is_checked(client, pcc_user, data, message):
    client.force_login(pcc_user)
    response = client.post(UPLOAD, data)
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith(message)
    assert "govuk-error-summary" in response.content.decode()
    assert not ReferringTeam.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, pcc_user, monkeypatch):
    monkeypatch.setattr("referrals.forms.TEAM_IMPORT_MAX_BYTES", 10)
    client.force_login(pcc_user)
    response = client.post(UPLOAD, {"file": upload()})
    assert response.context["form"].errors["file"] == ["The file must be smaller than 10\xa0bytes"]
    assert not ReferringTeam.objects.exists()


def test_the_template_has_the_columns_and_examples_in_the_users_area(client, other_pcc_user):
    client.force_login(other_pcc_user)
    response = client.get(TEMPLATE)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="referring-teams-template.csv"' in response["Content-Disposition"]
    assert streamed(response) == [
        ["police_area_code", "name", "category", "staff_count"],
        [ESSEX, "North neighbourhood policing", "neighbourhood", "40"],
        [ESSEX, "Custody suites", "Custody", ""],
    ]


def test_the_template_uploads_as_it_is(client, pcc_user):
    client.force_login(pcc_user)
    content = b"".join(client.get(TEMPLATE).streaming_content)
    client.post(UPLOAD, {"file": upload("template.csv", content)})
    assert ReferringTeam.objects.count() == 2


def test_the_upload_page_has_the_template_and_the_column_guide(client, pcc_user):
    client.force_login(pcc_user)
    page = client.get(UPLOAD).content.decode()
    assert f'href="{TEMPLATE}"' in page
    for column in ["police_area_code", "name", "category", "staff_count"]:
        assert f"<code>{column}</code>" in page
    assert "<code>victim_care_unit</code>" in page
    assert "Your office serves Kent only, so you can leave <code>police_area_code</code> empty." in page
    assert f"<code>{KENT}</code>" in page
    assert f"<code>{ESSEX}</code>" not in page  # only the areas the office serves


def test_administrators_see_every_area_code(client, admin_user):
    client.force_login(admin_user)
    page = client.get(UPLOAD).content.decode()
    assert page.count('<tr class="govuk-table__row"><td class="govuk-table__cell"><code>E23') == 39
    assert "you can leave <code>police_area_code</code> empty" not in page


def test_the_teams_page_offers_the_upload_to_those_who_keep_teams(client, pcc_user, provider_user):
    client.force_login(pcc_user)
    assert f'href="{UPLOAD}"' in client.get(TEAMS).content.decode()
    client.force_login(provider_user)
    assert f'href="{UPLOAD}"' not in client.get(TEAMS).content.decode()


def test_an_uploaded_name_that_looks_like_a_formula_is_neutralised_in_the_export(client, pcc_user):
    client.force_login(pcc_user)
    content = b'police_area_code,name,category,staff_count\n,"=HYPERLINK(""http://x"")",other,\n'
    client.post(UPLOAD, {"file": upload("formula.csv", content)})
    assert ReferringTeam.objects.get().name == '=HYPERLINK("http://x")'
    rows = streamed(client.get(TEAMS, {"format": "csv"}))
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
