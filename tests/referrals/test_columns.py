"""One list of the referral file's columns: the import, its template and guide, the fields a
provider may change and the export's headings all come from referrals.columns."""

import csv
import io

import pytest
from django.urls import reverse

from referrals import exports, importing
from referrals.columns import EDITABLE_FIELDS, IMPORT_COLUMNS, STAGE_COLUMNS, TEMPLATE_COLUMNS
from referrals.forms import ReferralForm
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_the_import_reads_the_listed_columns_in_order():
    assert [*IMPORT_COLUMNS, *STAGE_COLUMNS] == TEMPLATE_COLUMNS
    assert [column.name for column in TEMPLATE_COLUMNS] == importing.COLUMNS
    assert {column.name for column in TEMPLATE_COLUMNS if not column.required} == importing.OPTIONAL_COLUMNS
    assert {column.name: column.example for column in TEMPLATE_COLUMNS} == importing.EXAMPLE_ROW
    # Files made from the template before the stage columns were added still import.
    assert {column.name for column in TEMPLATE_COLUMNS if not column.always_in_file} == {
        column.name for column in STAGE_COLUMNS
    }


def test_every_column_but_the_stage_ones_is_a_field_a_provider_may_change_and_is_exported_under_its_label():
    assert sorted(EDITABLE_FIELDS) == sorted(column.model_field for column in IMPORT_COLUMNS)
    assert list(ReferralForm.Meta.fields) == EDITABLE_FIELDS
    exported = dict(zip(exports.EXPORT_HEADER, exports.EXPORT_FIELDS, strict=True))
    for column in IMPORT_COLUMNS:
        assert exported[column.label] == column.export_field
        field = Referral._meta.get_field(column.model_field)
        assert field.editable


def test_the_template_and_guide_show_every_column(client, provider_user):
    client.force_login(provider_user)
    template = client.get(reverse("referral_imports:template"))
    rows = list(csv.reader(io.StringIO(b"".join(template.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [column.name for column in TEMPLATE_COLUMNS]
    assert rows[1] == [column.example for column in TEMPLATE_COLUMNS]  # no teams: the general example
    guide = client.get(reverse("referral_imports:guide")).content.decode()
    for column in TEMPLATE_COLUMNS:
        assert column.name in guide
