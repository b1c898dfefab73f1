"""The referral file's columns, in the template's order: the one list from which the import
(referrals.importing), its template and column guide (referrals.import_views), the fields a
provider may change (referrals.services) and the export's headings (referrals.exports) are
derived, so that a new column is added once, here.

IMPORT_COLUMNS are the values a provider records and may change; STAGE_COLUMNS, after them, say
how far the referral has got. Those are never changed directly: a row ahead of the portal moves
the referral on by the stage rules (referrals.import_stages)."""

from dataclasses import dataclass

from .constants import PATH_STAGES, JusticeStage, Stage


@dataclass(frozen=True)
class ImportColumn:
    name: str  # the header in the file
    label: str  # the heading the export gives it
    required: bool
    description: str  # the column guide's words
    example: str  # the template's example row
    field: str = ""  # the referral's field it fills, when not named like the column
    export_path: str = ""  # what the export reads, when not the field itself
    is_date: bool = False
    # False for the columns added after the template was first published: a file made from
    # the earlier template, without them, still imports.
    always_in_file: bool = True

    @property
    def model_field(self) -> str:
        return self.field or self.name

    @property
    def export_field(self) -> str:
        return self.export_path or self.model_field


YES_OR_NO = "yes or no"

IMPORT_COLUMNS = [
    ImportColumn(
        "reference",
        "Reference",
        True,
        "Your own case reference, up to 50 characters. It links the row to your case system; "
        "uploading a row with the same reference again updates that referral. Capital letters do not make "
        "references different: RJ-1 and rj-1 are the same reference.",
        "RJ-2026-0001",
    ),
    ImportColumn(
        "police_area_code",
        "Police area code",
        True,
        "The ONS code of the police force area the referral is from. It must be an area your organisation serves.",
        "E23000032",
        field="area",
        export_path="area__code",
    ),
    ImportColumn(
        "referring_team",
        "Referring team",
        True,
        "The name of the team that referred, exactly as listed for that area below (capital letters do not matter).",
        "Canterbury neighbourhood policing",
        export_path="referring_team__name",
    ),
    ImportColumn("initiator", "Initiator", True, "Who asked for restorative justice.", "victim"),
    ImportColumn("offence_group", "Offence group", True, "The offence group.", "violence_against_the_person"),
    ImportColumn(
        "offence_subgroup",
        "Offence subgroup",
        False,
        "The offence subgroup, which must belong to the offence group. Leave empty if there is none.",
        "violence_with_injury",
    ),
    ImportColumn("hate_crime", "Hate crime", True, YES_OR_NO, "no"),
    ImportColumn("domestic_abuse", "Domestic abuse", True, YES_OR_NO, "no"),
    ImportColumn("sexual_harm", "Sexual harm", True, YES_OR_NO, "no"),
    ImportColumn(
        "justice_stage",
        "Criminal justice stage",
        True,
        "Where the case was in the justice system at referral.",
        "pre_sentence",
    ),
    ImportColumn("offender_under_18", "Offender under 18", True, YES_OR_NO, "no"),
    ImportColumn(
        "victim_enhanced_rights",
        "Victim enhanced rights",
        True,
        "yes or no: whether the victim is entitled to enhanced rights under the Victims' Code.",
        "yes",
    ),
    ImportColumn(
        "crime_reported_on",
        "Crime reported",
        False,
        f"Leave empty if the crime was not reported to police (justice stage '{JusticeStage.NOT_REPORTED.value}').",
        "2026-01-05",
        is_date=True,
    ),
    ImportColumn(
        "victim_informed_on",
        "Victim informed",
        False,
        "When the victim was told about restorative justice.",
        "2026-01-06",
        is_date=True,
    ),
    ImportColumn(
        "victim_requested_on",
        "Victim asked for referral",
        False,
        "When the victim asked for a referral.",
        "2026-01-08",
        is_date=True,
    ),
    ImportColumn("referred_on", "Referral made", True, "The referral date.", "2026-01-09", is_date=True),
    ImportColumn(
        "received_on",
        "Referral received",
        True,
        "The date your service received the referral: the same as or after the referral date.",
        "12/01/2026",
        is_date=True,
    ),
    ImportColumn(
        "contact_attempts",
        "Contact attempts",
        False,
        "A whole number. Leave empty for 0. Reaching contacting counts as the first attempt, so a referral at "
        "contacting or later has at least 1.",
        "1",
    ),
]

