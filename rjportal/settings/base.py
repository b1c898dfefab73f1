"""Settings shared by every environment. Values come from environment variables,
with defaults that are safe for a developer's machine; production.py tightens them."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-never-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
    # The shared core, in dependency order.
    "rjportal.audit",
    "rjportal.areas",
    "rjportal.organisations",
    "rjportal.accounts",
    "rjportal.apitokens",
    "rjportal.web",
    # Domain apps.
    "referrals",
    "pledges",
    "strategy",
    "reviews",
    "dashboard",
    # Demonstration data, above everything it fills.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy everywhere; Cache-Control: no-store for signed-in pages, the API and downloads.
    "rjportal.web.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rjportal.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rjportal.urls"
WSGI_APPLICATION = "rjportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rjportal.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out address never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Second factors (django-otp): national administrators, PCC office staff and pledge moderators
# confirm each sign-in with an authenticator app (TOTP) or a passkey; provider staff may choose
# to. Off, nobody is asked (the test settings' default). See rjportal.accounts.two_factor.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "RJ Portal"
# The admin lists authenticators but never shows their secrets (the QR code link).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Lock an account and address pair out after repeated failures (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "rjportal.accounts.lockout.lockout_username"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # Fixed: the portal's dates are English and Welsh dates.
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Our own sources, then the compiled front end (npm run build, not in git).
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="RJ Portal <no-reply@rjportal.invalid>")
# Where pledge signers write to correct or withdraw their pledge (the pledge privacy notice).
PLEDGE_CONTACT_EMAIL = env.str("PLEDGE_CONTACT_EMAIL", default="rj-pledge@rjportal.invalid")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# No inline scripts or styles anywhere: data reaches scripts through json_script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

REST_FRAMEWORK = {
    # Provider systems send an API token (hashed, expiring, see rjportal.apitokens); people
    # signed in to the web use their session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rjportal.apitokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API takes JSON only, as its schema says; a form-encoded body is 415, not read loosely.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Per token (per person for sessions), counted in the default cache; over either rate the
    # API answers 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "rjportal.apitokens.throttles.ApiBurstThrottle",
        "rjportal.apitokens.throttles.ApiSustainedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_burst": env.str("API_THROTTLE_BURST_RATE", default="20/second"),
        "api_sustained": env.str("API_THROTTLE_SUSTAINED_RATE", default="2000/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "referrals.api.schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RJ Portal API",
    "VERSION": "1.0.0",
    # Separate request and response components, so that a request's schema has only what a
    # client may send and a response's only what the API returns.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name for each choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "referrals.constants.Stage",
        "ClosureReasonEnum": "referrals.constants.ClosureReason",
        "ClockStatusEnum": "referrals.constants.ClockStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Largest referral file a provider may upload through the web (the command has no limit).
REFERRAL_IMPORT_MAX_BYTES = env.int("REFERRAL_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# RJ pledge signups: how long a verification link lasts, and how long after a campaign closes
# signers' emails and unpublished signups are kept (manage.py purge_pledge_personal_data).
PLEDGE_VERIFICATION_MAX_AGE = env.int("PLEDGE_VERIFICATION_MAX_AGE", default=60 * 60 * 24 * 3)
PLEDGE_PERSONAL_DATA_MONTHS = env.int("PLEDGE_PERSONAL_DATA_MONTHS", default=6)
# Referrals are deleted this long after they were completed or closed (purge_expired_referrals).
# Six years keeps every financial year the dashboard offers (the current one and four before).
REFERRAL_RETENTION_MONTHS = env.int("REFERRAL_RETENTION_MONTHS", default=72)

# Working copies of public reference data that ship with the project.
REFERENCE_DATA_DIR = BASE_DIR / "rjportal" / "areas" / "data"

# The 10-ways scorecard: training coverage (staff trained of staff in scope, in percent) at or
# above which way 6 is met, and partly met.
SCORECARD_TRAINING_MET_PERCENT = env.int("SCORECARD_TRAINING_MET_PERCENT", default=80)
SCORECARD_TRAINING_PARTLY_PERCENT = env.int("SCORECARD_TRAINING_PARTLY_PERCENT", default=40)

# Background work (large imports) through Django's tasks framework, stored in the database so
# that `make run` needs no other server: `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Passkeys (WebAuthn, django-otp-webauthn): the site's domain and the origins it is served from.
OTP_WEBAUTHN_RP_ID = env.str("OTP_WEBAUTHN_RP_ID", default="localhost")
OTP_WEBAUTHN_RP_NAME = "RJ Portal"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("OTP_WEBAUTHN_ALLOWED_ORIGINS", default=["http://localhost:8000"])
# A passkey is a second factor after the password, never a way to sign in without one.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Audit review (/audit/unusual/): a user who views more than this many referrals in a day, and
# any view or export of case-level records outside working hours (Europe/London, Monday to
# Friday, "HH:MM,HH:MM"), are listed for the data protection officer.
AUDIT_UNUSUAL_VIEWS_PER_DAY = env.int("AUDIT_UNUSUAL_VIEWS_PER_DAY", default=200)
AUDIT_WORKING_HOURS = env.list("AUDIT_WORKING_HOURS", default=["07:00", "19:00"])
# The records whose every view is case-level access (app_label.model).
AUDIT_CASE_LEVEL_MODELS = ["referrals.referral"]

# The visitor's address (rate limits, sign-in lockout): rjportal.web.addresses. With no proxy
# trusted, the address of the connection itself. Behind proxies that each append to
# X-Forwarded-For, set TRUSTED_PROXY_COUNT to how many there are, and TRUSTED_PROXIES to the
# addresses or networks the last of them connects from (then a request from anywhere else is
# taken at its own address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "rjportal.web.addresses.client_address"

# Password reset requests: per address per hour, and per email address per day. Over either,
# the page says the same as ever and no email is sent.
PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESETS_PER_ADDRESS_PER_HOUR", default=10)
PASSWORD_RESETS_PER_EMAIL_PER_DAY = env.int("PASSWORD_RESETS_PER_EMAIL_PER_DAY", default=3)

# /.well-known/security.txt (RFC 9116): where to report a vulnerability.
SECURITY_CONTACT = env.str("SECURITY_CONTACT", default="mailto:security@rjportal.invalid")

# The default cache: national referral counts and the API's rate limits. Local memory suits one
# process; several gunicorn workers want a shared one (dbcache://..., rediscache://...).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
