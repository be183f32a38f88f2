"""Development settings for `make run`: debug on, e-mail written to files under .dev/mail/."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", f"file://{Path(__file__).resolve().parents[2] / '.dev' / 'mail'}")

from .base import *  # noqa: E402,F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Static files come straight from static/ through the finders; nothing is collected here.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
