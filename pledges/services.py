"""Every change to a pledge or a campaign goes through here: checked, written in a transaction
and audited. Public actions (signing, confirming) are audited with no actor, "by the signer"."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record, audited_update, model_changes
from rjportal.imports import ImportRejected, RowError, file_line, read_csv_as_text
from rjportal.periods import months_before
from rjportal.web.ratelimits import Limit, lock_keys, rate_limits_take
from rjportal.web.ratelimits import keyed_hash as ratelimit_key

from .constants import (
    DEFAULT_PERSONAL_DATA_MONTHS,
    INDEPENDENT,
    SIGNUP_ATTEMPT_RETENTION_DAYS,
    SIGNUPS_PER_EMAIL_PER_DAY,
    SIGNUPS_PER_IP_PER_HOUR,
    PledgeRole,
    PledgeSource,
    PledgeStatus,
)
from .models import Pledge, PledgeCampaign, SignupAttempt
from .permissions import can_import, can_moderate
from .tokens import (
    CHANGEABLE_STATUSES,
    make_change_token,
    make_token,
    new_nonce,
    pledge_for_change_token,
    pledge_for_token,
    verification_max_age,
)

BY_THE_SIGNER = "by the signer"


# Signing -----------------------------------------------------------------------------------


class RateLimited(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def keyed_hash(kind: str, value: str) -> str:
    """A keyed (HMAC) hash, so a stored IP address or email cannot be recovered by guessing."""
    return salted_hmac(f"pledges.{kind}", value.strip().lower()).hexdigest()


@dataclass(frozen=True)
class SignupOutcome:
    pledge: Pledge
    # "created": a new pledge; "resent": an unconfirmed pledge for this email, updated and sent a
    # new link; "already_signed": a confirmed pledge exists, so the signer is told by email.
    outcome: str


def _check_rate_limits(*, ip_hash: str, email_hash: str, now) -> None:
    recent = SignupAttempt.objects.all()
    if recent.since(now - timedelta(hours=1)).filter(ip_hash=ip_hash).count() >= SIGNUPS_PER_IP_PER_HOUR:
        raise RateLimited(
            "There have been too many signups from your internet connection in the last hour. Try again in an hour."
        )
    if recent.since(now - timedelta(days=1)).filter(email_hash=email_hash).count() >= SIGNUPS_PER_EMAIL_PER_DAY:
        raise RateLimited("This email address has been used to sign too many times today. Try again tomorrow.")


@transaction.atomic
def pledge_sign(
    *,
    campaign: PledgeCampaign,
    name: str,
    role: str,
    party: str,
    area: PoliceArea,
    email: str,
    statement: str = "",
    consent_to_publish: bool,
    ip_address: str,
    site_url: str,
) -> SignupOutcome:
    """Record a signup and email a link to confirm it. One pledge per email address per
    campaign: signing again updates an unconfirmed pledge and sends a fresh link (earlier links
    stop working), and tells the owner of a confirmed pledge by email instead. Raises
    RateLimited before writing anything when the IP address or email has signed too often."""
    email = email.strip()
    today = timezone.localdate()
    if not PledgeCampaign.objects.open_on(today).filter(pk=campaign.pk).exists():
        raise ValidationError({"campaign": f"Signing for {campaign.title} is closed."})
    ip_hash, email_hash = keyed_hash("ip", ip_address or "unknown"), keyed_hash("email", email)
    # Simultaneous signups from one address or for one email take turns to count and record,
    # so that none of them slips past the limit (the lock is held until this transaction ends).
    lock_keys(f"pledge-ip:{ip_hash}", f"pledge-email:{email_hash}")
    now = timezone.now()
    _check_rate_limits(ip_hash=ip_hash, email_hash=email_hash, now=now)
    SignupAttempt.objects.create(ip_hash=ip_hash, email_hash=email_hash)

    details = {
        "name": name.strip(),
        "role": role,
        "party": party.strip() or INDEPENDENT,
        "area": area,
        "statement": statement.strip(),
        "consent_to_publish": consent_to_publish,
        "text_signed": campaign.pledge_text,
    }
    existing = Pledge.objects.select_for_update().for_email(campaign=campaign, email=email).first()
    if existing is None:
        pledge = Pledge(
            campaign=campaign,
            email=email,
            signup_ip_hash=ip_hash,
            verification_nonce=new_nonce(),
            source=PledgeSource.SIGNUP,
            **details,
        )
        pledge.full_clean()
        pledge.save()
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            target=pledge,
            summary=f"Pledge signed for {campaign.title} in {area.name} {BY_THE_SIGNER}; email not yet confirmed",
        )
        _send_verification(pledge, site_url=site_url)
        return SignupOutcome(pledge, "created")

    if existing.status == PledgeStatus.UNVERIFIED:
        before = {field: getattr(existing, field) for field in details}
        for field, value in details.items():
            setattr(existing, field, value)
        existing.verification_nonce = new_nonce()
        existing.signup_ip_hash = ip_hash
        existing.full_clean()
        existing.save()
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            target=existing,
            summary=f"Pledge signed again {BY_THE_SIGNER} before confirming; a new confirmation link was sent",
            changes=model_changes(existing, [field for field in details if field != "text_signed"], before),
        )
        _send_verification(existing, site_url=site_url)
        return SignupOutcome(existing, "resent")

    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        target=existing,
        summary=f"Pledge signed again {BY_THE_SIGNER} after confirming; the signer was told by email",
    )
    _send_already_signed(existing, site_url=site_url)
    return SignupOutcome(existing, "already_signed")


def confirmation_url(pledge: Pledge, *, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("pledges:confirm", kwargs={"token": make_token(pledge)})


def _send_verification(pledge: Pledge, *, site_url: str) -> None:
    context = {
        "pledge": pledge,
        "url": confirmation_url(pledge, site_url=site_url),
        "days": max(1, verification_max_age() // (60 * 60 * 24)),
        "privacy_url": site_url.rstrip("/") + reverse("pledges:privacy"),
    }
    send_mail(
        subject=f"Confirm your RJ pledge: {pledge.campaign.title}",
        message=render_to_string("pledges/email/verify.txt", context),
        from_email=None,
        recipient_list=[pledge.email],
    )


def _send_already_signed(pledge: Pledge, *, site_url: str) -> None:
    context = {
        "pledge": pledge,
        "privacy_url": site_url.rstrip("/") + reverse("pledges:privacy"),
        "change_url": site_url.rstrip("/") + reverse("pledges:change_request"),
        "contact_email": settings.PLEDGE_CONTACT_EMAIL,
    }
    send_mail(
        subject=f"You have already signed the RJ pledge: {pledge.campaign.title}",
        message=render_to_string("pledges/email/already_signed.txt", context),
        from_email=None,
        recipient_list=[pledge.email],
    )


@transaction.atomic
def pledge_verify(*, token: str) -> Pledge:
    """Confirm the pledge a verification link names. Raises tokens.InvalidToken for a link that
    is tampered with, expired, already used or replaced by a newer one."""
    pledge = pledge_for_token(token, queryset=Pledge.objects.select_for_update())
    pledge.status = PledgeStatus.VERIFIED
    pledge.verified_at = timezone.now()
    pledge.verification_nonce = ""
    pledge.save(update_fields=["status", "verified_at", "verification_nonce"])
    audit_record(
        actor=None,
        action=AuditAction.TRANSITION,
        target=pledge,
        summary=f"Pledge email confirmed {BY_THE_SIGNER}; awaiting review",
        changes={"status": {"from": PledgeStatus.UNVERIFIED.value, "to": PledgeStatus.VERIFIED.value}},
    )
    return pledge


# Moderation --------------------------------------------------------------------------------


def _require_moderator(actor):
    if not can_moderate(actor):
        raise PermissionDenied("Only pledge moderators and national administrators can do this.")


def _locked(pledge: Pledge) -> Pledge:
    return Pledge.objects.select_for_update().select_related("campaign", "area").get(pk=pledge.pk)


def _transition(*, actor, pledge: Pledge, to_status: PledgeStatus, summary: str, extra_changes=None):
    from_status = pledge.status
    pledge.status = to_status
    pledge.full_clean()
    pledge.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        target=pledge,
        summary=summary,
        changes={"status": {"from": from_status, "to": to_status.value}, **(extra_changes or {})},
    )
    return pledge


PUBLISHABLE = (PledgeStatus.VERIFIED,)
REJECTABLE = (PledgeStatus.VERIFIED, PledgeStatus.PUBLISHED)
WITHDRAWABLE = (PledgeStatus.UNVERIFIED, PledgeStatus.VERIFIED, PledgeStatus.PUBLISHED)


@transaction.atomic
def pledge_publish(*, actor, pledge: Pledge, site_url: str = "") -> Pledge:
    """Put a confirmed pledge on the register, and tell the signer by email."""
    _require_moderator(actor)
    pledge = _locked(pledge)
    if pledge.status not in PUBLISHABLE:
        raise ValidationError(
            f"Only pledges awaiting review can be published; this one is {pledge.get_status_display().lower()}."
        )
    if not pledge.consent_to_publish:
        raise ValidationError("The signer did not consent to publication, so this pledge cannot be published.")
    pledge.published_at = timezone.now()
    _transition(
        actor=actor, pledge=pledge, to_status=PledgeStatus.PUBLISHED, summary=f"Published the pledge of {pledge.name}"
    )
    _send_moderation_outcome(pledge, template="published", subject="Your RJ pledge is published", site_url=site_url)
    return pledge


@transaction.atomic
def pledge_reject(*, actor, pledge: Pledge, reason: str, site_url: str = "") -> Pledge:
    """Keep a pledge off the register (or take it off), and email the signer the reason."""
    _require_moderator(actor)
    pledge = _locked(pledge)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for rejecting this pledge"})
    if pledge.status not in REJECTABLE:
        raise ValidationError(f"This pledge cannot be rejected: it is {pledge.get_status_display().lower()}.")
    pledge.rejection_reason = reason
    _transition(
        actor=actor,
        pledge=pledge,
        to_status=PledgeStatus.REJECTED,
        summary=f"Rejected the pledge of {pledge.name}: {reason}",
    )
    _send_moderation_outcome(
        pledge, template="rejected", subject="Your RJ pledge has not been published", site_url=site_url
    )
    return pledge


@transaction.atomic
def pledge_withdraw(*, actor, pledge: Pledge, note: str = "") -> Pledge:
    """At the signer's request: the pledge leaves the register and the open data."""
    _require_moderator(actor)
    pledge = _locked(pledge)
    if pledge.status not in WITHDRAWABLE:
        raise ValidationError(f"This pledge cannot be withdrawn: it is {pledge.get_status_display().lower()}.")
    note = (note or "").strip()
    return _transition(
        actor=actor,
        pledge=pledge,
        to_status=PledgeStatus.WITHDRAWN,
        summary=f"Withdrew the pledge of {pledge.name} at the signer's request" + (f": {note}" if note else ""),
    )


