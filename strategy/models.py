"""Commissioning, provider accreditation, money and each area's record of the "10 ways".

Money is integer pence; a financial year is stored as the calendar year it starts in (2025 for
1 April 2025 to 31 March 2026). Statuses that follow from dates (a registration expiring, a
scorecard way met) are derived when asked, never stored."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from referrals.constants import TeamCategory
from rjportal.areas.models import PoliceArea
from rjportal.links import is_web_address, web_address_validator
from rjportal.organisations.models import Organisation
from rjportal.periods import FinancialYear

from .constants import AccreditationScheme, Channel, FundingSource, ObserverRole, Way, WayStatus
from .managers import AreaRecordQuerySet, BenefitRatioQuerySet, CommissionQuerySet, RegistrationQuerySet

# The years the portal accepts: well before RJ returns began (2019/20) and well after today.
FIRST_FINANCIAL_YEAR = 2010
LAST_FINANCIAL_YEAR = 2100


def _financial_year_in_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(financial_year__gte=FIRST_FINANCIAL_YEAR, financial_year__lte=LAST_FINANCIAL_YEAR), name=name
    )


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Commission(Timestamped):
    """A PCC office's contract with an RJ provider for one or more of the office's areas, and
    the service's public contact details (shown on the public "RJ in your area" page)."""

    commissioner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="commissions_awarded", help_text="The PCC office"
    )
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="commissions_held")
    areas = models.ManyToManyField(PoliceArea, related_name="commissions")
    starts_on = models.DateField("contract start date")
    ends_on = models.DateField("contract end date", null=True, blank=True)
    annual_value_pence = models.PositiveBigIntegerField("annual value (pence)", null=True, blank=True)
    service_name = models.CharField(max_length=200, blank=True, help_text="What the public knows the service as")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    web_page = models.URLField(max_length=500, blank=True, validators=[web_address_validator])
    how_to_ask = models.TextField(
        "how a victim can ask for RJ themselves", max_length=1000, blank=True, help_text="Shown to the public"
    )

    objects = CommissionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="commission_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(commissioner=F("provider")), name="commission_two_organisations"),
            models.CheckConstraint(condition=is_web_address("web_page"), name="commission_web_page_is_http"),
        ]

    def __str__(self):
        return f"{self.provider} for {self.commissioner} from {self.starts_on:%-d %B %Y}"

    @property
    def public_name(self):
        return self.service_name or self.provider.name


class ProviderRegistration(Timestamped):
    """One award of an accreditation to a provider. Providers renew, so a provider has a
    history of registrations; its status is read from the one that expires last."""

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="registrations")
    scheme = models.CharField(max_length=20, choices=AccreditationScheme.choices)
    awarded_on = models.DateField()
    expires_on = models.DateField()
    certificate_reference = models.CharField(max_length=100, blank=True)
    certificate_url = models.URLField(
        "certificate link", max_length=500, blank=True, validators=[web_address_validator]
    )
    evidence_note = models.TextField(max_length=1000, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["provider__name", "-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("awarded_on")), name="registration_expires_after_award"
            ),
            models.UniqueConstraint(fields=["provider", "scheme", "awarded_on"], name="one_registration_per_award"),
            models.CheckConstraint(condition=is_web_address("certificate_url"), name="registration_link_is_http"),
        ]

    def __str__(self):
        return f"{self.provider}: {self.get_scheme_display()} to {self.expires_on:%-d %B %Y}"


class AccreditationReminder(models.Model):
    """That the commissioning offices were told a registration expires in `days_before` days.
    The unique constraint is what makes the daily reminder command send each reminder once."""

    registration = models.ForeignKey(ProviderRegistration, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "days_before"], name="one_reminder_per_registration_step")
        ]

    def __str__(self):
        return f"{self.days_before}-day reminder for {self.registration}"


