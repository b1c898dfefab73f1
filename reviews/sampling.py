"""The sample design and the draw: strata from the flags (and the offence group, if chosen),
proportional allocation with minimums, and a stratified simple random sample without
replacement from a recorded seed. Pure functions: the same population, settings and seed
always give the same cases."""

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from django.core.exceptions import ValidationError

from referrals.constants import REFERRAL_OFFENCE_GROUPS

from .constants import FLAGS

NO_FLAGS = "none"
OFFENCE_LABELS = {offence.value: offence.label for offence in REFERRAL_OFFENCE_GROUPS}


def stratum_key(case, *, by_offence_group: bool) -> str:
    """'hate_crime+sexual_harm', 'none', or with the offence group: 'none|theft'."""
    flags = "+".join(name for name, _label in FLAGS if getattr(case, name)) or NO_FLAGS
    return f"{flags}|{case.offence_group}" if by_offence_group else flags


def stratum_label(key: str) -> str:
    flags, _bar, offence = key.partition("|")
    labels = dict(FLAGS)
    text = " and ".join(labels[name] for name in flags.split("+")) if flags != NO_FLAGS else "No flags"
    return f"{text}, {OFFENCE_LABELS.get(offence, offence)}" if offence else text


def is_flagged(key: str) -> bool:
    return not key.startswith(NO_FLAGS)


@dataclass(frozen=True)
class Stratum:
    key: str
    population: int
    sample: int

    @property
    def label(self) -> str:
        return stratum_label(self.key)

    @property
    def flagged(self) -> bool:
        return is_flagged(self.key)

    @property
    def fraction(self) -> float:
        return self.sample / self.population

    @property
    def weight(self) -> float:
        """How many population cases each sampled case stands for."""
        return self.population / self.sample


def _largest_remainder(shares: dict[str, Fraction], total: int) -> dict[str, int]:
    whole = {key: int(share) for key, share in shares.items()}
    left = total - sum(whole.values())
    by_remainder = sorted(shares, key=lambda key: (-(shares[key] - whole[key]), key))
    for key in by_remainder[:left]:
        whole[key] += 1
    return whole


def allocate(populations: dict[str, int], *, sample_size: int, minimum: int) -> list[Stratum]:
    """Sample sizes per stratum. Raises ValidationError (on 'sample_size' or
    'minimum_per_flagged_stratum') where the settings cannot be met."""
    total = sum(populations.values())
    if sample_size < 1:
        raise ValidationError({"sample_size": "The sample size must be 1 or more"})
    if sample_size > total:
        raise ValidationError(
            {"sample_size": f"The sample size ({sample_size:,}) is larger than the population ({total:,} cases)"}
        )
    floors = {}
    for key, size in sorted(populations.items()):
        if is_flagged(key):
            if minimum > size:
                raise ValidationError(
                    {
                        "minimum_per_flagged_stratum": f"The minimum ({minimum:,}) is larger than the stratum "
                        f"'{stratum_label(key)}', which has {size:,} case{'s' if size != 1 else ''}. Enter "
                        f"{min(populations[k] for k in populations if is_flagged(k)):,} or fewer"
                    }
                )
            floors[key] = max(minimum, 1)
        else:
            floors[key] = 1
    if sum(floors.values()) > sample_size:
        raise ValidationError(
            {
                "sample_size": f"The sample size must be at least {sum(floors.values()):,}: every flagged stratum "
                f"needs its minimum and every other stratum at least 1 case"
            }
        )
    fixed: dict[str, int] = {}
    while True:
        rest = [key for key in populations if key not in fixed]
        budget = sample_size - sum(fixed.values())
        rest_population = sum(populations[key] for key in rest)
        shares = {key: Fraction(budget * populations[key], rest_population) for key in rest}
        short = [key for key in rest if shares[key] < floors[key]]
        if not short:
            break
        for key in short:
            fixed[key] = floors[key]
    allocation = {**fixed, **_largest_remainder(shares, budget)}
    return [Stratum(key, populations[key], allocation[key]) for key in sorted(populations)]


def draw(cases, strata: list[Stratum], *, seed: int, by_offence_group: bool) -> dict[str, list]:
    """The cases drawn in each stratum. Cases are sorted by crime reference within each stratum
    and strata taken in key order, so the draw depends only on the population, settings and seed."""
    members: dict[str, list] = {stratum.key: [] for stratum in strata}
    for case in cases:
        members[stratum_key(case, by_offence_group=by_offence_group)].append(case)
    generator = np.random.default_rng(seed)
    drawn = {}
    for stratum in strata:
        pool = sorted(members[stratum.key], key=lambda case: case.crime_reference)
        picks = generator.choice(len(pool), size=stratum.sample, replace=False)
        drawn[stratum.key] = [pool[int(index)] for index in sorted(picks)]
    return drawn


def populations_of(cases, *, by_offence_group: bool) -> dict[str, int]:
    return dict(Counter(stratum_key(case, by_offence_group=by_offence_group) for case in cases))