def _send_moderation_outcome(pledge: Pledge, *, template: str, subject: str, site_url: str) -> None:
    """Tell the signer what the moderators decided (imported pledges have no address)."""
    if not pledge.email:
        return
    site_url = site_url.rstrip("/")
    context = {
        "pledge": pledge,
        "register_url": site_url + reverse("pledges:area", kwargs={"code": pledge.area.code}) if site_url else "",
        "change_url": site_url + reverse("pledges:change_request") if site_url else "",
        "contact_email": settings.PLEDGE_CONTACT_EMAIL,
    }
    send_mail(
        subject=f"{subject}: {pledge.campaign.title}",
        message=render_to_string(f"pledges/email/{template}.txt", context),
        from_email=None,
        recipient_list=[pledge.email],
    )


CORRECTABLE_FIELDS = ("name", "party", "statement")


@transaction.atomic
def pledge_correct(*, actor, pledge: Pledge, name: str, party: str, statement: str) -> Pledge:
    """Fix typos in what the public sees. The role, area and signed text are the signer's own."""
    _require_moderator(actor)
    pledge = _locked(pledge)
    audited_update(
        actor=actor,
        instance=pledge,
        fields=CORRECTABLE_FIELDS,
        values={"name": name.strip(), "party": party.strip() or INDEPENDENT, "statement": statement.strip()},
        validate=lambda pledge: pledge.full_clean(),
        summary=lambda pledge: f"Corrected the pledge of {pledge.name}",
    )
    return pledge