class AreaBudget(Timestamped):
    """An area's RJ budget for a financial year, and whether it is ringfenced (way 5)."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="rj_budgets")
    financial_year = models.PositiveSmallIntegerField(help_text="The year it starts: 2025 for 2025/26")
    amount_pence = models.PositiveBigIntegerField("budget (pence)")
    ringfenced = models.BooleanField()

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "financial_year"], name="one_budget_per_area_year"),
            _financial_year_in_range("budget_financial_year_in_range"),
        ]

    def __str__(self):
        return f"RJ budget for {self.area} in {self.year.label}"

    @property
    def year(self) -> FinancialYear:
        return FinancialYear(self.financial_year)


class BudgetFunding(models.Model):
    """How much of a budget comes from one source."""

    budget = models.ForeignKey(AreaBudget, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(max_length=20, choices=FundingSource.choices)
    amount_pence = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["budget", "source"]
        constraints = [models.UniqueConstraint(fields=["budget", "source"], name="one_amount_per_funding_source")]

    def __str__(self):
        return f"{self.get_source_display()} for {self.budget}"


class QuarterlySpend(Timestamped):
    """What an area spent on RJ in one quarter of a financial year."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="rj_spend")
    financial_year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(help_text="1 is April to June; 4 is January to March")
    amount_pence = models.PositiveBigIntegerField("spend (pence)")

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["area", "financial_year", "quarter"], name="one_spend_per_area_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="spend_quarter_1_to_4"),
            _financial_year_in_range("spend_financial_year_in_range"),
        ]

    def __str__(self):
        return f"RJ spend in {self.area}, {FinancialYear(self.financial_year).label} Q{self.quarter}"


class BenefitRatio(Timestamped):
    """Pounds of benefit estimated for every pound spent on RJ, with where the figure comes
    from. National administrators choose which one the portal uses; estimates name it."""

    label = models.CharField(max_length=100)
    pounds_per_pound = models.DecimalField(max_digits=6, decimal_places=2)
    citation = models.CharField(max_length=500)
    url = models.URLField("source link", max_length=500, blank=True, validators=[web_address_validator])
    in_use = models.BooleanField(default=False)

    objects = BenefitRatioQuerySet.as_manager()

    class Meta:
        ordering = ["-in_use", "-pounds_per_pound"]
        constraints = [
            models.UniqueConstraint(fields=["in_use"], condition=Q(in_use=True), name="one_benefit_ratio_in_use"),
            models.CheckConstraint(condition=Q(pounds_per_pound__gt=0), name="benefit_ratio_positive"),
            models.UniqueConstraint(Lower("label"), name="benefit_ratio_label_unique"),
            models.CheckConstraint(condition=is_web_address("url"), name="benefit_ratio_link_is_http"),
        ]

    def __str__(self):
        return f"{self.label} ({self.citation})"


class AreaStrategy(Timestamped):
    """The area's RJ strategy for a financial year (way 3)."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="rj_strategies")
    financial_year = models.PositiveSmallIntegerField()
    published_on = models.DateField()
    url = models.URLField("link", max_length=500, blank=True, validators=[web_address_validator])
    review_on = models.DateField("review date", null=True, blank=True)
    every_victim_informed = models.BooleanField("commits that every victim is told about RJ")

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-financial_year"]
        verbose_name_plural = "area strategies"
        constraints = [
            models.UniqueConstraint(fields=["area", "financial_year"], name="one_strategy_per_area_year"),
            models.CheckConstraint(
                condition=Q(review_on__isnull=True) | Q(review_on__gte=F("published_on")),
                name="strategy_reviewed_after_publication",
            ),
            models.CheckConstraint(condition=is_web_address("url"), name="strategy_link_is_http"),
            _financial_year_in_range("strategy_financial_year_in_range"),
        ]

    def __str__(self):
        return f"RJ strategy for {self.area}, {FinancialYear(self.financial_year).label}"


class TrainingRecord(Timestamped):
    """How many staff of one team category should understand RJ, and how many have been
    trained, as at a date (way 6)."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="rj_training")
    team_category = models.CharField(max_length=20, choices=TeamCategory.choices)
    as_at = models.DateField("as at")
    staff_in_scope = models.PositiveIntegerField()
    staff_trained = models.PositiveIntegerField()

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-as_at", "team_category"]
        constraints = [
            models.UniqueConstraint(fields=["area", "team_category", "as_at"], name="one_training_count_per_day"),
            models.CheckConstraint(
                condition=Q(staff_trained__lte=F("staff_in_scope")), name="trained_no_more_than_in_scope"
            ),
        ]

    def __str__(self):
        return f"Training in {self.area}: {self.get_team_category_display()} as at {self.as_at:%-d %B %Y}"

    @property
    def coverage(self) -> float | None:
        return self.staff_trained / self.staff_in_scope if self.staff_in_scope else None


