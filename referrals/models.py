from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse

from rjportal.accounts.constants import Role
from rjportal.areas.constants import OFFENCE_PARENT, Offence
from rjportal.areas.models import PoliceArea
from rjportal.indexes import CoveringIndex
from rjportal.organisations.models import Organisation

from .constants import (
    OPEN_STAGES,
    PATH_STAGES,
    REFERRAL_OFFENCE_GROUPS,
    REFERRAL_OFFENCE_SUBGROUPS,
    SATISFACTION_SCALE,
    ClosureReason,
    CorrectionReason,
    Initiator,
    InterventionType,
    JusticeStage,
    Stage,
    TeamCategory,
)
from .managers import ReferralQuerySet, ReferringTeamQuerySet


class ReferringTeam(models.Model):
    """A team that refers victims to RJ, named as its area names it, in a national category
    so that areas can be compared."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="referring_teams")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=TeamCategory.choices)
    staff_count = models.PositiveIntegerField(null=True, blank=True, help_text="Officers or staff, where known")

    objects = ReferringTeamQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "name"]
        constraints = [models.UniqueConstraint("area", Lower("name"), name="team_name_unique_in_area")]

    def __str__(self):
        return f"{self.name} ({self.area.name})"


def _valid_subgroups():
    """The subgroup must belong to the group: one Q per group that has subgroups."""
    condition = Q(offence_subgroup="")
    for group in sorted(set(OFFENCE_PARENT.values())):
        children = [child for child, parent in OFFENCE_PARENT.items() if parent == group]
        condition |= Q(offence_group=group, offence_subgroup__in=children)
    return condition


# What the area dashboard reads besides area and received_on (referrals.selectors), carried in
# its index so that PostgreSQL answers from the index alone.
AREA_FIGURE_COLUMNS = [
    "referring_team",
    "offence_group",
    "justice_stage",
    "hate_crime",
    "domestic_abuse",
    "sexual_harm",
    "initiator",
    "stage",
    "furthest_stage",
    "closure_reason",
    "intervention_type",
    "agreement_reached",
    "victim_satisfaction",
    "victim_informed_on",
    "information_due_on",
    "referred_on",
    "referral_due_on",
]


class Referral(models.Model):
    """One RJ referral as the provider received it. Holds no names, addresses, dates of birth or
    free-text descriptions of people: the provider's reference links to its own case system."""

    # No single-column indexes on these keys: the composite indexes below start with each of
    # them, and every index costs the bulk import time.
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals", db_index=False)
    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="referrals", db_index=False)
    reference = models.CharField(max_length=50, help_text="The provider's own case reference")
    referring_team = models.ForeignKey(
        ReferringTeam, on_delete=models.PROTECT, related_name="referrals", db_index=False
    )
    initiator = models.CharField(max_length=20, choices=Initiator.choices)
    offence_group = models.CharField(max_length=50, choices=[(o.value, o.label) for o in REFERRAL_OFFENCE_GROUPS])
    offence_subgroup = models.CharField(
        max_length=50, blank=True, choices=[(o.value, o.label) for o in REFERRAL_OFFENCE_SUBGROUPS]
    )
    hate_crime = models.BooleanField(default=False)
    domestic_abuse = models.BooleanField(default=False)
    sexual_harm = models.BooleanField(default=False)
    justice_stage = models.CharField(max_length=30, choices=JusticeStage.choices)
    offender_under_18 = models.BooleanField(default=False)
    victim_enhanced_rights = models.BooleanField(default=False)

    crime_reported_on = models.DateField(null=True, blank=True)
    victim_informed_on = models.DateField(null=True, blank=True)
    victim_requested_on = models.DateField(null=True, blank=True)
    referred_on = models.DateField()
    received_on = models.DateField()

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REFERRED)
    stage_changed_on = models.DateField()
    # The furthest stage on the path to completion that the referral reached, kept when it is
    # closed, so that the funnel can be counted without replaying every timeline.
    furthest_stage = models.CharField(
        max_length=20, choices=[(stage.value, stage.label) for stage in PATH_STAGES], default=Stage.REFERRED
    )
    contact_attempts = models.PositiveSmallIntegerField(default=0)
    intervention_type = models.CharField(max_length=20, choices=InterventionType.choices, blank=True)
    closure_reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)
    agreement_reached = models.BooleanField(null=True, blank=True)
    victim_satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    offender_satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)

    # Victims' Code deadlines, worked out from the dates above when they are saved (working days
    # need the bank holiday calendar, which the database does not have).
    information_due_on = models.DateField(null=True, blank=True, editable=False)
    referral_due_on = models.DateField(null=True, blank=True, editable=False)

    # The upload on the web that last created or changed the referral (a command-line or API
    # import clears it), so that an import's result can list what it did.
    last_import = models.ForeignKey(
        "ReferralImportJob",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="referrals",
        db_index=False,
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            # References are one provider's case numbers, compared without regard to capitals
            # (the web, the API and the import all say so; this is the backstop).
            models.UniqueConstraint("provider", Lower("reference"), name="referral_reference_unique_ignoring_case"),
            models.CheckConstraint(condition=_valid_subgroups(), name="referral_subgroup_within_group"),
            models.CheckConstraint(condition=Q(received_on__gte=F("referred_on")), name="referral_received_after_made"),
            models.CheckConstraint(
                condition=Q(crime_reported_on__isnull=True) | Q(referred_on__gte=F("crime_reported_on")),
                name="referral_made_after_crime_reported",
            ),
            models.CheckConstraint(
                condition=Q(stage=Stage.CLOSED, closure_reason__gt="")
                | (~Q(stage=Stage.CLOSED) & Q(closure_reason="")),
                name="referral_closed_with_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=[Stage.INTERVENTION, Stage.COMPLETED], intervention_type__gt="")
                | Q(stage__in=[*OPEN_STAGES[:-1], Stage.CLOSED]),
                name="referral_intervention_has_a_type",
            ),
            models.CheckConstraint(
                condition=Q(stage=Stage.COMPLETED)
                | Q(agreement_reached__isnull=True, victim_satisfaction__isnull=True),
                name="referral_outcome_only_when_completed",
            ),
            models.CheckConstraint(
                condition=Q(victim_satisfaction__isnull=True) | Q(victim_satisfaction__in=list(SATISFACTION_SCALE)),
                name="referral_victim_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(offender_satisfaction__isnull=True) | Q(offender_satisfaction__in=list(SATISFACTION_SCALE)),
                name="referral_offender_satisfaction_1_to_5",
            ),
        ]
        indexes = [
            # The list's default order (newest first) and the export's, scanned backwards.
            models.Index(fields=["received_on", "id"]),
            # The newest change: part of the key under which national counts are cached.
            models.Index(fields=["updated_at"]),
            # The area dashboard's figures, read from the index alone (an index-only scan): a
            # large area's year is tens of thousands of rows spread over as many table pages,
            # and reading those pages was most of the page's time. AREA_FIGURE_COLUMNS lists
            # every column its queries read; a test checks the plan on both databases.
            CoveringIndex(
                fields=["area", "received_on"], include=AREA_FIGURE_COLUMNS, name="referral_area_figures_idx"
            ),
            models.Index(fields=["provider", "received_on"]),
            models.Index(fields=["area", "offence_group", "received_on"]),
            models.Index(fields=["referring_team", "received_on"]),
            models.Index(fields=["stage", "received_on"]),
            # The referrals an upload created or changed; most referrals have none.
            models.Index(
                fields=["last_import", "received_on"],
                condition=Q(last_import__isnull=False),
                name="referral_last_import_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.provider.name})"

    def get_absolute_url(self):
        return reverse("referrals:detail", kwargs={"pk": self.pk})

    @property
    def offence(self) -> Offence:
        return Offence(self.offence_subgroup or self.offence_group)


class ReferralEvent(models.Model):
    """A stage change, shown as the referral's timeline. Carries a reason code, never free text,
    so that nothing identifying creeps in."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    happened_on = models.DateField()
    reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A move recorded by mistake is kept, marked corrected, and the referral goes back a stage.
    # Database defaults, so that the import's and the generator's bulk writes need not name them.
    corrected_at = models.DateTimeField(null=True, blank=True, db_default=None)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    correction_reason = models.CharField(max_length=30, choices=CorrectionReason.choices, blank=True, db_default="")

    class Meta:
        ordering = ["happened_on", "id"]
        # Events are only ever looked up by user when a user is deleted (setting these to NULL,
        # and the database's own foreign key check), which looks for one user's id: an index of
        # the events that have one serves that, and an import or the generator (with no actor)
        # and every move not corrected write no entry to it.
        indexes = [
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="referral_event_actor_idx"),
            models.Index(
                fields=["corrected_by"], condition=Q(corrected_by__isnull=False), name="referral_event_corrector_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(corrected_at__isnull=True, correction_reason="")
                | Q(corrected_at__isnull=False, correction_reason__gt=""),
                name="referral_event_corrected_with_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(corrected_at__isnull=True) | ~Q(from_stage=""),
                name="referral_event_receipt_never_corrected",
            ),
        ]

    def __str__(self):
        return f"{self.referral.reference}: {self.from_stage or 'new'} → {self.to_stage} on {self.happened_on}"

    @property
    def corrected(self) -> bool:
        return self.corrected_at is not None


class ReferralImportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """Provider staff see their organisation's imports; national administrators every one."""
        if user.is_national_admin:
            return self
        if user.role == Role.PROVIDER_STAFF and user.organisation_id:
            return self.filter(provider_id=user.organisation_id)
        return self.none()


class ReferralImportJob(models.Model):
    """A file of referrals uploaded on the web, checked and imported in the background
    (referrals.tasks). The file is kept in the row until its import has run, then dropped.
    Problems are kept as (row, column, message): they never repeat what a cell holds."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being checked"
        DONE = "done", "Imported"
        REJECTED = "rejected", "Not imported: the file has problems"
        FAILED = "failed", "Not imported: the import stopped"

    FINISHED = (Status.DONE, Status.REJECTED, Status.FAILED)

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referral_import_jobs")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0, help_text="The file's size in bytes")
    content = models.BinaryField(blank=True, default=b"", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=10, blank=True, help_text="check, save or update, while running")
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0, help_text="Of those created or updated, how many moved on a stage")
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "-created_at"], name="referral_import_job_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "rejected", "failed"]),
                name="referral_import_job_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.provider.name}, {self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("referral_imports:job", kwargs={"pk": self.pk})

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED
