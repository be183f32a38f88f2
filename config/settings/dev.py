"""Development settings for `make run`: debug on, e-mail written to files under .dev/mail/."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", "filemail://")

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, env  # noqa: E402

EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", BASE_DIR / ".dev" / "mail")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
