"""Stages and outcomes in the referral import: a new referral may start at any stage, one
uploaded before moves on to the row's stage (never back), each move by the stage page's rules,
with its timeline event and audit event."""

import io
from datetime import date, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from referrals.importing import COLUMNS, ImportResult, referral_import
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_advance
from rjportal.audit.models import AuditEvent
from rjportal.imports import ImportRejected, RowError
from tests import factories
from tests.referrals.test_import import GOOD_ROW, csv_bytes, row

TODAY = datetime(2026, 3, 2, 12, 0)
TEAM = "Canterbury neighbourhood policing"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today", "team")]


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def team(db):
    return factories.ReferringTeamFactory(name=TEAM)


def run(user, content: bytes, filename="referrals.csv") -> ImportResult:
    return referral_import(actor=user, provider=user.organisation, source=io.BytesIO(content), filename=filename)


def problems(user, content: bytes) -> list[RowError]:
    before = list(Referral.objects.order_by("pk").values())
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ImportRejected) as caught:
        run(user, content)
    assert list(Referral.objects.order_by("pk").values()) == before
    assert (ReferralEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)
    return caught.value.errors


def timeline(referral) -> list[tuple]:
    return list(referral.events.order_by("happened_on", "id").values_list("from_stage", "to_stage", "happened_on"))


COMPLETED_ROW = row(
    stage="completed",
    contacting_on="2026-01-14",
    preparing_on="2026-02-02",
    intervention_on="2026-02-10",
    intervention_type="face_to_face",
    completed_on="2026-02-20",
    agreement_reached="yes",
    victim_satisfaction="4",
)


def test_a_new_referral_starts_at_its_stage_through_each_stage_with_its_dates(provider_user):
    assert run(provider_user, csv_bytes(COMPLETED_ROW)) == ImportResult(created=1, updated=0, unchanged=0, moved=1)

    referral = Referral.objects.get()
    assert (referral.stage, referral.furthest_stage, referral.stage_changed_on) == (
        "completed",
        "completed",
        date(2026, 2, 20),
    )
    assert (referral.intervention_type, referral.agreement_reached, referral.victim_satisfaction) == (
        "face_to_face",
        True,
        4,
    )
    assert referral.offender_satisfaction is None
    assert referral.contact_attempts == 1  # reaching contacting counts the first attempt
    assert timeline(referral) == [
        ("", "referred", date(2026, 1, 12)),
        ("referred", "contacting", date(2026, 1, 14)),
        # No date for assessing: taken as the day the referral reached preparing, as on the stage page.
        ("contacting", "assessing", date(2026, 2, 2)),
        ("assessing", "preparing", date(2026, 2, 2)),
        ("preparing", "intervention", date(2026, 2, 10)),
        ("intervention", "completed", date(2026, 2, 20)),
    ]
    assert set(referral.events.values_list("actor", flat=True)) == {provider_user.pk}
    # The file's audit event records what it created, at whatever stage, as for referrals at referred.
    assert not AuditEvent.objects.filter(action="transition").exists()
    audit = AuditEvent.objects.get(action="import")
    assert audit.changes["moved"] == 1
    assert audit.summary.endswith("1 created, 0 updated, 0 unchanged; 1 moved on to a later stage")


def test_uploading_the_same_file_again_changes_nothing(provider_user):
    run(provider_user, csv_bytes(COMPLETED_ROW, row(reference="RJ-0002")))
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.count()

    assert run(provider_user, csv_bytes(COMPLETED_ROW, row(reference="RJ-0002"))) == ImportResult(0, 0, 2)
    assert ReferralEvent.objects.count() == events
    assert AuditEvent.objects.count() == audits + 1  # the import itself


