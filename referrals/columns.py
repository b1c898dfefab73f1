"""The referral file's columns, in the template's order: the one list from which the import
(referrals.importing), its template and column guide (referrals.import_views), the fields a
provider may change (referrals.services) and the export's headings (referrals.exports) are
derived, so that a new column is added once, here."""

from dataclasses import dataclass

from .constants import JusticeStage


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
    ImportColumn("contact_attempts", "Contact attempts", False, "A whole number. Leave empty for 0.", "0"),
]

IMPORT_COLUMN = {column.name: column for column in IMPORT_COLUMNS}
COLUMN_NAMES = [column.name for column in IMPORT_COLUMNS]
OPTIONAL_COLUMN_NAMES = {column.name for column in IMPORT_COLUMNS if not column.required}
DATE_COLUMN_NAMES = {column.name for column in IMPORT_COLUMNS if column.is_date}
EXAMPLE_ROW = {column.name: column.example for column in IMPORT_COLUMNS}
# The fields a provider may change, on the web, in the API and through the file: the file's
# columns, the area first.
EDITABLE_FIELDS = ["area", *(column.model_field for column in IMPORT_COLUMNS if column.model_field != "area")]
