"""An open demonstration pledge campaign with a few fictional signatories on the register."""

from datetime import date, timedelta

from django.utils import timezone

from pledges.models import PledgeCampaign
from pledges.services import campaign_create, pledges_import

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


def seed_pledges(*, actor) -> None:
    if PledgeCampaign.objects.filter(title=DEMO_CAMPAIGN).exists():
        return
    today = timezone.localdate()
    campaign_create(
        actor=actor,
        title=DEMO_CAMPAIGN,
        election_date=date(2028, 5, 4),
        opens_on=today - timedelta(days=30),
        closes_on=today + timedelta(days=365),
        pledge_text=DEMO_PLEDGE_TEXT,
    )
    rows = "\n".join(
        f"{name},{role},{party},{area},{DEMO_CAMPAIGN},Demonstration data"
        for name, role, party, area in DEMO_SIGNATORIES
    )
    pledges_import(actor=actor, source=f"name,role,party,area,campaign,source\n{rows}\n".encode())