# Signers changing their own details ----------------------------------------------------------

CHANGE_REQUESTS_PER_ADDRESS_PER_HOUR = 10
CHANGE_REQUESTS_PER_EMAIL_PER_DAY = 3


def pledge_change_request(*, email: str, ip_address: str, site_url: str) -> int:
    """Email a single-use, expiring link to change their details to the signer of each pledge
    with this address in a campaign open today (confirmed, published or rejected), replacing
    any earlier link. Rate-limited per internet address and per email; over a limit nothing is
    sent. Returns how many links were sent, for tests and logs only: the page says the same
    whatever the answer, so that it tells nobody whether an address has signed."""
    used_up = rate_limits_take(
        Limit(
            ratelimit_key("pledge-change-address", ip_address or "unknown"),
            CHANGE_REQUESTS_PER_ADDRESS_PER_HOUR,
            timedelta(hours=1),
        ),
        Limit(ratelimit_key("pledge-change-email", email), CHANGE_REQUESTS_PER_EMAIL_PER_DAY, timedelta(days=1)),
    )
    if used_up is not None:
        return 0
    sent = 0
    open_campaigns = PledgeCampaign.objects.open_on(timezone.localdate())
    with transaction.atomic():
        pledges = (
            Pledge.objects.select_for_update()
            .filter(campaign__in=open_campaigns, email__iexact=email.strip(), status__in=CHANGEABLE_STATUSES)
            .select_related("campaign", "area")
        )
        for pledge in pledges:
            pledge.verification_nonce = new_nonce()
            pledge.save(update_fields=["verification_nonce"])
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                target=pledge,
                summary=f"A link to change the pledge's details was sent to the signer ({BY_THE_SIGNER})",
            )
            url = site_url.rstrip("/") + reverse("pledges:change_details", kwargs={"token": make_change_token(pledge)})
            send_mail(
                subject=f"Change your RJ pledge details: {pledge.campaign.title}",
                message=render_to_string(
                    "pledges/email/change_link.txt",
                    {"pledge": pledge, "url": url, "days": max(1, verification_max_age() // (60 * 60 * 24))},
                ),
                from_email=None,
                recipient_list=[pledge.email],
            )
            sent += 1
    return sent


SIGNER_CHANGEABLE_FIELDS = ("name", "role", "party", "area", "statement", "consent_to_publish")


@transaction.atomic
def pledge_change_by_signer(
    *, token: str, name: str, role: str, party: str, area: PoliceArea, statement: str, consent_to_publish: bool
) -> Pledge:
    """The signer's own change of their details, through their emailed link (which then stops
    working). The pledge goes back to the moderators, off the register until they publish it
    again. Raises tokens.InvalidToken for a bad, expired or used link."""
    pledge = pledge_for_change_token(token, queryset=Pledge.objects.select_for_update())
    if not PledgeCampaign.objects.open_on(timezone.localdate()).filter(pk=pledge.campaign_id).exists():
        raise ValidationError(f"{pledge.campaign.title} is closed, so its pledges can no longer be changed online.")
    before = {field: getattr(pledge, field) for field in SIGNER_CHANGEABLE_FIELDS}
    from_status = pledge.status
    pledge.name = name.strip()
    pledge.role = role
    pledge.party = party.strip() or INDEPENDENT
    pledge.area = area
    pledge.statement = statement.strip()
    pledge.consent_to_publish = consent_to_publish
    pledge.status = PledgeStatus.VERIFIED
    pledge.rejection_reason = ""
    pledge.published_at = None
    pledge.verification_nonce = ""
    pledge.full_clean()
    pledge.save()
    changes = model_changes(pledge, SIGNER_CHANGEABLE_FIELDS, before)
    changes["status"] = {"from": from_status, "to": PledgeStatus.VERIFIED.value}
    audit_record(
        actor=None,
        action=AuditAction.TRANSITION,
        target=pledge,
        summary=f"Pledge details changed {BY_THE_SIGNER}; awaiting review again",
        changes=changes,
    )
    return pledge


# Campaigns ---------------------------------------------------------------------------------

CAMPAIGN_FIELDS = ("title", "election_date", "opens_on", "closes_on", "pledge_text")


@transaction.atomic
def campaign_create(
    *, actor, title: str, election_date: date, opens_on: date, closes_on: date, pledge_text: str
) -> PledgeCampaign:
    if not can_import(actor):
        raise PermissionDenied("Only national administrators can run pledge campaigns.")
    campaign = PledgeCampaign(
        title=title.strip(),
        election_date=election_date,
        opens_on=opens_on,
        closes_on=closes_on,
        pledge_text=pledge_text.strip(),
    )
    campaign.full_clean()
    campaign.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=campaign,
        summary=f"Created pledge campaign {campaign.title}, open {opens_on:%-d %B %Y} to {closes_on:%-d %B %Y}",
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: PledgeCampaign, **values) -> PledgeCampaign:
    """Change a campaign. Pledges already signed keep the text they signed."""
    if not can_import(actor):
        raise PermissionDenied("Only national administrators can run pledge campaigns.")
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {', '.join(sorted(unknown))}")
    campaign = PledgeCampaign.objects.select_for_update().get(pk=campaign.pk)
    audited_update(
        actor=actor,
        instance=campaign,
        fields=CAMPAIGN_FIELDS,
        values={field: value.strip() if isinstance(value, str) else value for field, value in values.items()},
        validate=lambda campaign: campaign.full_clean(),
        summary=lambda campaign: f"Changed pledge campaign {campaign.title}",
    )
    return campaign


# Import of historic signatories --------------------------------------------------------------

IMPORT_COLUMNS = ["name", "role", "party", "area", "campaign", "source"]
_ROLE_ALIASES = {
    "police and crime commissioner": PledgeRole.PCC,
    "police, fire and crime commissioner": PledgeRole.PFCC,
    "deputy police and crime commissioner": PledgeRole.DEPUTY_PCC,
    "deputy mayor": PledgeRole.DEPUTY_MAYOR,
}


def _role_lookup() -> dict[str, str]:
    lookup = {}
    for role in PledgeRole:
        lookup[role.value] = role.value
        lookup[role.label.lower()] = role.value
        lookup[role.value.replace("_", " ")] = role.value
    lookup.update({alias: role.value for alias, role in _ROLE_ALIASES.items()})
    return lookup


@dataclass(frozen=True)
class PledgeImportResult:
    created: int
    campaigns: list[str]


@transaction.atomic
def pledges_import(*, actor, source) -> PledgeImportResult:
    """Historic signatories from CSV (name, role, party, area, campaign, source). Every row is
    checked first and nothing is written if any row is wrong. Imported pledges are published
    straight away, since these signatories were public already, and keep their source."""
    if not can_import(actor):
        raise PermissionDenied("Only national administrators can import pledges.")
    frame = read_csv_as_text(source, required_columns=IMPORT_COLUMNS)
    roles = _role_lookup()
    areas = {}
    for area in PoliceArea.objects.all():
        areas[area.code.lower()] = area
        areas[area.name.lower()] = area
    campaigns = {campaign.title.lower(): campaign for campaign in PledgeCampaign.objects.all()}
    existing = {
        (campaign_id, name.lower(), area_id)
        for campaign_id, name, area_id in Pledge.objects.exclude(
            status__in=[PledgeStatus.REJECTED, PledgeStatus.WITHDRAWN]
        ).values_list("campaign_id", "name", "area_id")
    }
    records, errors, seen = [], [], set()
    now = timezone.now()
    for index, row in frame.iterrows():
        line = file_line(index)
        row_errors = []
        name = row["name"].strip()
        if not name:
            row_errors.append(RowError(line, "name", "Enter the signatory's name."))
        elif len(name) > 200:
            row_errors.append(RowError(line, "name", "The name must be 200 characters or fewer."))
        role = roles.get(row["role"].strip().lower())
        if role is None:
            row_errors.append(
                RowError(line, "role", f"'{row['role']}' is not a role. Use one of: {', '.join(PledgeRole.values)}.")
            )
        party = row["party"].strip() or INDEPENDENT
        if len(party) > 100:
            row_errors.append(RowError(line, "party", "The party must be 100 characters or fewer."))
        area = areas.get(row["area"].strip().lower())
        if area is None:
            row_errors.append(RowError(line, "area", f"'{row['area']}' is not a police force area name or ONS code."))
        campaign = campaigns.get(row["campaign"].strip().lower())
        if campaign is None:
            row_errors.append(RowError(line, "campaign", f"'{row['campaign']}' is not the title of a campaign."))
        note = row["source"].strip()
        if not note:
            row_errors.append(RowError(line, "source", "Say where this signatory was recorded."))
        elif len(note) > 300:
            row_errors.append(RowError(line, "source", "The source must be 300 characters or fewer."))
        if not row_errors:
            key = (campaign.pk, name.lower(), area.pk)
            if key in seen:
                row_errors.append(
                    RowError(line, "name", "This person appears more than once for this campaign and area.")
                )
            elif key in existing:
                row_errors.append(
                    RowError(line, "name", "This person is already on the register for this campaign and area.")
                )
            seen.add(key)
        if row_errors:
            errors.extend(row_errors)
            continue
        records.append(
            Pledge(
                campaign=campaign,
                name=name,
                role=role,
                party=party,
                area=area,
                consent_to_publish=True,
                text_signed=campaign.pledge_text,
                status=PledgeStatus.PUBLISHED,
                source=PledgeSource.IMPORT,
                source_note=note,
                published_at=now,
            )
        )
    if errors:
        raise ImportRejected(errors)
    Pledge.objects.bulk_create(records)
    titles = sorted({record.campaign.title for record in records})
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        summary=f"Imported {len(records)} historic pledge(s) for " + ", ".join(titles),
    )
    return PledgeImportResult(created=len(records), campaigns=titles)


