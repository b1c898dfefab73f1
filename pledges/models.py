from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from rjportal.areas.models import PoliceArea

from .constants import ELECTED_LEADER_ROLES, INDEPENDENT, STATEMENT_MAX_LENGTH, PledgeRole, PledgeSource, PledgeStatus
from .managers import PledgeCampaignQuerySet, PledgeQuerySet, SignupAttemptQuerySet


class PledgeCampaign(models.Model):
    """One round of "#SignTheRJPledge", usually ahead of an election, with its own wording."""

    title = models.CharField(max_length=200, unique=True, help_text="For example “2024 PCC elections”")
    election_date = models.DateField()
    opens_on = models.DateField(help_text="First day people can sign")
    closes_on = models.DateField(help_text="Last day people can sign")
    pledge_text = models.TextField(help_text="The exact words people sign; each pledge keeps its own copy")

    objects = PledgeCampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-election_date", "-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="pledge_campaign_closes_after_it_opens"
            ),
        ]

    def __str__(self):
        return self.title


class Pledge(models.Model):
    """A named person's signed pledge. The email address is private: it is used to confirm the
    pledge and is removed after the campaign (manage.py purge_pledge_personal_data)."""

    campaign = models.ForeignKey(PledgeCampaign, on_delete=models.PROTECT, related_name="pledges")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=PledgeRole.choices)
    party = models.CharField(max_length=100, default=INDEPENDENT)
    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="pledges")
    email = models.EmailField(blank=True, help_text="Private: never published")
    statement = models.CharField(max_length=STATEMENT_MAX_LENGTH, blank=True, help_text="Public statement")
    consent_to_publish = models.BooleanField(default=False)
    text_signed = models.TextField(help_text="The campaign's pledge text when this pledge was signed")
    status = models.CharField(max_length=20, choices=PledgeStatus.choices, default=PledgeStatus.UNVERIFIED)
    rejection_reason = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=PledgeSource.choices, default=PledgeSource.SIGNUP)
    source_note = models.CharField(max_length=300, blank=True, help_text="Where an imported pledge came from")
    # Part of every verification link; emptied once the pledge is confirmed, so a link works once.
    verification_nonce = models.CharField(max_length=32, blank=True)
    signup_ip_hash = models.CharField(max_length=64, blank=True, help_text="A keyed hash, never the address")
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=PledgeStatus.REJECTED) | ~Q(rejection_reason=""),
                name="rejected_pledge_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=PledgeStatus.PUBLISHED) | Q(consent_to_publish=True),
                name="published_pledge_has_consent",
            ),
            models.CheckConstraint(
                condition=~Q(source=PledgeSource.IMPORT) | ~Q(source_note=""),
                name="imported_pledge_has_source_note",
            ),
            models.UniqueConstraint(
                "campaign",
                Lower("email"),
                condition=~Q(email=""),
                name="one_pledge_per_campaign_email",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return f"{self.name} ({self.campaign})"

    def get_absolute_url(self):
        return reverse("pledges:moderation_detail", kwargs={"pk": self.pk})

    @property
    def is_elected_leader(self):
        return self.role in ELECTED_LEADER_ROLES


class SignupAttempt(models.Model):
    """Each use of the public signup form, for the rate limits: keyed hashes only, kept a week."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_hash = models.CharField(max_length=64, db_index=True)
    email_hash = models.CharField(max_length=64, db_index=True)

    objects = SignupAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Signup attempt at {self.created_at:%Y-%m-%d %H:%M}"
