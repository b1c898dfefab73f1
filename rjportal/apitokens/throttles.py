"""Rate limits for the API: a short burst and a sustained rate, counted per token (per person
for signed-in sessions). Over either, the API answers 429 with Retry-After. Rates are the
settings' DEFAULT_THROTTLE_RATES (API_THROTTLE_BURST_RATE, API_THROTTLE_SUSTAINED_RATE)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class ApiBurstThrottle(SimpleRateThrottle):
    scope = "api_burst"

    def get_rate(self):
        # Read when the throttle is made, not when the class was imported, so that changed
        # settings (tests, a reloaded configuration) take effect.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiSustainedThrottle(ApiBurstThrottle):
    scope = "api_sustained"
