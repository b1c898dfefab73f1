"""Rules a referral's values must meet, as a pure function of those values, so that the web
form, the file import and the API give the same answers with the same words."""

from datetime import date

from rjportal.areas.constants import OFFENCE_PARENT

from .constants import JusticeStage

DATE_FIELDS = ["crime_reported_on", "victim_informed_on", "victim_requested_on", "referred_on", "received_on"]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


DATE_LABELS = {
    "crime_reported_on": "the date the crime was reported",
    "victim_informed_on": "the date the victim was told about RJ",
    "victim_requested_on": "the date the victim asked for a referral",
    "referred_on": "the referral date",
    "received_on": "the date the referral was received",
}


def referral_value_errors(values: dict, *, today: date) -> dict[str, str]:
    """Problems with one referral's values, by field. Values are already of the right type
    (dates as dates); missing optional values are None or ""."""
    errors: dict[str, str] = {}
    for field in DATE_FIELDS:
        day = values.get(field)
        if day is not None and day > today:
            errors[field] = f"{_sentence(DATE_LABELS[field])} must be today or in the past"

    def must_not_precede(later: str, earlier: str):
        if later in errors or earlier in errors:
            return
        if values.get(later) and values.get(earlier) and values[later] < values[earlier]:
            errors[later] = f"{_sentence(DATE_LABELS[later])} must be the same as or after {DATE_LABELS[earlier]}"

    must_not_precede("received_on", "referred_on")
    must_not_precede("referred_on", "crime_reported_on")
    must_not_precede("victim_informed_on", "crime_reported_on")
    must_not_precede("referred_on", "victim_requested_on")

    if values.get("justice_stage") == JusticeStage.NOT_REPORTED and values.get("crime_reported_on"):
        errors.setdefault(
            "crime_reported_on", "Leave the date the crime was reported empty for a crime not reported to police"
        )
    subgroup = values.get("offence_subgroup")
    if subgroup and OFFENCE_PARENT.get(subgroup) != values.get("offence_group"):
        errors["offence_subgroup"] = "The offence subgroup must belong to the offence group"
    return errors
