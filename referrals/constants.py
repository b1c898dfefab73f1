"""The referral vocabulary. Offence codes come from rjportal.areas.constants so that referrals
line up with ONS recorded crime; stages follow a referral's life in the domain notes."""

from django.db import models

from rjportal.areas.constants import OFFENCE_LEVEL, OFFENCE_PARENT, Offence, OffenceLevel


class TeamCategory(models.TextChoices):
    RESPONSE = "response", "Response"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
    INVESTIGATION = "investigation", "Investigation"
    CUSTODY = "custody", "Custody"
    VICTIM_CARE_UNIT = "victim_care_unit", "Victim care unit"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    PROBATION = "probation", "Probation"
    PRISON = "prison", "Prison"
    COURT = "court", "Court"
    VICTIM_SERVICE = "victim_service", "Victim service"
    SELF_REFERRAL = "self_referral", "Self-referral"
    OTHER = "other", "Other"


# The most officers or staff a referring team may be recorded with, on the form, in a file and
# through the API alike.
TEAM_STAFF_COUNT_MAX = 100_000


class Initiator(models.TextChoices):
    VICTIM = "victim", "Victim"
    OFFENDER = "offender", "Offender"
    PRACTITIONER = "practitioner", "Practitioner"


class JusticeStage(models.TextChoices):
    NOT_REPORTED = "not_reported", "Not reported to police"
    OUT_OF_COURT = "out_of_court", "Out of court (including Community Remedy)"
    PRE_SENTENCE = "pre_sentence", "Pre-sentence"
    POST_SENTENCE_COMMUNITY = "post_sentence_community", "Post-sentence (community)"
    POST_SENTENCE_CUSTODY = "post_sentence_custody", "Post-sentence (custody)"


class Stage(models.TextChoices):
    REFERRED = "referred", "Referred"
    CONTACTING = "contacting", "Contacting"
    ASSESSING = "assessing", "Assessing"
    PREPARING = "preparing", "Preparing"
    INTERVENTION = "intervention", "Intervention"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"


OPEN_STAGES = (Stage.REFERRED, Stage.CONTACTING, Stage.ASSESSING, Stage.PREPARING, Stage.INTERVENTION)
# The path to completion, in order: the funnel counts how far along it each referral got.
PATH_STAGES = (*OPEN_STAGES, Stage.COMPLETED)

# The forward path. Any open stage may also go to CLOSED, with a reason.
NEXT_STAGE = {
    Stage.REFERRED: Stage.CONTACTING,
    Stage.CONTACTING: Stage.ASSESSING,
    Stage.ASSESSING: Stage.PREPARING,
    Stage.PREPARING: Stage.INTERVENTION,
    Stage.INTERVENTION: Stage.COMPLETED,
}


class InterventionType(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Direct: face-to-face meeting"
    VIDEO = "video", "Direct: video conference"
    SHUTTLE = "shuttle", "Indirect: shuttle communication"
    LETTERS = "letters", "Indirect: letters"
    RECORDED_MESSAGE = "recorded_message", "Indirect: recorded message"


DIRECT_INTERVENTIONS = (InterventionType.FACE_TO_FACE, InterventionType.VIDEO)


class ClosureReason(models.TextChoices):
    NOT_SUITABLE = "not_suitable", "Not suitable"
    DECLINED_BY_VICTIM = "declined_by_victim", "Declined by victim"
    DECLINED_BY_OFFENDER = "declined_by_offender", "Declined by offender"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NO_CONTACT = "no_contact", "No contact possible"
    OFFENDER_NOT_IDENTIFIED = "offender_not_identified", "Offender not identified"
    OTHER = "other", "Other"


class CorrectionReason(models.TextChoices):
    """Why a move was corrected: a code, never free text, like the reasons for closing."""

    WRONG_STAGE = "wrong_stage", "Recorded at the wrong stage"
    WRONG_DATE = "wrong_date", "Recorded with the wrong date"
    WRONG_REFERRAL = "wrong_referral", "Recorded on the wrong referral"
    RECORDED_TWICE = "recorded_twice", "Recorded twice"
    OTHER = "other", "Other mistake"


class ClockStatus(models.TextChoices):
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    PENDING = "pending", "Not yet due"
    UNKNOWN = "unknown", "Unknown"


# Victims' Code (2020) deadlines, in working days.
INFORMATION_DEADLINE_DAYS = 5  # Right 3: information about RJ after the crime is reported
INFORMATION_DEADLINE_DAYS_ENHANCED = 1  # ... for victims entitled to enhanced rights
REFERRAL_DEADLINE_DAYS = 2  # Right 4: referral after the victim asks for one

REFERRAL_OFFENCE_GROUPS = [offence for offence, level in OFFENCE_LEVEL.items() if level == OffenceLevel.GROUP] + [
    Offence.FRAUD,
    Offence.OTHER,
]
REFERRAL_OFFENCE_SUBGROUPS = list(OFFENCE_PARENT)
SATISFACTION_SCALE = range(1, 6)
