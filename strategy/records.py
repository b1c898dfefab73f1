"""The area's other 10-ways records (strategy, training, communications, Community Remedy,
observations) share one set of pages: a list, add, change and delete. Each kind says here what
it is called, which form it uses and what its list shows."""

from collections.abc import Callable
from dataclasses import dataclass, field

from rjportal.periods import FinancialYear

from . import forms
from .constants import Way
from .models import (
    AreaStrategy,
    CommunicationsActivity,
    CommunicationsPlan,
    CommunityRemedyDocument,
    Observation,
    TrainingRecord,
)


def _day(value):
    return f"{value:%-d %B %Y}" if value else ""


def _yes_no(value):
    return "Yes" if value else "No"


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable
    numeric: bool = False
    is_link: bool = False


@dataclass(frozen=True)
class RecordKind:
    slug: str
    model: type
    form_class: type
    singular: str  # "an RJ strategy": used in "Add an RJ strategy"
    title: str  # "RJ strategies": the list page's heading
    way: Way
    columns: list[Column]
    intro: str
    order: list[str] = field(default_factory=list)
    warning: str = ""

    @property
    def noun(self) -> str:
        return self.singular.split(" ", 1)[1]


RECORD_KINDS = {
    kind.slug: kind
    for kind in [
        RecordKind(
            slug="strategies",
            model=AreaStrategy,
            form_class=forms.StrategyDocumentForm,
            singular="an RJ strategy",
            title="RJ strategies",
            way=Way.STRATEGY,
            intro="The area's restorative justice strategy for each financial year, and whether it commits that "
            "every victim is told about RJ.",
            columns=[
                Column("Financial year", lambda record: FinancialYear(record.financial_year).label),
                Column("Published", lambda record: _day(record.published_on)),
                Column("Review date", lambda record: _day(record.review_on) or "None set"),
                Column("Every victim told about RJ", lambda record: _yes_no(record.every_victim_informed)),
                Column("Link", lambda record: record.url, is_link=True),
            ],
            order=["-financial_year"],
        ),
        RecordKind(
            slug="training",
            model=TrainingRecord,
            form_class=forms.TrainingForm,
            singular="a training count",
            title="Training",
            way=Way.TRAINING,
            intro="How many staff in each team category should understand RJ and how to refer victims, and how "
            "many have been trained, as at a date. The scorecard uses the latest figures for each category.",
            columns=[
                Column("As at", lambda record: _day(record.as_at)),
                Column("Team category", lambda record: record.get_team_category_display()),
                Column("Staff in scope", lambda record: record.staff_in_scope, numeric=True),
                Column("Staff trained", lambda record: record.staff_trained, numeric=True),
                Column(
                    "Coverage (%)",
                    lambda record: round(record.coverage * 100) if record.coverage is not None else "",
                    numeric=True,
                ),
            ],
            order=["-as_at", "team_category"],
        ),
        RecordKind(
            slug="communications-plans",
            model=CommunicationsPlan,
            form_class=forms.CommunicationsPlanForm,
            singular="a communications plan",
            title="Communications plans",
            way=Way.COMMUNICATIONS,
            intro="The area's plan to tell the public and partners that RJ is available.",
            columns=[
                Column("Date", lambda record: _day(record.published_on)),
                Column("Link", lambda record: record.url, is_link=True),
            ],
            order=["-published_on"],
        ),
        RecordKind(
            slug="communications",
            model=CommunicationsActivity,
            form_class=forms.CommunicationsActivityForm,
            singular="a communications activity",
            title="Communications activities",
            way=Way.COMMUNICATIONS,
            intro="Each time the area told the public or partners about RJ: the channel, who it was for and about "
            "how many people it reached.",
            columns=[
                Column("Date", lambda record: _day(record.happened_on)),
                Column("Channel", lambda record: record.get_channel_display()),
                Column("Audience", lambda record: record.audience),
                Column(
                    "Estimated reach",
                    lambda record: record.estimated_reach if record.estimated_reach is not None else "",
                    numeric=True,
                ),
            ],
            order=["-happened_on", "-pk"],
        ),
        RecordKind(
            slug="community-remedy",
            model=CommunityRemedyDocument,
            form_class=forms.CommunityRemedyForm,
            singular="a Community Remedy document",
            title="Community Remedy",
            way=Way.COMMUNITY_REMEDY,
            intro="The Community Remedy document the PCC publishes (Anti-social Behaviour, Crime and Policing Act "
            "2014, section 101) lists the actions offered out of court. The newest one is the current one.",
            columns=[
                Column("Published", lambda record: _day(record.published_on)),
                Column("Includes RJ", lambda record: _yes_no(record.includes_rj)),
                Column("Link", lambda record: record.url, is_link=True),
            ],
            order=["-published_on"],
        ),
        RecordKind(
            slug="observations",
            model=Observation,
            form_class=forms.ObservationForm,
            singular="an observation",
            title="Observations of RJ",
            way=Way.OBSERVATION,
            intro="The days on which the PCC (or mayor, or a deputy) observed an RJ process first hand.",
            columns=[
                Column("Date", lambda record: _day(record.observed_on)),
                Column("Who observed", lambda record: record.get_observer_role_display()),
                Column("Note", lambda record: record.note),
            ],
            order=["-observed_on", "-pk"],
            warning="Do not record names or anything else that could identify a victim, an offender or anyone "
            "else taking part.",
        ),
    ]
}
