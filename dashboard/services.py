"""The dashboard's one write: emailing PCC offices their areas' new change alerts, once each."""

from dataclasses import dataclass, field
from datetime import date

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation
from rjportal.periods import Period
from strategy.services import reminder_addresses

from .alerts import RULE, ChangeAlert, last_complete_quarter, quarter_alerts, quarter_label
from .models import SentChangeAlert


@dataclass
class AreaDigest:
    """An area's change alerts not yet sent, and the PCC offices serving the area, each with the
    addresses it is told at (none when it has no shared address and no active staff)."""

    area: PoliceArea
    quarter: Period
    alerts: list[ChangeAlert]
    offices: list[tuple[Organisation, list[str]]]

    @property
    def addresses(self) -> int:
        return sum(len(addresses) for _office, addresses in self.offices)


@dataclass
class ChangeAlertRun:
    today: date
    quarter: Period
    dry_run: bool
    sent: list[AreaDigest] = field(default_factory=list)
    unreachable: list[AreaDigest] = field(default_factory=list)
    failed: list[tuple[AreaDigest, str]] = field(default_factory=list)
    emails: int = 0

    @property
    def alerts(self) -> int:
        return sum(len(digest.alerts) for digest in self.sent)


def change_alerts_due(*, today: date) -> list[AreaDigest]:
    """For each area a PCC office serves, the change alerts of the last complete quarter that
    have not been sent yet (by name of area)."""
    quarter = last_complete_quarter(today)
    offices_by_area: dict[PoliceArea, list[Organisation]] = {}
    offices = Organisation.objects.filter(kind=OrganisationKind.PCC_OFFICE).prefetch_related("areas")
    for office in offices.order_by("name", "pk"):
        for area in office.areas.all():
            offices_by_area.setdefault(area, []).append(office)
    done = set(
        SentChangeAlert.objects.filter(quarter_start=quarter.start).values_list("area_id", "kind", "key").order_by()
    )
    digests = []
    for area in sorted(offices_by_area, key=lambda area: area.name):
        found = quarter_alerts(area=area, today=today)
        alerts = [alert for alert in found.alerts if (area.pk, alert.kind.value, alert.key) not in done]
        if alerts:
            offices = [(office, reminder_addresses(office)) for office in offices_by_area[area]]
            digests.append(AreaDigest(area=area, quarter=found.quarter, alerts=alerts, offices=offices))
    return digests


def _subject(digest: AreaDigest) -> str:
    count = len(digest.alerts)
    return (
        f"RJ referrals fell in {digest.area.name}: {count} change alert{'' if count == 1 else 's'} for "
        f"{quarter_label(digest.quarter)}"
    )


def change_alerts_send(*, today: date, dry_run: bool = False, site_url: str = "") -> ChangeAlertRun:
    """Email each area's PCC offices a digest of the area's change alerts for the last complete
    quarter that have not been sent before, and record them. Safe to run daily: each alert is
    sent once for its quarter; a new alert in the same quarter (a late referral import can make
    one) follows in its own digest. An office with no shared address is told through each of its
    active staff, one email each. With dry_run, works out what would be sent and changes nothing.
    `site_url` (like https://rjportal.example.org) makes the email's links absolute."""
    run = ChangeAlertRun(today=today, quarter=last_complete_quarter(today), dry_run=dry_run)
    base = site_url.rstrip("/")
    for digest in change_alerts_due(today=today):
        if not digest.addresses:
            run.unreachable.append(digest)
            continue
        if dry_run:
            run.sent.append(digest)
            continue
        emails = 0
        try:
            with transaction.atomic():
                # Recorded first: a run racing this one stops at the unique constraint, unsent.
                SentChangeAlert.objects.bulk_create(
                    SentChangeAlert(
                        area=digest.area,
                        quarter_start=digest.quarter.start,
                        kind=alert.kind,
                        key=alert.key,
                        name=alert.name[:200],
                        observed=alert.observed,
                        baseline=alert.baseline,
                        expected=alert.expected,
                        recipients=digest.addresses,
                    )
                    for alert in digest.alerts
                )
                dashboard = reverse("dashboard:area", kwargs={"code": digest.area.code})
                for office, addresses in digest.offices:
                    context = {
                        "office": office,
                        "digest": digest,
                        "quarter_label": quarter_label(digest.quarter),
                        "rule": RULE,
                        "alerts": [(alert, f"{base}{alert.link}" if base else "") for alert in digest.alerts],
                        "dashboard_link": f"{base}{dashboard}" if base else "",
                    }
                    message = render_to_string("dashboard/email/change_alerts.txt", context)
                    # One email per address: staff of an office without a shared address do not
                    # see each other's.
                    for address in addresses:
                        send_mail(subject=_subject(digest), message=message, from_email=None, recipient_list=[address])
                        emails += 1
        except IntegrityError:
            continue
        except OSError as error:  # the mail server refused or could not be reached: tell the others still
            run.failed.append((digest, str(error) or error.__class__.__name__))
            continue
        run.sent.append(digest)
        run.emails += emails
    if run.sent and not dry_run:
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            record_type=SentChangeAlert,
            summary=f"Change alerts on {today:%-d %B %Y} for {quarter_label(run.quarter)}: sent {run.alerts} "
            f"alert(s) for {len(run.sent)} area(s) in {run.emails} email(s)",
            changes={
                "quarter_start": run.quarter.start.isoformat(),
                "areas": [
                    {
                        "area": digest.area.name,
                        "alerts": [
                            {"kind": alert.kind.value, "key": alert.key, "name": alert.name, "observed": alert.observed}
                            for alert in digest.alerts
                        ],
                        "offices": [office.name for office, addresses in digest.offices if addresses],
                    }
                    for digest in run.sent
                ],
            },
        )
    return run
