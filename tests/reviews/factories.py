"""Factories for case reviews: a population of cases built from counts per flag combination."""

from datetime import date

from reviews.models import DipSample, DipSampleCase
from tests.factories import KENT, area


def make_population(sample: DipSample, counts: dict[str, int], *, offence_group="theft_offences", prefix="KT"):
    """`counts` maps a stratum key ('none', 'hate_crime', 'domestic_abuse+sexual_harm') to a
    number of cases; each gets a reference like KT/domestic_abuse/0007."""
    cases = []
    for key, count in counts.items():
        flags = set(key.split("+")) - {"none"}
        for number in range(count):
            cases.append(
                DipSampleCase(
                    sample=sample,
                    crime_reference=f"{prefix}/{key}/{number:04d}",
                    offence_group=offence_group,
                    reported_on=date(2026, 1, 5),
                    hate_crime="hate_crime" in flags,
                    domestic_abuse="domestic_abuse" in flags,
                    sexual_harm="sexual_harm" in flags,
                )
            )
    DipSampleCase.objects.bulk_create(cases)
    return cases


def dip_sample(counts: dict[str, int] | None = None, *, area_code=KENT, title="January cases", **values) -> DipSample:
    sample = DipSample.objects.create(area=area(area_code), title=title, source="register", filename="x.csv", **values)
    make_population(sample, counts or {"none": 60, "hate_crime": 5, "domestic_abuse": 20, "sexual_harm": 8})
    return sample