class CommunicationsPlan(Timestamped):
    """The area's plan to tell the public and partners that RJ is available (way 7)."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="rj_communications_plans")
    published_on = models.DateField()
    url = models.URLField("link", max_length=500, blank=True, validators=[web_address_validator])

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-published_on"]
        constraints = [
            models.UniqueConstraint(fields=["area", "published_on"], name="one_communications_plan_per_day"),
            models.CheckConstraint(condition=is_web_address("url"), name="communications_plan_link_is_http"),
        ]

    def __str__(self):
        return f"Communications plan for {self.area}, {self.published_on:%-d %B %Y}"


class CommunicationsActivity(Timestamped):
    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="rj_communications")
    happened_on = models.DateField("date")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    audience = models.CharField(max_length=200)
    estimated_reach = models.PositiveIntegerField(null=True, blank=True)

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-happened_on", "-pk"]
        verbose_name_plural = "communications activities"

    def __str__(self):
        return f"{self.get_channel_display()} in {self.area}, {self.happened_on:%-d %B %Y}"


class CommunityRemedyDocument(Timestamped):
    """The Community Remedy document the area's PCC published (Anti-social Behaviour, Crime
    and Policing Act 2014, s.101); the newest is the current one (way 9)."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="community_remedies")
    published_on = models.DateField()
    url = models.URLField("link", max_length=500, blank=True, validators=[web_address_validator])
    includes_rj = models.BooleanField("includes restorative justice")

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-published_on"]
        constraints = [
            models.UniqueConstraint(fields=["area", "published_on"], name="one_community_remedy_per_day"),
            models.CheckConstraint(condition=is_web_address("url"), name="community_remedy_link_is_http"),
        ]

    def __str__(self):
        return f"Community Remedy for {self.area}, {self.published_on:%-d %B %Y}"


class Observation(Timestamped):
    """A day on which the area's elected leader (or deputy) observed an RJ process (way 10).
    The note must not identify anyone; the form says so."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="rj_observations")
    observed_on = models.DateField()
    observer_role = models.CharField(max_length=10, choices=ObserverRole.choices)
    note = models.CharField(max_length=500, blank=True)

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-observed_on", "-pk"]

    def __str__(self):
        return f"Observation in {self.area}, {self.observed_on:%-d %B %Y}"


class WayAssessment(Timestamped):
    """A status that staff record for one way in one year, with their evidence, where the
    portal holds no data to work it out from."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="way_assessments")
    financial_year = models.PositiveSmallIntegerField()
    way = models.CharField(max_length=20, choices=Way.choices)
    status = models.CharField(max_length=12, choices=WayStatus.choices)
    evidence = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "-financial_year", "way"]
        constraints = [
            models.UniqueConstraint(fields=["area", "financial_year", "way"], name="one_assessment_per_area_year_way"),
            _financial_year_in_range("assessment_financial_year_in_range"),
        ]

    def __str__(self):
        return f"{self.get_way_display()} in {self.area}, {FinancialYear(self.financial_year).label}"
