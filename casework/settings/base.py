"""Settings shared by every environment. Environment-specific files import from here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from casework.db import django_database, ensure_database_url
from core import limits

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("CASEWORK_SECRET_KEY", "")
# The development settings' key: public, so production settings refuse it (casework/settings/production.py).
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret-casework-demo-key-0123456789"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("CASEWORK_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
# The reverse proxies in front of Casework (addresses or networks, comma-separated: "10.0.0.5,10.1.0.0/16"). Only a
# request from one of them may say whom it is forwarding for (X-Forwarded-For); every other request is taken to come
# from the address that connected. Used for the sign-in throttle and the audit log (core.client.client_address).
CASEWORK_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("CASEWORK_TRUSTED_PROXIES", "").split(",") if p.strip()]

# Demo mode: demo users may sign in without having set up MFA themselves (they are given a TOTP secret instead).
CASEWORK_DEMO_MODE = os.environ.get("CASEWORK_DEMO_MODE", "0") == "1"
CASEWORK_AUTHORITY_NAME = os.environ.get("CASEWORK_AUTHORITY_NAME", "Casework demo authority")
# The DfE 3-digit LA code (CIN census LEA, UPNs, SSDA903). The demo authority lives at Leicestershire's postcodes, so it
# takes Leicestershire's code; a real authority sets its own.
CASEWORK_LA_CODE = os.environ.get("CASEWORK_LA_CODE", "855")
# Where staff reach Casework, for links in e-mails; and whether notifications (a break-glass into a record a team
# holds) are also e-mailed (they are always shown in the app).
CASEWORK_BASE_URL = os.environ.get("CASEWORK_BASE_URL", "http://localhost:8000").rstrip("/")
CASEWORK_NOTIFY_BY_EMAIL = os.environ.get("CASEWORK_NOTIFY_BY_EMAIL", "0") == "1"
# DfE's validators for the returns, in a virtual environment of their own (`venv` in this folder), installed once per
# checkout by scripts/install-validators.sh (`make setup`) and found from any data folder ($CASEWORK_DATA_DIR).
CASEWORK_VALIDATORS_DIR = Path(os.environ.get("CASEWORK_VALIDATORS_DIR") or BASE_DIR / ".validators").resolve()

# No Django admin: it signed in with a password alone, outside the second factor and the throttle, and showed TOTP
# secrets. Administrators have Casework's own pages (docs/architecture.md, "Signing in").
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "pgtrigger",
    "pghistory",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its API documentation page, with its scripts served from here rather than a CDN
    "core",
    "accounts",
    "audit",
    "people",
    "recording",
    "cases",
    "returns",
    "demo",
    "forms",
    "documents",
    "sync",
    "retention",
    "bundles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Every error under /api/ in the API's one JSON shape, whatever answered it (core.api).
    "core.api.ApiErrorsMiddleware",
    # Before whitenoise, so static files carry them too.
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NoStoreMiddleware",
    # /healthz, answered before sessions, users and the request's transaction (core.health).
    "core.health.HealthCheckMiddleware",
    "core.middleware.CodeLabelsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE: 413, before anything reads it.
    "core.middleware.RequestSizeMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "accounts.api_auth.ApiTokenMiddleware",
    "core.idempotency.IdempotencyKeyMiddleware",
    "core.middleware.AtomicWritesMiddleware",
]

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "casework" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.casework",
            ],
            # Every template may say {{ code|code_label:"ethnicity" }} and {{ text|sentence_case }}.
            "builtins": ["core.templatetags.govuk_text"],
        },
    },
]

DATABASES = {"default": django_database(ensure_database_url())}
# A streaming replica (a read-only standby) for the dashboards and the returns: core.replica, docs/operations.md.
if os.environ.get("CASEWORK_REPLICA_URL"):
    DATABASES["replica"] = django_database(os.environ["CASEWORK_REPLICA_URL"])
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]

# Background work (returns) runs on Django tasks, queued in PostgreSQL: `casework worker` (started by `casework serve`)
# runs them. Nothing beyond the database is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Caches (and so allauth's sign-in throttling) live in PostgreSQL, shared by every web process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "casework_cache",
    }
}

# Sessions: stored in the database. The idle and absolute timeouts are administrators' settings (AccessSettings),
# enforced by accounts.middleware.SessionTimeoutMiddleware; the two CASEWORK_SESSION_* values are the fallback when
# the database cannot be asked. SESSION_COOKIE_AGE only bounds how long a session row lives (24 hours from its last
# save, at least the longest session an administrator may set). A session is saved only when it changed: the
# middleware writes the last request's time at most every 30 seconds (accounts.middleware.LAST_SEEN_STEP_SECONDS).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 24 * 60 * 60
CASEWORK_SESSION_IDLE_SECONDS = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CASEWORK_SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from Casework itself and nowhere else; no
# inline script or style (the templates load files); images may also be data: URIs (the TOTP QR code); no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Powerful browser features Casework never uses are switched off for its pages (core.middleware).
CASEWORK_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=(), publickey-credentials-get=(self), publickey-credentials-create=(self)"
)

# Email (invitation links, password resets): printed to the console unless an SMTP server is given, as in development
# and the demo; production settings always send by SMTP. A message that cannot be sent is said so to the user
# (accounts.adapters), never a server error.
EMAIL_HOST = os.environ.get("CASEWORK_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("CASEWORK_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("CASEWORK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CASEWORK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CASEWORK_EMAIL_USE_TLS", "1") == "1"
EMAIL_TIMEOUT = 10  # seconds: a mail server that does not answer must not hold a page
DEFAULT_FROM_EMAIL = os.environ.get("CASEWORK_EMAIL_FROM", "casework@localhost")

# django-allauth: sign in by email; no self sign-up (administrators create accounts).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapters.CaseworkAccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    # Failed passwords are slowed by a growing delay per address and per account (accounts.sign_in), never locked
    # out; allauth's "login_failed" limit now guards only the second factor's codes (per user: someone who already
    # has the password guessing codes). Sign-in attempts of any kind: 60 a minute from one address.
    "login_failed": "30/15m/ip,5/15m/key",
    "login": "60/m/ip",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# Sign-in and two-factor forms with GOV.UK error messages (never Django's "This field is required.")
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Casework"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # also the time of an API date-time sent without a zone (core.inputs.LocalDateTime)
USE_I18N = False
USE_TZ = True
# Dates read "5 December 2026" everywhere: casework/formats/en_GB/formats.py (Django's en_GB formats would otherwise
# win over DATE_FORMAT settings).
FORMAT_MODULE_PATH = ["casework.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("CASEWORK_STATIC_ROOT") or BASE_DIR / "var" / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even when serving from the finders
STATICFILES_DIRS = [BASE_DIR / "casework" / "static_build"]
# `casework serve` (not --dev) and production settings: static files collected into STATIC_ROOT with hashed names and
# gzip and brotli copies (collectstatic at every start), served by whitenoise with a year's cache (`immutable`: a
# changed file gets a new name). Otherwise (tests, --dev) they are served from where they are built.
CASEWORK_STATIC_HASHED = os.environ.get("CASEWORK_STATIC_HASHED", "0") == "1"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if CASEWORK_STATIC_HASHED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Documents and evidence (issue 14, documents.storage): originals and renditions on the local filesystem under the
# data folder, read-only once written; production may put them in an S3-compatible store with object lock.
CASEWORK_DOCUMENTS_LOCAL_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(Path(os.environ.get("CASEWORK_DATA_DIR") or BASE_DIR / "var").resolve() / "documents"),
        "base_url": None,
        "file_permissions_mode": 0o440,
        "directory_permissions_mode": 0o750,
    },
}
STORAGES["documents"] = CASEWORK_DOCUMENTS_LOCAL_STORAGE
# The virus scanner for uploads (documents.scanning): "auto" (ClamAV's clamd if its socket answers, else clamscan
# if installed, else none, with a warning in the log), "clamd", "clamscan" or "none".
CASEWORK_VIRUS_SCANNER = os.environ.get("CASEWORK_VIRUS_SCANNER", "auto")
CASEWORK_CLAMD_SOCKET = os.environ.get("CASEWORK_CLAMD_SOCKET", "/var/run/clamav/clamd.ctl")
WHITENOISE_USE_FINDERS = not CASEWORK_STATIC_HASHED
WHITENOISE_AUTOREFRESH = False


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Request size (core.limits): a body larger is answered 413 (core.middleware.RequestSizeMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = limits.REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = limits.REQUEST_FIELDS

# Retention and disposal (retention app, docs/decisions/0026): disposing of a record with more documents than this
# needs a second, different person's approval (adoption, looked-after and care leavers' records always do).
CASEWORK_RETENTION_SECOND_APPROVAL_DOCUMENTS = int(os.environ.get("CASEWORK_RETENTION_SECOND_APPROVAL_DOCUMENTS", "20"))
