"""An open demonstration pledge campaign with a few fictional signatories on the register, and
a few signups whose email is confirmed, waiting in the moderation queue."""

from datetime import date, timedelta

from django.test.utils import override_settings
from django.utils import timezone

from pledges.constants import PledgeSource
from pledges.models import Pledge, PledgeCampaign
from pledges.services import campaign_create, pledge_sign, pledge_verify, pledges_import
from pledges.tokens import make_token
from rjportal.areas.models import PoliceArea

DEMO_CAMPAIGN = "2028 PCC elections (demo)"
DEMO_PLEDGE_TEXT = (
    "I pledge to make restorative justice available to every victim of crime in my area, "
    "and to make sure every victim is told about it. (Demonstration text.)"
)
DEMO_SIGNATORIES = [
    ("Alex Example", "PCC", "Independent", "Kent"),
    ("Sam Sample", "candidate", "Example Party", "Avon and Somerset"),
    ("Jo Demo", "PFCC", "Example Party", "Essex"),
]
# Signed online and confirmed, awaiting a moderator: (name, role, party, area code, email, statement).
DEMO_AWAITING_MODERATION = [
    ("Chris Candidate", "candidate", "Example Party", "E23000032", "chris@demo.rjportal.invalid", "RJ helps victims."),
    ("Pat Placeholder", "candidate", "", "E23000036", "pat@demo.rjportal.invalid", ""),
    ("Robin Rehearsal", "pcc", "Another Example Party", "W15000004", "robin@demo.rjportal.invalid", ""),
]


def seed_pledges(*, actor) -> None:
    campaign = PledgeCampaign.objects.filter(title=DEMO_CAMPAIGN).first()
    if campaign is None:
        today = timezone.localdate()
        campaign = campaign_create(
            actor=actor,
            title=DEMO_CAMPAIGN,
            election_date=date(2028, 5, 4),
            opens_on=today - timedelta(days=30),
            closes_on=today + timedelta(days=365),
            pledge_text=DEMO_PLEDGE_TEXT,
        )
    if not Pledge.objects.filter(campaign=campaign, source=PledgeSource.IMPORT).exists():
        rows = "\n".join(
            f"{name},{role},{party},{area},{DEMO_CAMPAIGN},Demonstration data"
            for name, role, party, area in DEMO_SIGNATORIES
        )
        pledges_import(actor=actor, source=f"name,role,party,area,campaign,source\n{rows}\n".encode())
    _seed_awaiting_moderation(campaign)


def _seed_awaiting_moderation(campaign: PledgeCampaign) -> None:
    """Sign and confirm the demo signups not yet signed, as a signer would (the confirmation
    emails go nowhere). A campaign that has closed since the last run takes none."""
    if not PledgeCampaign.objects.open_on(timezone.localdate()).filter(pk=campaign.pk).exists():
        return
    signed = set(Pledge.objects.filter(campaign=campaign).values_list("email", flat=True))
    areas = {area.code: area for area in PoliceArea.objects.all()}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for number, (name, role, party, code, email, statement) in enumerate(DEMO_AWAITING_MODERATION, start=1):
            if email in signed:
                continue
            outcome = pledge_sign(
                campaign=campaign,
                name=name,
                role=role,
                party=party,
                area=areas[code],
                email=email,
                statement=statement,
                consent_to_publish=True,
                ip_address=f"192.0.2.{number}",  # documentation addresses (RFC 5737)
                site_url="http://localhost:8000/",
            )
            pledge_verify(token=make_token(outcome.pledge))
