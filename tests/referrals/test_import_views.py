import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.importing import COLUMNS
from referrals.models import Referral
from rjportal.audit.models import AuditEvent
from tests import factories

FILES = Path(__file__).parent / "files"
UPLOAD = reverse("referral_imports:upload")
TEAM = "Canterbury neighbourhood policing"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2026, 3, 2, 12, 0), tick=False):
        yield


@pytest.fixture
def team(db):
    return factories.ReferringTeamFactory(name=TEAM)


def upload(name="referrals_good.csv", content=None):
    return SimpleUploadedFile(name, content if content is not None else (FILES / name).read_bytes(), "text/csv")


def streamed(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


PAGES = [
    "referral_imports:upload",
    "referral_imports:template",
    "referral_imports:guide",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("provider", 200), ("admin", 200), ("pcc", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_who_can_see_the_import_pages(client, persona, status, page):
    client.force_login(persona)
    assert client.get(reverse(page)).status_code == status


@pytest.mark.parametrize("page", [*PAGES, "referral_imports:errors", "referral_imports:result"])
def test_anonymous_is_sent_to_sign_in(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["pcc", "moderator"], indirect=True)
def test_others_cannot_post_a_file(client, persona, team):
    client.force_login(persona)
    assert client.post(UPLOAD, {"file": upload()}).status_code == 403
    assert Referral.objects.count() == 0


def test_upload_page_explains_the_template_and_forbids_personal_data(client, provider_user):
    client.force_login(provider_user)
    response = client.get(UPLOAD)
    content = response.content.decode()
    assert "no names, addresses, dates of birth or free-text descriptions of people" in content
    assert reverse("referral_imports:template") in content
    assert reverse("referral_imports:guide") in content
    assert 'enctype="multipart/form-data"' in content
    assert "govuk-file-upload" in content
    assert "provider" not in response.context["form"].fields


def test_provider_uploads_a_good_file_and_sees_the_counts(client, provider_user, team):
    client.force_login(provider_user)
    response = client.post(UPLOAD, {"file": upload()})
    assert response.status_code == 302
    assert response["Location"] == reverse("referral_imports:result")
    page = client.get(response["Location"]).content.decode()
    assert "3 created, 0 updated, 0 unchanged" in page
    assert set(Referral.objects.values_list("provider", flat=True)) == {provider_user.organisation_id}

    client.post(UPLOAD, {"file": upload()})
    assert "0 created, 0 updated, 3 unchanged" in client.get(reverse("referral_imports:result")).content.decode()
    assert AuditEvent.objects.filter(action="import", actor=provider_user).count() == 2


def test_admin_must_choose_the_provider(client, admin_user, provider_user, team):
    client.force_login(admin_user)
    response = client.post(UPLOAD, {"file": upload()})
    assert response.status_code == 200
    assert response.context["form"].errors == {"provider": ["Choose the RJ provider whose referrals these are"]}
    assert Referral.objects.count() == 0

    response = client.post(UPLOAD, {"file": upload(), "provider": provider_user.organisation_id})
    assert response["Location"] == reverse("referral_imports:result")
    assert Referral.objects.filter(provider=provider_user.organisation).count() == 3
    assert AuditEvent.objects.get(action="import").actor == admin_user


def test_bad_file_shows_problems_by_row_and_column_and_as_csv(client, provider_user, team):
    rows = [
        dict(zip(COLUMNS, line, strict=True))
        for line in csv.reader(io.StringIO((FILES / "referrals_good.csv").read_text()))
    ]
    rows[2]["hate_crime"] = "=HYPERLINK(1)"
    rows[3]["referring_team"] = "Nobody"
    content = "\n".join(",".join(row[column] for column in COLUMNS) for row in rows[1:])
    content = ",".join(COLUMNS) + "\n" + content + "\n"
    client.force_login(provider_user)

    response = client.post(UPLOAD, {"file": upload("bad.csv", content.encode())})

    assert response["Location"] == reverse("referral_imports:errors")
    assert Referral.objects.count() == 0
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert "The file has 2 problems. Nothing was imported." in html
    assert page.context["errors"] == [
        {"row": 3, "column": "hate_crime", "message": "Enter yes or no"},
        {"row": 4, "column": "referring_team", "message": "There is no referring team with this name in Kent"},
    ]
    assert "HYPERLINK" not in html  # problems never repeat what a cell holds
    assert streamed(client.get(reverse("referral_imports:errors_csv"))) == [
        ["Row", "Column", "Problem"],
        ["3", "hate_crime", "Enter yes or no"],
        ["4", "referring_team", "There is no referring team with this name in Kent"],
    ]


def test_file_level_problems_are_shown_without_a_row(client, provider_user, team):
    client.force_login(provider_user)
    client.post(UPLOAD, {"file": upload("referrals_unknown_column.csv")})
    client.post(UPLOAD, {"file": upload("referrals_missing_column.csv")})
    assert streamed(client.get(reverse("referral_imports:errors_csv"))) == [
        ["Row", "Column", "Problem"],
        ["", "justice_stage", "This column is missing"],
    ]
    assert "Whole file" in client.get(reverse("referral_imports:errors")).content.decode()


def test_file_over_the_size_limit_is_refused(client, provider_user, team, settings):
    settings.REFERRAL_IMPORT_MAX_BYTES = 100
    client.force_login(provider_user)
    response = client.post(UPLOAD, {"file": upload()})
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The file must be smaller than 100\xa0bytes"]}
    assert Referral.objects.count() == 0


def test_no_file_chosen(client, provider_user):
    client.force_login(provider_user)
    response = client.post(UPLOAD, {})
    assert response.context["form"].errors == {"file": ["Choose a file to upload"]}


def test_template_download_has_the_header_and_one_example_row(client, provider_user):
    client.force_login(provider_user)
    response = client.get(reverse("referral_imports:template"))
    assert response["Content-Disposition"] == 'attachment; filename="referral-import-template.csv"'
    header, *rows = streamed(response)
    assert header == COLUMNS
    assert len(rows) == 1
    assert rows[0][COLUMNS.index("offence_group")] == "violence_against_the_person"


def test_guide_lists_codes_areas_and_teams(client, provider_user, team):
    factories.ReferringTeamFactory(name="Chelmsford response", area=factories.area(factories.ESSEX))
    client.force_login(provider_user)
    content = client.get(reverse("referral_imports:guide")).content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in content
    assert "violence_against_the_person" in content
    assert "Violence against the person" in content
    assert "post_sentence_custody" in content
    assert "E23000032" in content
    assert TEAM in content
    assert "Chelmsford response" not in content  # not an area this provider serves
    assert factories.ESSEX not in content


def test_errors_and_result_pages_without_an_import_go_back_to_the_form(client, provider_user):
    client.force_login(provider_user)
    for page in ["referral_imports:errors", "referral_imports:errors_csv", "referral_imports:result"]:
        assert client.get(reverse(page))["Location"] == UPLOAD
