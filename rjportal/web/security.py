"""/.well-known/security.txt (RFC 9116): where to report a security problem."""

from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

# RFC 9116 asks for an expiry less than a year ahead; the file is written afresh on each request.
EXPIRES_AFTER = timedelta(days=365)


@login_not_required
@require_GET
def security_txt(request):
    now = datetime.now(tz=UTC)
    expires = datetime.combine(now.date(), time(), tzinfo=UTC) + EXPIRES_AFTER
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires:%Y-%m-%dT%H:%M:%SZ}",
        "Preferred-Languages: en",
        f"Canonical: {request.build_absolute_uri(request.path)}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
