"""Vocabulary for RJ pledges: who signs, what state a pledge is in, and the limits that keep
the public signup honest."""

from django.db import models


class PledgeRole(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    PCC = "pcc", "Police and Crime Commissioner (PCC)"
    PFCC = "pfcc", "Police, Fire and Crime Commissioner (PFCC)"
    MAYOR = "mayor", "Mayor"
    DEPUTY_PCC = "deputy_pcc", "Deputy PCC"
    DEPUTY_MAYOR = "deputy_mayor", "Deputy mayor for policing"


# The person who holds the PCC functions for an area: "N of 43 areas have a signed pledge from
# their elected leader" counts published pledges in these roles.
ELECTED_LEADER_ROLES = (PledgeRole.PCC, PledgeRole.PFCC, PledgeRole.MAYOR)
DEPUTY_ROLES = (PledgeRole.DEPUTY_PCC, PledgeRole.DEPUTY_MAYOR)


class PledgeStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Email not confirmed"
    VERIFIED = "verified", "Awaiting review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Signups that never reached the register: the purge deletes these after their campaign.
UNPUBLISHED_STATUSES = (PledgeStatus.UNVERIFIED, PledgeStatus.VERIFIED, PledgeStatus.REJECTED)


class PledgeSource(models.TextChoices):
    SIGNUP = "signup", "Signed online"
    IMPORT = "import", "Imported"


INDEPENDENT = "Independent"
STATEMENT_MAX_LENGTH = 500

# Abuse controls for the public signup form.
SIGNUPS_PER_IP_PER_HOUR = 5
SIGNUPS_PER_EMAIL_PER_DAY = 3
# Signup attempts (hashed IP and email, for the limits above) are kept no longer than this.
SIGNUP_ATTEMPT_RETENTION_DAYS = 7

# Settings (read with getattr so each has a default here).
DEFAULT_VERIFICATION_MAX_AGE = 60 * 60 * 24 * 3  # seconds: 3 days
DEFAULT_PERSONAL_DATA_MONTHS = 6

TOTAL_AREAS = 43

OPEN_DATA_LICENCE = "Open Government Licence v3.0"
OPEN_DATA_LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
