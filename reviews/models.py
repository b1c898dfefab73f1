"""Case reviews (dip samples of cases, way 8), the quarterly return signed off by a PCC office,
and the actions that come out of gaps, dip samples and the scorecard.

No case holds a name, an address, a date of birth or a description: a case is the police's crime
reference, its offence group, the day it was reported and three yes/no flags."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from referrals.constants import REFERRAL_OFFENCE_GROUPS
from rjportal.areas.models import PoliceArea

from .constants import (
    SCORECARD_WAYS,
    ActionPrompt,
    ActionStatus,
    DipSampleStatus,
    EvidenceSource,
    Offered,
    PopulationSource,
)
from .managers import ActionQuerySet, AreaScopedQuerySet, DipSampleCaseQuerySet, DipSampleQuerySet

OFFENCE_GROUP_CHOICES = [(offence.value, offence.label) for offence in REFERRAL_OFFENCE_GROUPS]


class DipSample(models.Model):
    """One dip sample: its population (the cases it draws from), the design it was drawn with
    (sample size, minimum per flagged stratum, strata, seed) and its progress."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="dip_samples")
    title = models.CharField(max_length=120)
    source = models.CharField(max_length=10, choices=PopulationSource.choices)
    filename = models.CharField(max_length=255, blank=True)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=DipSampleStatus.choices, default=DipSampleStatus.POPULATION)
    by_offence_group = models.BooleanField("strata include the offence group", default=False)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    minimum_per_flagged_stratum = models.PositiveIntegerField(null=True, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = DipSampleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DipSampleStatus.POPULATION)
                | Q(sample_size__gte=1, seed__isnull=False, minimum_per_flagged_stratum__isnull=False),
                name="dip_sample_drawn_has_design",
            ),
            models.CheckConstraint(
                condition=Q(status=DipSampleStatus.COMPLETED, completed_at__isnull=False)
                | (~Q(status=DipSampleStatus.COMPLETED) & Q(completed_at__isnull=True)),
                name="dip_sample_completed_when_dated",
            ),
            models.CheckConstraint(
                condition=Q(source=PopulationSource.REGISTER)
                | Q(window_start__isnull=False, window_end__gte=F("window_start")),
                name="dip_sample_referral_window_in_order",
            ),
            models.CheckConstraint(
                condition=Q(seed__isnull=True) | Q(seed__gte=0), name="dip_sample_seed_not_negative"
            ),
        ]

    def __str__(self):
        return f"Dip sample '{self.title}' in {self.area}"

    @property
    def is_drawn(self) -> bool:
        return self.status != DipSampleStatus.POPULATION


class DipSampleCase(models.Model):
    """One case of a dip sample's population; `selected` when the draw picked it, and then its
    review: was the victim offered RJ, where the evidence was found, and was the case referred."""

    sample = models.ForeignKey(DipSample, on_delete=models.CASCADE, related_name="cases")
    crime_reference = models.CharField(max_length=60)
    offence_group = models.CharField(max_length=50, choices=OFFENCE_GROUP_CHOICES)
    reported_on = models.DateField()
    hate_crime = models.BooleanField()
    domestic_abuse = models.BooleanField()
    sexual_harm = models.BooleanField()
    stratum = models.CharField(max_length=80, blank=True)
    selected = models.BooleanField(default=False)
    offered = models.CharField("victim offered RJ", max_length=12, choices=Offered.choices, blank=True)
    evidence_source = models.CharField(max_length=30, choices=EvidenceSource.choices, blank=True)
    evidence_other = models.CharField("other source", max_length=100, blank=True)
    referred = models.BooleanField("case then referred to an RJ provider", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = DipSampleCaseQuerySet.as_manager()

    class Meta:
        ordering = ["sample", "crime_reference"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "crime_reference"], name="one_case_per_reference_per_sample"),
            models.CheckConstraint(condition=Q(offered="") | Q(selected=True), name="only_sampled_cases_are_reviewed"),
            models.CheckConstraint(
                condition=(
                    Q(offered="") & Q(reviewed_at__isnull=True) & Q(evidence_source="") & Q(referred__isnull=True)
                )
                | (~Q(offered="") & Q(reviewed_at__isnull=False) & ~Q(evidence_source="") & Q(referred__isnull=False)),
                name="review_is_whole",
            ),
            models.CheckConstraint(
                condition=Q(evidence_source=EvidenceSource.OTHER, evidence_other__gt="")
                | (~Q(evidence_source=EvidenceSource.OTHER) & Q(evidence_other="")),
                name="other_evidence_named",
            ),
        ]
        indexes = [models.Index(fields=["sample", "selected", "stratum"])]

    def __str__(self):
        return f"Case {self.crime_reference}"

    @property
    def is_reviewed(self) -> bool:
        return bool(self.offered)

    @property
    def evidence_label(self) -> str:
        if self.evidence_source == EvidenceSource.OTHER:
            return f"Other: {self.evidence_other}"
        return self.get_evidence_source_display()


