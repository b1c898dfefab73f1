"""Test settings: the local settings with fast password hashing and mail kept in memory."""

from rjportal.settings.local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Lockout is exercised by its own tests; the rest should not trip over it.
AXES_FAILURE_LIMIT = 5
