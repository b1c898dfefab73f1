"""Sign-in lockout (django-axes) counts failures per account, however the email is typed:
sign-in matches addresses ignoring case and surrounding spaces, so the lockout must too, or
'PCC@EXAMPLE.ORG' and ' pcc@example.org ' would be fresh attempts at the same account."""

from django.conf import settings


def normalise_email(value) -> str:
    return (value or "").strip().lower() if isinstance(value, str) else ""


def lockout_username(request, credentials=None) -> str:
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        return normalise_email(credentials.get(field))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise_email(data.get(field))