class ReturnSignOffQuerySet(AreaScopedQuerySet):
    def latest_for(self, area, financial_year: int, quarter: int):
        return self.filter(area=area, financial_year=financial_year, quarter=quarter).order_by("-signed_at").first()


class ReturnSignOff(models.Model):
    """A PCC office member's sign-off of one quarter of the Ministry of Justice return, with the
    figures as they were. Never changed once made: a later sign-off of the same quarter is a new
    row, and the page shows the newest."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="return_sign_offs")
    financial_year = models.PositiveSmallIntegerField(help_text="The year it starts: 2025 for 2025/26")
    quarter = models.PositiveSmallIntegerField()
    referrals = models.PositiveIntegerField()
    victims_supported = models.PositiveIntegerField()
    spend_pence = models.PositiveBigIntegerField(
        "spend (pence)", null=True, blank=True, help_text="The quarter's RJ spend at sign-off; empty if not recorded"
    )
    checks = models.JSONField(default=dict, help_text="The completeness checks' counts at sign-off")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_by_email = models.EmailField()
    signed_at = models.DateTimeField()

    objects = ReturnSignOffQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-financial_year", "quarter", "-signed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="sign_off_quarter_1_to_4"),
            models.CheckConstraint(
                condition=Q(victims_supported__lte=F("referrals")), name="sign_off_supported_within_referrals"
            ),
            models.UniqueConstraint(
                fields=["area", "financial_year", "quarter", "signed_at"], name="one_sign_off_per_quarter_instant"
            ),
        ]

    def __str__(self):
        return f"Return for {self.area}, {self.financial_year}/{(self.financial_year + 1) % 100:02d} Q{self.quarter}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A signed-off return is never changed: sign it off again instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A signed-off return is never deleted.")


class Action(models.Model):
    """Something the office will do about a gap, a dip sample or a scorecard way."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="review_actions")
    what = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_actions")
    due_on = models.DateField("due date")
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    prompt = models.CharField("what prompted it", max_length=12, choices=ActionPrompt.choices)
    gap = models.CharField(max_length=80, blank=True, help_text="'offence_group:<code>' or 'team_category:<code>'")
    dip_sample = models.ForeignKey(DipSample, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    way = models.CharField("scorecard way", max_length=20, choices=SCORECARD_WAYS, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(prompt=ActionPrompt.GAP, gap__gt="", dip_sample__isnull=True, way="")
                | Q(prompt=ActionPrompt.DIP_SAMPLE, gap="", dip_sample__isnull=False, way="")
                | Q(prompt=ActionPrompt.SCORECARD, gap="", dip_sample__isnull=True, way__gt=""),
                name="action_has_one_prompt",
            ),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_known"),
        ]

    def __str__(self):
        return f"Action in {self.area}: {self.what[:60]}"
