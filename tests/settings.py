"""Test settings: the local settings with fast password hashing and mail kept in memory."""

from rjportal.settings.local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Lockout is exercised by its own tests; the rest should not trip over it.
AXES_FAILURE_LIMIT = 5
# Tests sign people in with force_login, which passes no second factor: the step is off unless
# a test turns it on (tests/accounts/test_two_factor*.py do, with the settings fixture).
TWO_FACTOR_REQUIRED = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
