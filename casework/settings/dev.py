"""Local development and the demo authority: `casework serve`."""

import os

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS

DEBUG = os.environ.get("CASEWORK_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("CASEWORK_SECRET_KEY") or "dev-only-not-secret-casework-demo-key-0123456789"
CASEWORK_DEMO_MODE = os.environ.get("CASEWORK_DEMO_MODE", "1") == "1"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "[::1]"]
