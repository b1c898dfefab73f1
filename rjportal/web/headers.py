"""Response headers that every page gets, beside those Django and django-csp set.

- Permissions-Policy: the portal uses no camera, microphone, location, payment or device
  access, so no page (nor anything framed in one) may ask for them. Passkeys are the one
  exception, for the portal's own pages: creating and using a passkey (WebAuthn) needs
  publickey-credentials-create and -get.
- Cache-Control: no-store on every response to a signed-in person, every API response and
  every download (Content-Disposition: attachment), so that case-level data never stays in a
  browser's or proxy's cache. Public pages and static files stay cacheable."""

from django.utils.cache import patch_cache_control

DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
SELF_FEATURES = ("publickey-credentials-create", "publickey-credentials-get")
PERMISSIONS_POLICY = ", ".join(
    [*(f"{feature}=()" for feature in DENIED_FEATURES), *(f"{feature}=(self)" for feature in SELF_FEATURES)]
)
API_PREFIX = "/api/"


def must_not_be_stored(request, response) -> bool:
    user = getattr(request, "user", None)
    return bool(
        (user is not None and user.is_authenticated)
        or request.path.startswith(API_PREFIX)
        or response.get("Content-Disposition", "").lower().startswith("attachment")
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if must_not_be_stored(request, response):
            patch_cache_control(response, no_store=True)
        return response
