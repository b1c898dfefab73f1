"""Forms for an area's money, its other 10-ways records, the scorecard and the benefit ratio."""

from decimal import Decimal

from django import forms

from referrals.constants import TeamCategory
from rjportal.forms import DateField, PoundsField, WebAddressField, gds_helper
from rjportal.periods import FinancialYear

from .constants import NO_PERSONAL_DATA_HINT, Channel, FundingSource, ObserverRole, WayStatus
from .models import BenefitRatio

YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no_field(label: str, *, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    field = forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
    )
    field.error_messages["required"] = required_message
    return field


def date_field(label: str, *, noun: str, required: bool = True, help_text: str = "") -> DateField:
    field = DateField(label=label, required=required, help_text=help_text or "For example, 27 3 2026")
    field.error_messages.update(
        {
            "required": f"Enter {noun}",
            "incomplete": f"Enter {noun} as a day, month and year",
            "invalid": f"Enter {noun} as a real date",
        }
    )
    return field


def whole_number_field(label: str, *, noun: str, required: bool = True, help_text: str = "") -> forms.IntegerField:
    field = forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=10_000_000,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-10"}),
    )
    field.error_messages.update(
        {
            "required": f"Enter {noun}",
            "invalid": f"Enter {noun} as a whole number, like 120",
            "min_value": f"{noun[:1].upper()}{noun[1:]} must be 0 or more",
            "max_value": f"{noun[:1].upper()}{noun[1:]} must be 10,000,000 or fewer",
        }
    )
    return field


def web_address_field(label: str) -> WebAddressField:
    return WebAddressField(label=label, required=False, help_text="A web address starting https://")


class BudgetForm(forms.Form):
    amount_pence = PoundsField(label="RJ budget for the year, in pounds", noun="the budget")
    ringfenced = yes_no_field(
        "Is the budget ringfenced?",
        required_message="Select yes if the budget is ringfenced",
        help_text="Ringfenced money can be spent only on restorative justice.",
    )

    def __init__(self, *args, year: FinancialYear, **kwargs):
        super().__init__(*args, **kwargs)
        for source in FundingSource:
            self.fields[f"funding_{source.value}"] = PoundsField(
                label=f"{source.label} (optional)",
                noun=f"the amount from the {source.label}" if source != FundingSource.OTHER else "the other funding",
                required=False,
            )
        self.helper = gds_helper(self, "Save budget")
        self.year = year

    def funding(self) -> dict:
        return {source.value: self.cleaned_data.get(f"funding_{source.value}") for source in FundingSource}


class SpendForm(forms.Form):
    """Spend in each quarter that has begun (later quarters are not asked)."""

    def __init__(self, *args, year: FinancialYear, open_quarters: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        for number in open_quarters:
            period = year.quarter(number)
            self.fields[f"quarter_{number}"] = PoundsField(
                label=f"Quarter {number}: {period.start:%-d %B} to {period.end:%-d %B %Y} (optional)",
                noun=f"the spend in quarter {number}",
                required=False,
            )
        self.open_quarters = open_quarters
        self.helper = gds_helper(self, "Save spend")

    def amounts(self) -> dict[int, int | None]:
        return {number: self.cleaned_data.get(f"quarter_{number}") for number in self.open_quarters}


class StrategyDocumentForm(forms.Form):
    financial_year = forms.TypedChoiceField(label="Financial year", coerce=int)
    published_on = date_field("Date it was published", noun="the date the strategy was published")
    url = web_address_field("Link to the strategy (optional)")
    review_on = date_field("Review date (optional)", noun="the review date", required=False)
    every_victim_informed = yes_no_field(
        "Does the strategy commit that every victim is told about RJ?",
        required_message="Select yes if the strategy commits that every victim is told about RJ",
    )

    def __init__(self, *args, years: list[FinancialYear], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(year.start_year, year.label) for year in years]
        self.fields["financial_year"].error_messages.update(
            {"required": "Select the financial year", "invalid_choice": "Select one of the financial years shown"}
        )


class TrainingForm(forms.Form):
    team_category = forms.ChoiceField(label="Team category", choices=[("", "Select a category"), *TeamCategory.choices])
    as_at = date_field("Figures as at", noun="the date of the figures")
    staff_in_scope = whole_number_field(
        "Staff in scope",
        noun="the number of staff in scope",
        help_text="Officers or staff in this category who meet victims and should know how to refer them to RJ.",
    )
    staff_trained = whole_number_field("Staff trained", noun="the number of staff trained")

    def __init__(self, *args, team_staff: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team_category"].error_messages.update(
            {"required": "Select the team category", "invalid_choice": "Select the team category"}
        )
        if team_staff:
            known = "; ".join(
                f"{TeamCategory(category).label} {count:,}" for category, count in sorted(team_staff.items())
            )
            self.fields["staff_in_scope"].help_text += f" Your referring teams' staff counts: {known}."


class CommunicationsPlanForm(forms.Form):
    published_on = date_field("Date of the plan", noun="the date of the plan")
    url = web_address_field("Link to the plan (optional)")


class CommunicationsActivityForm(forms.Form):
    happened_on = date_field("Date of the activity", noun="the date of the activity")
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices, widget=forms.RadioSelect)
    audience = forms.CharField(
        label="Audience", max_length=200, help_text="For example: victims of crime in Medway, or police call handlers"
    )
    estimated_reach = whole_number_field(
        "Estimated reach (optional)", noun="the estimated reach", required=False, help_text="How many people it reached"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].error_messages.update({"required": "Select the channel"})
        self.fields["audience"].error_messages.update(
            {"required": "Enter the audience", "max_length": "The audience must be 200 characters or fewer"}
        )