def test_a_referral_uploaded_before_moves_forward(provider_user):
    run(provider_user, csv_bytes(row(), row(reference="OTHER")))
    referral = Referral.objects.get(reference="RJ-0001")

    result = run(
        provider_user,
        csv_bytes(
            row(stage="assessing", contacting_on="2026-01-20", assessing_on="2026-01-27", contact_attempts="2"),
            row(reference="OTHER"),
        ),
    )

    assert result == ImportResult(created=0, updated=1, unchanged=1, moved=1)
    referral.refresh_from_db()
    assert (referral.stage, referral.stage_changed_on, referral.contact_attempts) == (
        "assessing",
        date(2026, 1, 27),
        2,
    )
    assert timeline(referral)[1:] == [
        ("referred", "contacting", date(2026, 1, 20)),
        ("contacting", "assessing", date(2026, 1, 27)),
    ]
    moves = AuditEvent.objects.filter(action="transition", target_id=str(referral.pk)).order_by("id")
    assert [audit.summary for audit in moves] == [
        f"Moved referral RJ-0001 ({provider_user.organisation.name}) from referred to contacting "
        "(importing referrals.csv)",
        f"Moved referral RJ-0001 ({provider_user.organisation.name}) from contacting to assessing "
        "(importing referrals.csv)",
    ]
    assert moves[0].changes == {
        "stage": {"from": "referred", "to": "contacting"},
        "on": "2026-01-20",
        "file": "referrals.csv",
    }
    assert {audit.actor for audit in moves} == {provider_user}

    # Later the same referral closes, after the web moved it on once more.
    referral_advance(
        actor=provider_user, referral=referral, to_stage="preparing", dates={"preparing": date(2026, 2, 2)}
    )
    closed = row(stage="closed", closed_on="2026-02-09", closure_reason="declined_by_offender", contact_attempts="2")
    assert run(provider_user, csv_bytes(closed)).moved == 1
    referral.refresh_from_db()
    assert (referral.stage, referral.furthest_stage, referral.closure_reason) == (
        "closed",
        "preparing",
        "declined_by_offender",
    )
    assert referral.events.order_by("-id").values_list("to_stage", "reason").first() == (
        "closed",
        "declined_by_offender",
    )


def test_a_row_behind_the_portal_is_a_problem_on_its_row(provider_user):
    run(provider_user, csv_bytes(row(stage="assessing", assessing_on="2026-01-20")))

    errors = problems(provider_user, csv_bytes(row(stage="contacting", contacting_on="2026-01-20")))

    assert errors == [
        RowError(
            2,
            "stage",
            "The referral is at assessing in the portal, after contacting: a file cannot move a referral back. If a "
            "move was recorded by mistake, correct it on the referral's page",
        )
    ]
    # A row with no stage leaves the referral where it is; "referred" would be a move back.
    assert run(provider_user, csv_bytes(row(contact_attempts="1"))).unchanged == 1
    assert problems(provider_user, csv_bytes(row(stage="referred")))[0].column == "stage"


def test_an_ended_referral_cannot_change_stage(provider_user):
    run(provider_user, csv_bytes(row(stage="closed", closed_on="2026-01-20", closure_reason="withdrawn")))
    errors = problems(provider_user, csv_bytes(COMPLETED_ROW))
    assert [(error.row, error.column) for error in errors] == [(2, "stage")]
    assert errors[0].message.startswith("The referral is closed in the portal, so a file cannot change its stage")


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        (
            {"stage": "assessing", "contacting_on": "2026-01-20", "assessing_on": "2026-01-19"},
            "assessing_on",
            "The date must be on or after 20 January 2026, when it reached contacting",
        ),
        (
            {"stage": "contacting", "contacting_on": "2026-01-11"},
            "contacting_on",
            "The date must be on or after 12 January 2026, when it reached referred",
        ),
        (
            {"stage": "contacting", "contacting_on": "2026-03-03"},
            "contacting_on",
            "The date must be today or in the past",
        ),
        ({"stage": "assessing"}, "assessing_on", "Enter the date the referral reached assessing"),
        (
            {"stage": "closed", "closed_on": "2026-01-20"},
            "closure_reason",
            "Enter why the referral was closed, as a code or name from the column guide",
        ),
        ({"stage": "closed", "closure_reason": "withdrawn"}, "closed_on", "Enter the date the referral was closed"),
        ({"stage": "finished"}, "stage", "Enter a stage code or name from the column guide"),
        (
            {"contacting_on": "2026-01-20"},
            "stage",
            "Enter the stage the referral has reached, or leave the stage columns after it empty",
        ),
        (
            {"stage": "contacting", "contacting_on": "2026-01-20", "assessing_on": "2026-01-21"},
            "assessing_on",
            "Leave this empty: the stage column says the referral is at contacting",
        ),
        (
            {"stage": "intervention", "intervention_on": "2026-01-20"},
            "intervention_type",
            "Enter the type of intervention, as a code or name from the column guide",
        ),
        (
            {"stage": "contacting", "contacting_on": "2026-01-20", "victim_satisfaction": "4"},
            "victim_satisfaction",
            "Leave this empty: the referral has not completed",
        ),
        (
            {"stage": "contacting", "contacting_on": "2026-01-20", "closure_reason": "withdrawn"},
            "closure_reason",
            "Leave this empty: the referral is not closed",
        ),
        (
            {"stage": "closed", "completed_on": "2026-01-20", "closed_on": "2026-01-21", "closure_reason": "other"},
            "completed_on",
            "Leave this empty: a referral that completed is not closed. Give completed as its stage",
        ),
        (
            {**{k: v for k, v in COMPLETED_ROW.items() if k.endswith(("_on", "_type", "stage"))}},
            "agreement_reached",
            "Enter yes or no: whether an agreement was reached",
        ),
        (
            {"stage": "completed", "victim_satisfaction": "6"},
            "victim_satisfaction",
            "Enter a whole number from 1 to 5, or leave it empty",
        ),
        (
            {"stage": "closed", "closure_reason": "bored"},
            "closure_reason",
            "Enter a closure reason code or name from the column guide",
        ),
    ],
)
def test_stage_problems_name_the_column(provider_user, changes, column, message):
    errors = problems(provider_user, csv_bytes(row(reference="OK"), row(**changes)))
    assert RowError(3, column, message) in errors
    assert {error.row for error in errors} == {3}


