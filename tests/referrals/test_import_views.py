import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.importing import COLUMNS
from referrals.models import Referral, ReferralImportJob
from referrals.tasks import run_referral_import
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


@pytest.mark.parametrize("page", PAGES)
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


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Upload as the page does; the job is queued once its row is committed (as the test's
    transaction never is, the callbacks run as the request ends)."""

    def posting(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(UPLOAD, data)

    return posting


def only_job() -> ReferralImportJob:
    return ReferralImportJob.objects.get()


def test_provider_uploads_a_good_file_and_sees_the_counts(client, provider_user, team, post):
    client.force_login(provider_user)
    response = post({"file": upload()})
    assert response.status_code == 302
    job = ReferralImportJob.objects.latest("id")
    assert response["Location"] == reverse("referral_imports:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "3 created, 0 updated, 0 unchanged" in page
    assert set(Referral.objects.values_list("provider", flat=True)) == {provider_user.organisation_id}
    assert (job.status, job.uploaded_by, job.filename, bytes(job.content)) == (
        "done",
        provider_user,
        "referrals_good.csv",
        b"",
    )

    response = post({"file": upload()})
    assert "0 created, 0 updated, 3 unchanged" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="import", actor=provider_user).count() == 2
    listed = client.get(UPLOAD).content.decode()
    assert "Recent imports" in listed
    assert listed.count("referrals_good.csv") == 2


def test_admin_must_choose_the_provider(client, admin_user, provider_user, team, post):
    client.force_login(admin_user)
    response = post({"file": upload()})
    assert response.status_code == 200
    assert response.context["form"].errors == {"provider": ["Choose the RJ provider whose referrals these are"]}
    assert Referral.objects.count() == 0

    response = post({"file": upload(), "provider": provider_user.organisation_id})
    assert response["Location"] == reverse("referral_imports:job", args=[only_job().pk])
    assert Referral.objects.filter(provider=provider_user.organisation).count() == 3
    assert AuditEvent.objects.get(action="import").actor == admin_user


def test_bad_file_shows_problems_by_row_and_column_and_as_csv(client, provider_user, team, post):
    recorded = COLUMNS[: COLUMNS.index("stage")]  # the file was made before the stage columns
    rows = [
        dict(zip(recorded, line, strict=True))
        for line in csv.reader(io.StringIO((FILES / "referrals_good.csv").read_text()))
    ]
    rows[2]["hate_crime"] = "=HYPERLINK(1)"
    rows[3]["referring_team"] = "Nobody"
    content = "\n".join(",".join(row[column] for column in recorded) for row in rows[1:])
    content = ",".join(recorded) + "\n" + content + "\n"
    client.force_login(provider_user)

    response = post({"file": upload("bad.csv", content.encode())})

    job = only_job()
    assert response["Location"] == reverse("referral_imports:job", args=[job.pk])
    assert Referral.objects.count() == 0
    assert (job.status, bytes(job.content)) == ("rejected", b"")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert "<title>Error: " in html
    assert "The file has 2 problems. Nothing was imported." in html
    assert page.context["errors"] == [
        {"row": 3, "column": "hate_crime", "message": "Enter yes or no"},
        {"row": 4, "column": "referring_team", "message": "There is no referring team with this name in Kent"},
    ]
    assert "HYPERLINK" not in html  # problems never repeat what a cell holds
    assert streamed(client.get(reverse("referral_imports:job_problems_csv", args=[job.pk]))) == [
        ["Row", "Column", "Problem"],
        ["3", "hate_crime", "Enter yes or no"],
        ["4", "referring_team", "There is no referring team with this name in Kent"],
    ]


def test_file_level_problems_are_found_at_upload_and_shown_without_a_row(client, provider_user, team, post):
    client.force_login(provider_user)
    post({"file": upload("referrals_unknown_column.csv")})
    response = post({"file": upload("referrals_missing_column.csv")})
    job = ReferralImportJob.objects.latest("id")
    assert (job.status, job.started_at, bytes(job.content)) == ("rejected", None, b"")  # never queued
    assert streamed(client.get(reverse("referral_imports:job_problems_csv", args=[job.pk]))) == [
        ["Row", "Column", "Problem"],
        ["", "justice_stage", "This column is missing"],
    ]
    assert "Whole file" in client.get(response["Location"]).content.decode()


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


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("referrals.xlsm", "Workbooks with macros (.xlsm) cannot be imported."),
        ("referrals.txt", "The file must be a .csv or .xlsx file."),
        ("referrals", "The file must be a .csv or .xlsx file."),
    ],
)
def test_only_csv_and_xlsx_files_are_taken(client, provider_user, team, name, message):
    client.force_login(provider_user)
    response = client.post(UPLOAD, {"file": upload(name, (FILES / "referrals_good.csv").read_bytes())})
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith(message)
    assert not ReferralImportJob.objects.exists()
    assert Referral.objects.count() == 0


def queued_job(provider, **fields) -> ReferralImportJob:
    return ReferralImportJob.objects.create(
        provider=provider, filename="big.csv", size=10, content=(FILES / "referrals_good.csv").read_bytes(), **fields
    )


def test_a_large_file_is_queued_not_imported_in_the_request(client, provider_user, team, settings, post):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(provider_user)

    response = post({"file": upload()})

    job = only_job()
    assert job.status == "queued"
    assert bytes(job.content) == (FILES / "referrals_good.csv").read_bytes()
    assert Referral.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Checking your file" in page
    assert "Waiting to start." in page
    assert reverse("referral_imports:job_progress", args=[job.pk]) in page
    assert "js/import-progress.js" in page
    assert client.get(reverse("referral_imports:job_progress", args=[job.pk])).json() == {
        "status": "queued",
        "finished": False,
        "phase": "",
        "rows_done": 0,
        "rows_total": None,
        "text": "Waiting to start.",
    }

    assert run_referral_import.call(job.pk) == "done"  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.created, job.rows_done, bytes(job.content)) == ("done", 3, 3, b"")
    assert job.started_at is not None
    assert job.finished_at is not None
    assert client.get(reverse("referral_imports:job_progress", args=[job.pk])).json()["finished"] is True
    assert "js/import-progress.js" not in client.get(response["Location"]).content.decode()
    assert run_referral_import.call(job.pk) == "skipped"  # a second run does nothing
    assert Referral.objects.count() == 3


def test_progress_is_kept_on_the_job_while_it_runs(provider_user, team, monkeypatch):
    monkeypatch.setattr("referrals.tasks.PROGRESS_EVERY_SECONDS", 0)
    job = queued_job(provider_user.organisation, uploaded_by=provider_user)
    seen = []
    original = ReferralImportJob.objects.filter

    def spy(*args, **kwargs):
        queryset = original(*args, **kwargs)
        seen.append(ReferralImportJob.objects.values_list("status", "phase", "rows_done").get(pk=job.pk))
        return queryset

    monkeypatch.setattr(ReferralImportJob.objects, "filter", spy)
    run_referral_import.call(job.pk)
    assert ("running", "check", 3) in seen
    assert ("running", "save", 0) in seen


def test_a_job_whose_import_breaks_is_marked_failed(provider_user, team, monkeypatch):
    job = queued_job(provider_user.organisation, uploaded_by=provider_user)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("referrals.tasks.referral_import", broken)
    with pytest.raises(RuntimeError):
        run_referral_import.call(job.pk)
    job.refresh_from_db()
    assert (job.status, bytes(job.content)) == ("failed", b"")


def test_failed_and_running_pages(client, provider_user, team):
    client.force_login(provider_user)
    failed = queued_job(provider_user.organisation, uploaded_by=provider_user, status="failed")
    assert "The import stopped" in client.get(failed.get_absolute_url()).content.decode()
    running = queued_job(provider_user.organisation, status="running", phase="check", rows_done=12000)
    assert "Checking rows: 12,000 rows checked so far." in client.get(running.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "page", ["referral_imports:job", "referral_imports:job_progress", "referral_imports:job_problems_csv"]
)
def test_another_providers_import_is_not_found(client, provider_user, page):
    job = queued_job(factories.ProviderFactory())
    client.force_login(provider_user)
    assert client.get(reverse(page, args=[job.pk])).status_code == 404


@pytest.mark.parametrize(
    "page", ["referral_imports:job", "referral_imports:job_progress", "referral_imports:job_problems_csv"]
)
@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 200), ("pcc", 403), ("moderator", 403)], indirect=["persona"]
)
def test_who_can_see_an_import(client, provider_user, persona, status, page):
    job = queued_job(provider_user.organisation)
    client.force_login(persona)
    assert client.get(reverse(page, args=[job.pk])).status_code == status


@pytest.mark.parametrize("page", ["referral_imports:job", "referral_imports:job_progress"])
def test_anonymous_is_sent_to_sign_in_from_an_import(client, provider_user, page):
    job = queued_job(provider_user.organisation)
    response = client.get(reverse(page, args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The template's example, and the list of what an import did ------------------------------------


@pytest.fixture
def essex_provider_user(db):
    """Staff of a provider that serves Essex only, where one team is named like a formula."""
    provider = factories.ProviderFactory(areas=[factories.area(factories.ESSEX)])
    factories.ReferringTeamFactory(name="=Basildon", area=factories.area(factories.ESSEX))
    factories.ReferringTeamFactory(name="Chelmsford response", area=factories.area(factories.ESSEX))
    return factories.ProviderStaffFactory(organisation=provider)


def test_the_template_example_is_in_the_users_own_area_and_uploads_as_downloaded(
    client, essex_provider_user, team, post
):
    client.force_login(essex_provider_user)
    header, example = streamed(client.get(reverse("referral_imports:template")))
    row = dict(zip(header, example, strict=True))
    assert (row["police_area_code"], row["referring_team"]) == (factories.ESSEX, "Chelmsford response")
    assert (row["stage"], row["contacting_on"]) == ("contacting", "2026-01-14")
    guide = client.get(reverse("referral_imports:guide")).content.decode()
    assert "<code>Chelmsford response</code>" in guide
    assert "which uses one of your areas and one of its referring teams" in guide

    template = b"".join(client.get(reverse("referral_imports:template")).streaming_content)
    response = post({"file": upload("referral-import-template.csv", template)})

    job = only_job()
    assert (job.status, job.created, job.moved) == ("done", 1, 1)
    referral = Referral.objects.get()
    assert (referral.area.code, referral.referring_team.name, referral.stage) == (
        factories.ESSEX,
        "Chelmsford response",
        "contacting",
    )
    assert "1 referral moved on to a later stage" in " ".join(client.get(response["Location"]).content.decode().split())


def test_without_teams_the_template_has_the_general_example(client, provider_user):
    client.force_login(provider_user)
    header, example = streamed(client.get(reverse("referral_imports:template")))
    assert dict(zip(header, example, strict=True))["referring_team"] == TEAM
    assert "which uses one of your areas" not in client.get(reverse("referral_imports:guide")).content.decode()


def test_an_imports_result_links_to_the_referrals_it_created_or_changed(client, provider_user, team, post):
    factories.ReferralFactory(provider=provider_user.organisation, referring_team=team, reference="EARLIER")
    client.force_login(provider_user)
    post({"file": upload()})
    first = ReferralImportJob.objects.latest("id")
    changed = (FILES / "referrals_good.csv").read_bytes().replace(b"RJ-0003", b"RJ-0004")
    response = post({"file": upload("changed.csv", changed)})
    second = ReferralImportJob.objects.latest("id")
    assert (second.created, second.updated, second.unchanged) == (1, 0, 2)

    page = client.get(response["Location"]).content.decode()
    link = f"{reverse('referrals:list')}?import={second.pk}"
    assert link in page
    listed = client.get(link)
    assert [referral.reference for referral in listed.context["referrals"]] == ["RJ-0004"]
    assert "changed.csv" in listed.content.decode()
    first_listed = client.get(reverse("referrals:list"), {"import": first.pk}).context["referrals"]
    assert sorted(referral.reference for referral in first_listed) == ["RJ-0001", "RJ-0002", "RJ-0003"]
    assert AuditEvent.objects.filter(action="view", summary__contains="Imported from").exists()


@pytest.mark.parametrize("persona", ["pcc", "other provider"])
def test_another_organisation_cannot_list_an_imports_referrals(client, provider_user, team, post, persona):
    client.force_login(provider_user)
    post({"file": upload()})
    job = only_job()
    other = factories.ProviderStaffFactory() if persona == "other provider" else factories.PccStaffFactory()
    client.force_login(other)

    response = client.get(reverse("referrals:list"), {"import": job.pk})

    assert response.status_code == 200
    assert list(response.context["referrals"]) == []
    assert "Choose an import from your recent imports" in response.content.decode()
