"""The vocabulary of commissioning and the "10 ways" a PCC can unlock RJ (shared domain notes:
provider accreditation, money and the other ways)."""

from decimal import Decimal

from django.db import models


class Way(models.TextChoices):
    """The ten ways, in the order of the "10 ways" briefing."""

    PLEDGE = "pledge", "Sign the RJ pledge"
    PROVIDER = "provider", "Commission an accredited provider"
    STRATEGY = "strategy", "Adopt a strategy in which every victim is informed"
    DATA = "data", "Collect data"
    BUDGET = "budget", "Ringfence a budget"
    TRAINING = "training", "Train staff"
    COMMUNICATIONS = "communications", "Communicate"
    DIP_SAMPLING = "dip_sampling", "Dip-sample cases"
    COMMUNITY_REMEDY = "community_remedy", "Include RJ in the Community Remedy"
    OBSERVATION = "observation", "Observe an RJ process"


class WayStatus(models.TextChoices):
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"
    UNKNOWN = "unknown", "Unknown"


class AccreditationScheme(models.TextChoices):
    RJC_REGISTERED = "rjc_registered", "RJC Registered Service Provider"
    # Replaced by the Registered Service Provider scheme in 2020: kept for providers' history.
    RSQM = "rsqm", "Restorative Service Quality Mark (RSQM, before 2020)"


class AccreditationStatus(models.TextChoices):
    """Derived from the expiry date on the day asked, never stored."""

    CURRENT = "current", "Current"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    NONE = "none", "None recorded"


# A registration expiring within this many days (inclusive) is flagged on the home page.
EXPIRY_WARNING_DAYS = 90
# send_accreditation_reminders writes to the commissioning office this many days before expiry.
REMINDER_DAYS = (90, 30)


class FundingSource(models.TextChoices):
    MOJ_GRANT = "moj_grant", "Ministry of Justice victim services grant"
    PCC_CORE = "pcc_core", "PCC core budget"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    PRESS = "press", "Press release or news article"
    SOCIAL_MEDIA = "social_media", "Social media"
    WEBSITE = "website", "Website"
    PRINT = "print", "Leaflets or posters"
    EVENT = "event", "Event or public meeting"
    PARTNER_BRIEFING = "partner_briefing", "Briefing for partners"
    BROADCAST = "broadcast", "Radio, TV or podcast"
    OTHER = "other", "Other"


class ObserverRole(models.TextChoices):
    PCC = "pcc", "Police and Crime Commissioner (PCC)"
    PFCC = "pfcc", "Police, Fire and Crime Commissioner (PFCC)"
    MAYOR = "mayor", "Mayor"
    DEPUTY = "deputy", "Deputy PCC or deputy mayor for policing"


# Estimated benefit: the ratios offered when the portal is set up. Administrators may add others.
DEFAULT_BENEFIT_RATIOS = [
    {
        "label": "£9 for every £1 spent",
        "pounds_per_pound": Decimal("9.00"),
        "citation": "Restorative Justice Council and Why me?, '10 ways PCCs can unlock restorative justice' briefing",
        "url": "",
        "in_use": True,
    },
    {
        "label": "£8 for every £1 spent",
        "pounds_per_pound": Decimal("8.00"),
        "citation": "Shapland et al. (2008), 'Does restorative justice affect reconviction?', Ministry of Justice "
        "Research Series 10/08 (Home Office-funded evaluation)",
        "url": "",
        "in_use": False,
    },
]

# Records that staff keep free text in (observation notes, evidence) must not identify anyone.
NO_PERSONAL_DATA_HINT = (
    "Do not include names, addresses, dates of birth or anything else that could identify a victim, "
    "an offender or anyone else taking part."
)
