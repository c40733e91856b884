"""Production: secrets and hosts from the environment, HTTPS only, MFA for everyone, mail by SMTP.

Refuses to start (with a message saying what to change) on the development settings' secret key, a short one, debug
on, or demo mode asked for: each would expose real records."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEVELOPMENT_SECRET_KEY

_MINIMUM_SECRET_KEY_LENGTH = 50


def _refuse(problem: str, fix: str) -> None:
    raise ImproperlyConfigured(f"Casework will not start with production settings: {problem}. {fix}")


SECRET_KEY = os.environ.get("CASEWORK_SECRET_KEY", "")
if not SECRET_KEY:
    _refuse("CASEWORK_SECRET_KEY is not set", "Set it to a long random value, kept secret.")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY or "not-secret" in SECRET_KEY:
    _refuse("CASEWORK_SECRET_KEY is the public key of the demo", "Set it to a long random value, kept secret.")
if len(SECRET_KEY) < _MINIMUM_SECRET_KEY_LENGTH:
    _refuse(
        f"CASEWORK_SECRET_KEY is shorter than {_MINIMUM_SECRET_KEY_LENGTH} characters",
        'Make one with: python3 -c "import secrets; print(secrets.token_urlsafe(50))"',
    )
if os.environ.get("CASEWORK_DEBUG", "0") != "0" or os.environ.get("DJANGO_DEBUG"):
    _refuse("debug is on (CASEWORK_DEBUG)", "Unset CASEWORK_DEBUG: debug pages show settings and records.")
if os.environ.get("CASEWORK_DEMO_MODE", "0") != "0":
    _refuse(
        "demo mode is on (CASEWORK_DEMO_MODE)",
        "Unset CASEWORK_DEMO_MODE: demo mode lets users sign in without a second factor.",
    )
DEBUG = False
CASEWORK_DEMO_MODE = False

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("CASEWORK_SSL_REDIRECT", "1") == "1"
# /healthz is asked over plain HTTP by load balancers on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# The proxy in front says whether the browser's connection was HTTPS; it must set (not pass on) this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Static files: collected with hashed names and compressed copies, served with a year's cache (base.py).
CASEWORK_STATIC_HASHED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
# Documents (issue 14): the local filesystem under the data folder (base.py), or, with CASEWORK_DOCUMENTS_S3_BUCKET,
# an S3-compatible bucket created with Object Lock on and a default retention in compliance mode, so no one (not even
# Casework) can overwrite or delete a stored original (docs/evidence/system-description.md). django-storages'
# credentials come from the usual AWS_* environment or the machine's role; names are never overwritten.
if os.environ.get("CASEWORK_DOCUMENTS_S3_BUCKET"):
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["CASEWORK_DOCUMENTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("CASEWORK_DOCUMENTS_S3_ENDPOINT") or None,
            "region_name": os.environ.get("CASEWORK_DOCUMENTS_S3_REGION") or None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256", "ChecksumAlgorithm": "SHA256"},
        },
    }
else:
    STORAGES["documents"] = CASEWORK_DOCUMENTS_LOCAL_STORAGE  # noqa: F405

# Mail always goes by SMTP (CASEWORK_EMAIL_HOST, _PORT, _USER, _PASSWORD, _USE_TLS, _FROM): never into the log.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("CASEWORK_EMAIL_HOST", "localhost")
