"""Import of historic signatories: validate every row first; nothing written unless all good."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pledges.constants import PledgeRole, PledgeSource, PledgeStatus
from pledges.models import Pledge
from pledges.services import pledges_import
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent
from rjportal.imports import ImportRejected

from .factories import CampaignFactory

FILES = Path(__file__).parent / "files"


@pytest.fixture
def campaign_2021(db):
    return CampaignFactory(title="2021 PCC elections", pledge_text="The 2021 pledge.")


def upload(name):
    return SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type="text/csv")


def test_a_good_file_publishes_every_row_as_imported(admin_user, campaign_2021):
    result = pledges_import(actor=admin_user, source=(FILES / "historic_good.csv").read_bytes())
    assert result.created == 3
    pledges = {pledge.name: pledge for pledge in Pledge.objects.all()}
    jane = pledges["Jane Leader"]
    assert (jane.role, jane.area.name, jane.status, jane.source) == (
        PledgeRole.PCC, "Kent", PledgeStatus.PUBLISHED, PledgeSource.IMPORT
    )  # fmt: skip
    assert jane.source_note == "RJC press release 2021-04-20"
    assert jane.text_signed == "The 2021 pledge."
    assert jane.email == ""
    assert pledges["Sam Candidate"].party == "Independent"
    assert pledges["Sam Candidate"].area.name == "Essex"
    assert pledges["Pat Mayor"].role == PledgeRole.MAYOR
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, actor=admin_user).count() == 1


def test_a_bad_file_writes_nothing_and_reports_every_problem(admin_user, campaign_2021):
    with pytest.raises(ImportRejected) as rejected:
        pledges_import(actor=admin_user, source=(FILES / "historic_bad.csv").read_bytes())
    problems = {(error.row, error.column) for error in rejected.value.errors}
    assert problems == {(3, "name"), (3, "role"), (3, "area"), (3, "campaign"), (3, "source"), (4, "name")}
    assert Pledge.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_importing_the_same_file_twice_is_refused(admin_user, campaign_2021):
    pledges_import(actor=admin_user, source=(FILES / "historic_good.csv").read_bytes())
    with pytest.raises(ImportRejected):
        pledges_import(actor=admin_user, source=(FILES / "historic_good.csv").read_bytes())
    assert Pledge.objects.count() == 3


def test_a_file_without_the_columns_is_refused(admin_user, campaign_2021):
    with pytest.raises(ImportRejected) as rejected:
        pledges_import(actor=admin_user, source=(FILES / "historic_missing_columns.csv").read_bytes())
    assert {error.column for error in rejected.value.errors} == {"campaign", "source"}


def test_only_admins_may_import(moderator_user, campaign_2021):
    with pytest.raises(PermissionDenied):
        pledges_import(actor=moderator_user, source=(FILES / "historic_good.csv").read_bytes())


@pytest.mark.parametrize("persona", ["moderator", "pcc", "provider"], indirect=True)
def test_import_page_is_for_admins_only(client, persona, campaign_2021):
    client.force_login(persona)
    assert client.get(reverse("pledges:import")).status_code == 403
    assert client.post(reverse("pledges:import"), {"file": upload("historic_good.csv")}).status_code == 403
    assert Pledge.objects.count() == 0


def test_import_page_good_file_shows_the_result(client, admin_user, campaign_2021):
    client.force_login(admin_user)
    assert client.get(reverse("pledges:import")).status_code == 200
    response = client.post(reverse("pledges:import"), {"file": upload("historic_good.csv")}, follow=True)
    assert "Pledges imported" in response.text
    assert "3 pledges published" in response.text
    assert Pledge.objects.published().count() == 3


def test_import_page_bad_file_lists_problems(client, admin_user, campaign_2021):
    client.force_login(admin_user)
    response = client.post(reverse("pledges:import"), {"file": upload("historic_bad.csv")})
    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert "is not a police force area name or ONS code" in response.text
    assert Pledge.objects.count() == 0


def test_import_result_page_without_an_import_goes_back(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("pledges:import_result")).url == reverse("pledges:import")
