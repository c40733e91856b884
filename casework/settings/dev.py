"""Local development and the demo authority: `casework serve`."""

import os

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DEVELOPMENT_SECRET_KEY

DEBUG = os.environ.get("CASEWORK_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("CASEWORK_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
# Demo mode is allowed here, and is on only in a database `casework seed` made (core.site.demo_mode).
CASEWORK_DEMO_MODE = os.environ.get("CASEWORK_DEMO_MODE", "1") == "1"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "[::1]"]
