"""Financial years (1 April to 31 March) and their quarters: the periods every report uses."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    def same_period_last_year(self) -> "Period":
        return Period(_year_earlier(self.start), _year_earlier(self.end), f"{self.label}, a year earlier")

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class FinancialYear:
    start_year: int  # 2025 means 1 April 2025 to 31 March 2026

    @property
    def label(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    @property
    def period(self) -> Period:
        return Period(date(self.start_year, 4, 1), date(self.start_year + 1, 3, 31), self.label)

    def quarter(self, number: int) -> Period:
        """Quarter 1 is April to June; quarter 4 is January to March."""
        if number not in (1, 2, 3, 4):
            raise ValueError("A financial year has quarters 1 to 4.")
        starts = [(self.start_year, 4), (self.start_year, 7), (self.start_year, 10), (self.start_year + 1, 1)]
        ends = [
            (self.start_year, 6, 30),
            (self.start_year, 9, 30),
            (self.start_year, 12, 31),
            (self.start_year + 1, 3, 31),
        ]
        year, month = starts[number - 1]
        return Period(date(year, month, 1), date(*ends[number - 1]), f"{self.label} Q{number}")

    def quarters(self) -> list[Period]:
        return [self.quarter(number) for number in (1, 2, 3, 4)]

    def previous(self) -> "FinancialYear":
        return FinancialYear(self.start_year - 1)


def financial_year_of(day: date) -> FinancialYear:
    return FinancialYear(day.year if day.month >= 4 else day.year - 1)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when that month is shorter)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))
