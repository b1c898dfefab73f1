"""The vocabulary of case reviews (dip sampling), the signed-off Ministry of Justice return and
the action log (shared domain notes: sensitive cases, dip sampling)."""

from django.db import models


class DipSampleStatus(models.TextChoices):
    POPULATION = "population", "Population loaded"
    REVIEWING = "reviewing", "In progress"
    COMPLETED = "completed", "Completed"


class PopulationSource(models.TextChoices):
    REGISTER = "register", "Uploaded case register"
    REFERRALS = "referrals", "Referrals in RJ Portal"


class Offered(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    CANNOT_TELL = "cannot_tell", "Cannot tell"


class EvidenceSource(models.TextChoices):
    CRIME_RECORD = "crime_record", "Crime record"
    VICTIM_CONTACT_LOG = "victim_contact_log", "Victim contact log"
    VICTIM_NEEDS_ASSESSMENT = "victim_needs_assessment", "Victim needs assessment"
    WITNESS_CARE_RECORD = "witness_care_record", "Witness care record"
    VICTIM_SERVICE_RECORD = "victim_service_record", "Victim service record"
    RJ_PROVIDER_RECORD = "rj_provider_record", "RJ provider record"
    NONE_FOUND = "none_found", "No evidence found"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionPrompt(models.TextChoices):
    GAP = "gap", "A gap on the area dashboard"
    DIP_SAMPLE = "dip_sample", "A dip sample"
    SCORECARD = "scorecard", "A 10-ways scorecard row"


# The ten ways of the scorecard, by the keys the scorecard uses (strategy.constants.Way; this
# app does not import strategy, which reads it; a test keeps the two lists the same).
SCORECARD_WAYS = [
    ("pledge", "Sign the RJ pledge"),
    ("provider", "Commission an accredited provider"),
    ("strategy", "Adopt a strategy in which every victim is informed"),
    ("data", "Collect data"),
    ("budget", "Ringfence a budget"),
    ("training", "Train staff"),
    ("communications", "Communicate"),
    ("dip_sampling", "Dip-sample cases"),
    ("community_remedy", "Include RJ in the Community Remedy"),
    ("observation", "Observe an RJ process"),
]

# The flags that make a case sensitive (and its stratum one to oversample), in display order.
FLAGS = [("hate_crime", "Hate crime"), ("domestic_abuse", "Domestic abuse"), ("sexual_harm", "Sexual harm")]

# A referral still at 'referred' this many days after it was received is a completeness problem.
STUCK_AT_REFERRED_DAYS = 30

# Case registers: bounded in size and rows.
CASE_REGISTER_MAX_BYTES = 5 * 1024 * 1024
CASE_REGISTER_MAX_ROWS = 50_000
MAX_ERRORS_SHOWN = 500

ALLOCATION_RULE = (
    "Proportional allocation with minimums: every flagged stratum (hate crime, domestic abuse or sexual harm) "
    "gets at least the minimum you set and every other stratum at least 1 case; the rest of the sample is shared "
    "among the remaining strata in proportion to their population, repeating until no flagged stratum falls "
    "below its minimum, with fractions rounded by the largest remainder. Within each stratum, cases are sorted by "
    "crime reference and drawn at random without replacement (NumPy's default generator, started from the seed)."
)
OVERALL_METHOD = "stratified estimate with a normal approximation and finite population correction"
STRATUM_METHOD = "Wilson score interval"