def test_a_date_the_portal_already_has_must_agree(provider_user):
    run(provider_user, csv_bytes(row(stage="contacting", contacting_on="2026-01-14")))
    moved_on = row(stage="assessing", contacting_on="2026-01-15", assessing_on="2026-01-20", contact_attempts="1")
    assert problems(provider_user, csv_bytes(moved_on)) == [
        RowError(
            2,
            "contacting_on",
            "The referral reached contacting on 14 January 2026 in the portal. To change the date, correct the move "
            "on the referral's page",
        )
    ]
    assert run(provider_user, csv_bytes({**moved_on, "contacting_on": "2026-01-14"})).moved == 1


def test_every_problem_in_a_row_is_shown_at_once(provider_user):
    """An unknown area, a team from no area the provider serves, a yes/no that is neither, a
    future received date and a closed stage with no reason and a date in the future: all of them."""
    wrong = row(
        police_area_code="E99999999",
        referring_team="Nowhere response",
        hate_crime="maybe",
        received_on="2026-03-03",
        stage="closed",
        closed_on="2026-04-01",
    )
    errors = problems(provider_user, csv_bytes(wrong))
    assert [(error.column, error.message) for error in errors] == [
        ("police_area_code", "Enter a police force area code from the column guide, like E23000032"),
        ("referring_team", "There is no referring team with this name in the areas your organisation serves"),
        ("hate_crime", "Enter yes or no"),
        ("received_on", "The date the referral was received must be today or in the past"),
        ("closed_on", "The date must be today or in the past"),
        ("closure_reason", "Enter why the referral was closed, as a code or name from the column guide"),
    ]


def test_a_file_may_leave_the_stage_columns_out(provider_user):
    recorded = COLUMNS[: COLUMNS.index("stage")]
    assert run(provider_user, csv_bytes(row(), header=recorded)).created == 1
    assert Referral.objects.get().stage == "referred"