# Personal data -----------------------------------------------------------------------------


def personal_data_months() -> int:
    return getattr(settings, "PLEDGE_PERSONAL_DATA_MONTHS", DEFAULT_PERSONAL_DATA_MONTHS)


@dataclass(frozen=True)
class PurgeResult:
    campaigns: list[str]
    emails_removed: int
    signups_deleted: int
    attempts_deleted: int


def pledge_personal_data_purge(*, months: int | None = None, dry_run: bool = False, today: date | None = None):
    """For campaigns that closed more than `months` ago: delete signups that never reached the
    register (unconfirmed, awaiting review, rejected) and remove every remaining email address.
    Also deletes signup attempts (hashed, for the rate limits) older than a week. Safe to run
    every day: a second run finds nothing to do. With dry_run, counts only."""
    months = personal_data_months() if months is None else months
    today = today or timezone.localdate()
    cutoff = months_before(today, months)
    with transaction.atomic():
        campaigns = PledgeCampaign.objects.closed_before(cutoff)
        pledges = Pledge.objects.filter(campaign__in=campaigns)
        to_delete = pledges.unpublished()
        to_blank = pledges.exclude(pk__in=to_delete.values("pk")).exclude(email="")
        attempts = SignupAttempt.objects.filter(
            created_at__lt=timezone.now() - timedelta(days=SIGNUP_ATTEMPT_RETENTION_DAYS)
        )
        titles = sorted(campaigns.values_list("title", flat=True))
        result = PurgeResult(
            campaigns=titles,
            emails_removed=to_blank.count(),
            signups_deleted=to_delete.count(),
            attempts_deleted=attempts.count(),
        )
        if dry_run or not (result.emails_removed or result.signups_deleted or result.attempts_deleted):
            return result
        to_blank.update(email="", signup_ip_hash="", verification_nonce="")
        to_delete.delete()
        attempts.delete()
        audit_record(
            actor=None,
            action=AuditAction.DELETE,
            summary=(
                f"Pledge personal data purge ({months} months after campaigns closed): removed "
                f"{result.emails_removed} email address(es), deleted {result.signups_deleted} unpublished "
                f"signup(s) and {result.attempts_deleted} signup attempt record(s)"
            ),
        )
    return result