class CommunityRemedyForm(forms.Form):
    published_on = date_field("Date it was published", noun="the date the Community Remedy was published")
    url = web_address_field("Link to the Community Remedy document (optional)")
    includes_rj = yes_no_field(
        "Does it include restorative justice?", required_message="Select yes if the Community Remedy includes RJ"
    )


class ObservationForm(forms.Form):
    observed_on = date_field("Date of the observation", noun="the date of the observation")
    observer_role = forms.ChoiceField(label="Who observed", choices=ObserverRole.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_PERSONAL_DATA_HINT,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observer_role"].error_messages.update({"required": "Select who observed"})
        self.fields["note"].error_messages.update({"max_length": "The note must be 500 characters or fewer"})


class WayAssessmentForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=WayStatus.choices, widget=forms.RadioSelect)
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"What shows this status: a document, a date, a decision. {NO_PERSONAL_DATA_HINT}",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages.update({"required": "Select a status"})
        self.fields["evidence"].error_messages.update({"max_length": "The evidence must be 2,000 characters or fewer"})
        self.helper = gds_helper(self, "Save status")


class BenefitRatioChoiceForm(forms.Form):
    ratio = forms.ModelChoiceField(
        label="Ratio used for estimates of benefit", queryset=None, widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, ratios, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ratio"].queryset = ratios
        self.fields["ratio"].label_from_instance = lambda ratio: f"{ratio.label}: {ratio.citation}"
        self.fields["ratio"].error_messages.update(
            {"required": "Select a ratio", "invalid_choice": "Select one of the ratios shown"}
        )
        self.helper = gds_helper(self, "Use this ratio")


class BenefitRatioForm(forms.Form):
    label = forms.CharField(label="Name", max_length=100, help_text="For example: £7 for every £1 spent")
    pounds_per_pound = forms.DecimalField(
        label="Pounds of benefit for every £1 spent",
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-5"}),
    )
    citation = forms.CharField(label="Source", max_length=500, help_text="The study or briefing the figure comes from")
    url = web_address_field("Link to the source (optional)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].error_messages.update(
            {"required": "Enter a name for the ratio", "max_length": "The name must be 100 characters or fewer"}
        )
        self.fields["pounds_per_pound"].error_messages.update(
            {
                "required": "Enter the pounds of benefit for every £1 spent",
                "invalid": "Enter the pounds of benefit for every £1 as a number, like 9 or 8.50",
                "max_digits": "Enter a number below 10,000",
                "max_decimal_places": "Enter the ratio to at most 2 decimal places",
                "max_whole_digits": "Enter a number below 10,000",
                "min_value": "The benefit for every £1 must be more than £0",
            }
        )
        self.fields["citation"].error_messages.update(
            {"required": "Enter the source of the figure", "max_length": "The source must be 500 characters or fewer"}
        )
        self.helper = gds_helper(self, "Add ratio")

    def clean_label(self):
        # The service checks this too; asking here shows it beside the form's other problems.
        label = self.cleaned_data["label"].strip()
        if BenefitRatio.objects.filter(label__iexact=label).exists():
            raise forms.ValidationError(f"There is already a ratio called {label}")
        return label
