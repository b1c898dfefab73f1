"""Whatever bytes a file holds, the CSV import either refuses it with problems by row and
column, or imports it: never another exception."""

import string
from datetime import datetime

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals.importing import COLUMNS, ImportResult, referral_import
from rjportal.imports import ImportRejected, RowError
from tests import factories

TEAM = "Canterbury neighbourhood policing"

pytestmark = pytest.mark.django_db

GOOD = {
    "reference": ["RJ-1", "rj-1", "RJ-2", "", " RJ-3 ", "R" * 51],
    "police_area_code": ["E23000032", "e23000032", "E23000010", "", "XX"],
    "referring_team": [TEAM, TEAM.upper(), "Nobody", ""],
    "initiator": ["victim", "Offender", "practitioner", "police", ""],
    "offence_group": ["violence_against_the_person", "theft_offences", "Fraud", "robbery", "nope", ""],
    "offence_subgroup": ["", "violence_with_injury", "shoplifting", "bicycle_theft"],
    "justice_stage": ["pre_sentence", "out_of_court", "not_reported", "x"],
    "contact_attempts": ["", "0", "3", "-1", "²", "1.5", "9" * 30],
}
YES_NO = ["yes", "no", "Y", "n", "true", "0", "maybe", ""]
DATES = ["2026-01-05", "09/01/2026", "2026-01-12", "31/02/2026", "2027-01-01", "", "12-01-2026", "2026-13-01"]


def cell_values(column: str):
    if column in GOOD:
        known = GOOD[column]
    elif column.endswith("_on"):
        known = DATES
    else:
        known = YES_NO
    return st.one_of(st.sampled_from(known), st.text(max_size=12))


rows = st.lists(st.tuples(*(cell_values(column) for column in COLUMNS)), min_size=0, max_size=6)
headers = st.one_of(
    st.just(COLUMNS),
    st.permutations(COLUMNS),
    st.lists(st.sampled_from([*COLUMNS, "", "victim_name", "Reference"]), max_size=22),
)


@st.composite
def csv_files(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    lines = [delimiter.join(draw(headers))]
    for cells in draw(rows):
        lines.append(delimiter.join(cells))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines) + draw(st.sampled_from(["", "\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    content = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # damage it somewhere
        at = draw(st.integers(min_value=0, max_value=len(content)))
        content = content[:at] + draw(st.binary(max_size=8)) + content[at:]
    return content


any_file = st.one_of(
    st.binary(max_size=300),
    st.text(alphabet=string.printable, max_size=300).map(str.encode),
    csv_files(),
)


@pytest.fixture
def provider(provider_user):
    factories.ReferringTeamFactory(name=TEAM)
    return provider_user


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=any_file)
def test_any_bytes_are_refused_with_problems_or_imported(provider, content):
    with time_machine.travel(datetime(2026, 3, 2, 12, 0), tick=False):
        try:
            result = referral_import(
                actor=provider, provider=provider.organisation, source=content, filename="referrals.csv"
            )
        except ImportRejected as rejected:
            assert rejected.errors
            for error in rejected.errors:
                assert isinstance(error, RowError)
                assert error.row is None or (isinstance(error.row, int) and error.row >= 1)
                assert isinstance(error.column, str)
                assert len(error.column) <= 60
                assert isinstance(error.message, str)
                assert error.message.strip()
        else:
            assert isinstance(result, ImportResult)
            assert result.total >= 1
