"""Developer machine defaults: `make run` and `make test` use these."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Off on a developer machine, so that the demo administrator signs in with the password
# `make run` prints; ADMIN_TWO_FACTOR_REQUIRED=1 turns it on to try it.
ADMIN_TWO_FACTOR_REQUIRED = env.bool("ADMIN_TWO_FACTOR_REQUIRED", default=False)
# Plain storage, so pages render without running collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve files straight from the finders, so a rebuilt asset shows without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