def test_stage_columns_in_a_workbook(provider_user):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    values = {
        **GOOD_ROW,
        **COMPLETED_ROW,
        "completed_on": datetime(2026, 2, 20),
        "agreement_reached": False,
        "victim_satisfaction": 5,
        "offender_satisfaction": 3.0,
    }
    sheet.append([values.get(column) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert run(provider_user, buffer.getvalue(), filename="referrals.xlsx").moved == 1
    referral = Referral.objects.get()
    assert (referral.stage, referral.stage_changed_on) == ("completed", date(2026, 2, 20))
    assert (referral.agreement_reached, referral.victim_satisfaction, referral.offender_satisfaction) == (False, 5, 3)


def test_a_referral_moved_on_the_web_while_the_file_is_checked_is_not_moved_again(provider_user):
    run(provider_user, csv_bytes(row()))
    referral = Referral.objects.get()

    def meanwhile(phase, done, total):
        if phase == "check" and referral.events.count() == 1:
            referral_advance(
                actor=provider_user, referral=referral, to_stage="contacting", dates={"contacting": date(2026, 1, 15)}
            )

    with pytest.raises(ImportRejected) as caught:
        referral_import(
            actor=provider_user,
            provider=provider_user.organisation,
            source=csv_bytes(row(stage="assessing", assessing_on="2026-01-20")),
            filename="referrals.csv",
            progress=meanwhile,
        )
    assert caught.value.errors[0].message.startswith("A referral the file moves to a later stage was changed")
    referral.refresh_from_db()
    assert referral.stage == "contacting"
    assert referral.events.count() == 2


def test_the_command_imports_stages(provider_user, tmp_path, capsys):
    path = tmp_path / "referrals.csv"
    path.write_bytes(csv_bytes(COMPLETED_ROW))
    call_command("import_referrals", str(path), "--provider", str(provider_user.organisation.pk))
    assert "1 created, 0 updated, 0 unchanged; 1 moved on to a later stage" in capsys.readouterr().out
    referral = Referral.objects.get()
    assert referral.stage == "completed"
    assert referral.events.count() == 6

    path.write_bytes(csv_bytes(row(stage="contacting", contacting_on="2026-01-14")))
    with pytest.raises(CommandError):
        call_command("import_referrals", str(path), "--provider", str(provider_user.organisation.pk))
    assert "Row 2, stage: The referral is completed in the portal" in capsys.readouterr().err


def test_moves_go_to_the_right_referrals_across_chunks_and_in_received_order(provider_user, monkeypatch):
    """New referrals are written a chunk at a time in received date order, not the file's: each
    must still get its own moves. Referrals uploaded before move in the same file."""
    run(provider_user, csv_bytes(row(reference="OLD-1"), row(reference="OLD-2")))
    monkeypatch.setattr("referrals.importing.CHUNK_ROWS", 3)
    rows = [
        row(reference="OLD-1", stage="contacting", contacting_on="2026-01-20", contact_attempts="1"),
        row(reference="NEW-A", received_on="2026-01-14", stage="contacting", contacting_on="2026-01-15"),
        row(reference="NEW-B", received_on="2026-01-13"),
        row(
            reference="NEW-C", received_on="2026-01-12", stage="closed", closed_on="2026-01-16", closure_reason="other"
        ),
        row(reference="OLD-2", stage="closed", closed_on="2026-01-21", closure_reason="withdrawn"),
        row(reference="NEW-D", received_on="2026-01-19", stage="assessing", assessing_on="2026-01-22"),
        row(reference="NEW-E", received_on="2026-01-10", stage="assessing", assessing_on="2026-01-23"),
    ]

    assert run(provider_user, csv_bytes(*rows)) == ImportResult(created=5, updated=2, unchanged=0, moved=6)

    moves = {
        referral.reference: [(event[1], event[2]) for event in timeline(referral)[1:]]
        for referral in Referral.objects.all()
    }
    assert moves == {
        "OLD-1": [("contacting", date(2026, 1, 20))],
        "OLD-2": [("closed", date(2026, 1, 21))],
        "NEW-A": [("contacting", date(2026, 1, 15))],
        "NEW-B": [],
        "NEW-C": [("closed", date(2026, 1, 16))],
        "NEW-D": [("contacting", date(2026, 1, 22)), ("assessing", date(2026, 1, 22))],
        "NEW-E": [("contacting", date(2026, 1, 23)), ("assessing", date(2026, 1, 23))],
    }
    assert AuditEvent.objects.filter(action="transition").count() == 2  # the moves of OLD-1 and OLD-2


def test_an_outcome_the_portal_already_has_must_agree(provider_user):
    run(provider_user, csv_bytes(row(stage="intervention", intervention_on="2026-01-20", intervention_type="video")))
    later = row(
        stage="completed",
        intervention_type="letters",
        completed_on="2026-02-10",
        agreement_reached="no",
        victim_satisfaction="3",
        contact_attempts="1",
    )
    assert problems(provider_user, csv_bytes(later)) == [
        RowError(
            2,
            "intervention_type",
            "The portal records another intervention type for this referral (Direct: video conference). To change "
            "it, correct the move on the referral's page",
        )
    ]
    assert run(provider_user, csv_bytes({**later, "intervention_type": ""})).moved == 1
    assert Referral.objects.get().intervention_type == "video"


def test_a_referral_closed_in_the_portal_cannot_gain_stages(provider_user):
    run(provider_user, csv_bytes(row(stage="closed", closed_on="2026-01-20", closure_reason="withdrawn")))
    errors = problems(
        provider_user,
        csv_bytes(
            row(
                stage="closed",
                assessing_on="2026-01-18",
                closed_on="2026-01-20",
                closure_reason="withdrawn",
                contact_attempts="0",
            )
        ),
    )
    assert errors == [
        RowError(
            2, "assessing_on", "Leave this empty: the referral was closed in the portal without reaching assessing"
        )
    ]


def test_a_changed_received_date_moves_the_start_of_the_timeline_as_the_web_form_does(provider_user):
    run(provider_user, csv_bytes(row()))
    assert run(provider_user, csv_bytes(row(received_on="2026-01-13", contact_attempts="0"))).updated == 1
    referral = Referral.objects.get()
    assert referral.stage_changed_on == date(2026, 1, 13)
    assert timeline(referral) == [("", "referred", date(2026, 1, 13))]
