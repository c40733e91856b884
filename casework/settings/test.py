"""Settings for the test suite: real PostgreSQL, fast password hashing, demo mode off (MFA enforced)."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-casework-key-0123456789abcdef"  # noqa: S105
CASEWORK_DEMO_MODE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]

# Each test run gets its own database, so two runs (a developer's and CI's, or two terminals) never collide.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405  (live-server threads must not hold connections at teardown)
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": "test_casework_" + os.environ.get("CASEWORK_TEST_DB_SUFFIX", str(os.getpid()))
}

# Documents (issue 14): stored in a folder of the test run's own, never the checkout's data folder.
# The folder is removed when the process that made it exits, so test runs leave nothing behind in /tmp.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

_documents_folder = tempfile.mkdtemp(prefix="casework-test-documents-")
atexit.register(shutil.rmtree, _documents_folder, ignore_errors=True)
STORAGES["documents"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": _documents_folder, "base_url": None},
}
CASEWORK_VIRUS_SCANNER = "none"
