"""Settings for the test suite: real PostgreSQL, fast password hashing, demo mode off (MFA enforced)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-casework-key-0123456789abcdef"  # noqa: S105
CASEWORK_DEMO_MODE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
