from django import forms
from django.utils import timezone

from referrals.constants import REFERRAL_OFFENCE_GROUPS, Initiator, JusticeStage
from referrals.selectors import ReferralScope
from rjportal.forms import gds_helper
from rjportal.periods import FinancialYear, financial_year_of

YEARS_SHOWN = 5


def _any(label, choices):
    return [("", label), *choices]


class DashboardFilterForm(forms.Form):
    """Period and narrowing filters shared by the area dashboard, the national view and their
    exports, so a chart and its download always count the same referrals."""

    year = forms.TypedChoiceField(label="Financial year", coerce=int)
    quarter = forms.TypedChoiceField(
        label="Quarter",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Whole year"), (1, "Q1 (April to June)"), (2, "Q2 (July to September)"),
                 (3, "Q3 (October to December)"), (4, "Q4 (January to March)")],
    )  # fmt: skip
    offence_group = forms.ChoiceField(
        label="Offence group",
        required=False,
        choices=_any("All offence groups", [(o.value, o.label) for o in REFERRAL_OFFENCE_GROUPS]),
    )
    justice_stage = forms.ChoiceField(
        label="Criminal justice stage", required=False, choices=_any("All stages", JusticeStage.choices)
    )
    initiator = forms.ChoiceField(label="Initiated by", required=False, choices=_any("Anyone", Initiator.choices))

    def __init__(self, data=None, **kwargs):
        current = financial_year_of(timezone.localdate())
        self.current_year = current
        years = [FinancialYear(current.start_year - offset) for offset in range(YEARS_SHOWN)]
        if data is not None and "year" not in data:
            data = {**data.dict(), "year": current.start_year}
        super().__init__(data if data is not None else {"year": current.start_year}, **kwargs)
        self.fields["year"].choices = [(year.start_year, year.label) for year in years]
        self.helper = gds_helper(self, "Show figures", method="get", secondary=True)

    def scope(self) -> ReferralScope:
        """The chosen referrals; an invalid choice falls back to the current financial year."""
        data = self.cleaned_data if self.is_valid() else {}
        year = FinancialYear(data.get("year") or self.current_year.start_year)
        quarter = data.get("quarter")
        return ReferralScope(
            period=year.quarter(quarter) if quarter else year.period,
            offence_group=data.get("offence_group", ""),
            justice_stage=data.get("justice_stage", ""),
            initiator=data.get("initiator", ""),
        )

    def financial_year(self) -> FinancialYear:
        data = self.cleaned_data if self.is_valid() else {}
        return FinancialYear(data.get("year") or self.current_year.start_year)
