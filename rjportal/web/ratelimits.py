"""Rate limits that hold when requests arrive at the same moment.

Counting recent uses and then recording a new one is two steps; two requests that both count
before either records would both pass the last free place. So each action first locks its
keys (`lock_keys`, a row lock held until the transaction ends, taken in a fixed order so that
two requests never wait for each other), and only then counts and records. On PostgreSQL the
count, a new statement after the lock is granted, sees every use committed before it. SQLite
runs one writing transaction at a time anyway.

`rate_limits_take` is the whole mechanism for an action that keeps its uses here (password
reset requests); the pledge signup keeps its own records (pledges.SignupAttempt) and uses
`lock_keys` around its count."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateLimitLock, RateLimitUse

STRIPES = 4096


def keyed_hash(kind: str, value: str) -> str:
    """A keyed (HMAC) hash, so a stored address or email cannot be recovered by guessing."""
    return salted_hmac(f"ratelimits.{kind}", (value or "").strip().lower(), algorithm="sha256").hexdigest()


def _stripe(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % STRIPES


def lock_keys(*keys: str) -> None:
    """Wait for, and hold until the current transaction ends, the lock of each key."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_keys holds its locks until the transaction ends: call it inside one.")
    for stripe in sorted({_stripe(key) for key in keys}):
        RateLimitLock.objects.get_or_create(stripe=stripe)
        RateLimitLock.objects.select_for_update().get(stripe=stripe)


@dataclass(frozen=True)
class Limit:
    key: str  # a keyed_hash of what is limited, with its kind
    most: int  # uses allowed within the window
    window: timedelta


def rate_limits_take(*limits: Limit) -> Limit | None:
    """Record one use under every limit, unless one of them is used up already: then record
    nothing and return the first used-up limit. Atomic: of N simultaneous requests under a
    limit of M, exactly M pass."""
    with transaction.atomic():
        lock_keys(*(limit.key for limit in limits))
        now = timezone.now()
        for limit in limits:
            if RateLimitUse.objects.filter(key=limit.key, created_at__gt=now - limit.window).count() >= limit.most:
                return limit
        RateLimitUse.objects.bulk_create(
            RateLimitUse(key=limit.key, created_at=now, expires_at=now + limit.window) for limit in limits
        )
    _tidy(now)
    return None


def _tidy(now) -> None:
    """Delete uses whose window has ended. Best effort: if another request is tidying at the
    same moment, the rows go next time."""
    try:
        with transaction.atomic():
            RateLimitUse.objects.filter(expires_at__lte=now).delete()
    except DatabaseError:
        pass