STAGE_DATE_COLUMN_NAMES = {stage: f"{stage.value}_on" for stage in (*PATH_STAGES[1:], Stage.CLOSED)}
_STAGE_DATE_WORDS = (
    "Leave it empty if the referral has not reached it; if it passed through without a date you know, leave it "
    "empty and the date of the stage after it is used."
)


def _stage_date(stage: Stage, example: str = "") -> ImportColumn:
    return ImportColumn(
        STAGE_DATE_COLUMN_NAMES[stage],
        f"Reached {stage.label.lower()}",
        False,
        f"The date the referral reached {stage.label.lower()}. {_STAGE_DATE_WORDS}",
        example,
        is_date=True,
        always_in_file=False,
    )


STAGE_COLUMNS = [
    ImportColumn(
        "stage",
        "Stage",
        False,
        "The stage the referral has reached. Leave it, and the columns after it, empty for a referral at referred. "
        "A new referral may start at any stage; a referral you uploaded before moves on to it, through each stage "
        "in between, but never back (correct a move on the referral's page instead).",
        Stage.CONTACTING.value,
        always_in_file=False,
    ),
    _stage_date(Stage.CONTACTING, "2026-01-14"),
    _stage_date(Stage.ASSESSING),
    _stage_date(Stage.PREPARING),
    _stage_date(Stage.INTERVENTION),
    ImportColumn(
        "intervention_type",
        "Intervention type",
        False,
        "How the parties communicated: needed once the referral has reached intervention.",
        "",
        always_in_file=False,
    ),
    _stage_date(Stage.COMPLETED),
    ImportColumn(
        "agreement_reached",
        "Agreement reached",
        False,
        "yes or no: needed for a completed referral.",
        "",
        always_in_file=False,
    ),
    ImportColumn(
        "victim_satisfaction",
        "Victim satisfaction",
        False,
        "The victim's satisfaction, a whole number from 1 (very dissatisfied) to 5 (very satisfied): needed for a "
        "completed referral.",
        "",
        always_in_file=False,
    ),
    ImportColumn(
        "offender_satisfaction",
        "Offender satisfaction",
        False,
        "The offender's satisfaction, from 1 to 5, for a completed referral where the offender took part.",
        "",
        always_in_file=False,
    ),
    ImportColumn(
        "closed_on",
        "Closed",
        False,
        "The date the referral was closed, for a referral whose stage is closed. If it got further than referred "
        "before it closed, give the date it reached its last stage in that stage's column too.",
        "",
        is_date=True,
        always_in_file=False,
    ),
    ImportColumn(
        "closure_reason",
        "Closure reason",
        False,
        "Why the referral was closed: needed for a closed referral.",
        "",
        always_in_file=False,
    ),
]

# Every column of the file, in the template's order.
TEMPLATE_COLUMNS = [*IMPORT_COLUMNS, *STAGE_COLUMNS]
IMPORT_COLUMN = {column.name: column for column in TEMPLATE_COLUMNS}
COLUMN_NAMES = [column.name for column in TEMPLATE_COLUMNS]
OPTIONAL_COLUMN_NAMES = {column.name for column in TEMPLATE_COLUMNS if not column.required}
DATE_COLUMN_NAMES = {column.name for column in TEMPLATE_COLUMNS if column.is_date}
EXAMPLE_ROW = {column.name: column.example for column in TEMPLATE_COLUMNS}
# The fields a provider may change, on the web, in the API and through the file: the file's
# columns but the stage ones, the area first.
EDITABLE_FIELDS = ["area", *(column.model_field for column in IMPORT_COLUMNS if column.model_field != "area")]
