"""Email verification links: signed, expiring and single-use.

A token signs the pledge's id and its current verification nonce with a timestamp. Confirming
the pledge empties the nonce and a repeat signup replaces it, so a used or superseded link no
longer matches; the signature stops tampering and the timestamp gives the expiry
(setting PLEDGE_VERIFICATION_MAX_AGE, in seconds, default 3 days)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from .constants import DEFAULT_VERIFICATION_MAX_AGE, PledgeStatus
from .models import Pledge

SALT = "pledges.verification"


def verification_max_age() -> int:
    return getattr(settings, "PLEDGE_VERIFICATION_MAX_AGE", DEFAULT_VERIFICATION_MAX_AGE)


def new_nonce() -> str:
    return secrets.token_hex(16)


def make_token(pledge: Pledge) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"p": pledge.pk, "n": pledge.verification_nonce})


class InvalidToken(Exception):
    """Why a link cannot confirm a pledge; `reason` picks the page the signer sees."""

    TAMPERED = "tampered"
    EXPIRED = "expired"
    USED = "used"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class TokenPayload:
    pledge_id: int
    nonce: str


def read_token(token: str) -> TokenPayload:
    """The payload of a genuine, unexpired token, or InvalidToken."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=verification_max_age())
    except signing.SignatureExpired:
        raise InvalidToken(InvalidToken.EXPIRED) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidToken(InvalidToken.TAMPERED) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int) or not isinstance(payload.get("n"), str):
        raise InvalidToken(InvalidToken.TAMPERED)
    return TokenPayload(pledge_id=payload["p"], nonce=payload["n"])


def pledge_for_token(token: str, *, queryset=None) -> Pledge:
    """The unconfirmed pledge a token confirms, or InvalidToken (USED once it has been used or
    replaced by a newer link)."""
    payload = read_token(token)
    queryset = queryset if queryset is not None else Pledge.objects.all()
    pledge = queryset.select_related("campaign", "area").filter(pk=payload.pledge_id).first()
    if (
        pledge is None
        or pledge.status != PledgeStatus.UNVERIFIED
        or not pledge.verification_nonce
        or not secrets.compare_digest(pledge.verification_nonce, payload.nonce)
    ):
        raise InvalidToken(InvalidToken.USED)
    return pledge


# Links to change a confirmed pledge's details ------------------------------------------------
#
# The same kind of token with its own salt: it signs the pledge's id and a fresh nonce, which
# changing the details empties (so the link works once) and a newer link replaces. It never
# confirms a pledge (confirmation needs an unconfirmed one) and a confirmation link never
# changes one (each salt signs its own tokens).

CHANGE_SALT = "pledges.change"
CHANGEABLE_STATUSES = (PledgeStatus.VERIFIED, PledgeStatus.PUBLISHED, PledgeStatus.REJECTED)


def make_change_token(pledge: Pledge) -> str:
    return signing.TimestampSigner(salt=CHANGE_SALT).sign_object({"p": pledge.pk, "n": pledge.verification_nonce})


def pledge_for_change_token(token: str, *, queryset=None) -> Pledge:
    """The confirmed pledge a change link names, or InvalidToken."""
    try:
        payload = signing.TimestampSigner(salt=CHANGE_SALT).unsign_object(token, max_age=verification_max_age())
    except signing.SignatureExpired:
        raise InvalidToken(InvalidToken.EXPIRED) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidToken(InvalidToken.TAMPERED) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int) or not isinstance(payload.get("n"), str):
        raise InvalidToken(InvalidToken.TAMPERED)
    queryset = queryset if queryset is not None else Pledge.objects.all()
    pledge = queryset.select_related("campaign", "area").filter(pk=payload["p"]).first()
    if (
        pledge is None
        or pledge.status not in CHANGEABLE_STATUSES
        or not pledge.verification_nonce
        or not secrets.compare_digest(pledge.verification_nonce, payload["n"])
    ):
        raise InvalidToken(InvalidToken.USED)
    return pledge
