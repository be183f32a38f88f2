"""Settings for the test suite: the same PostgreSQL and Redis as `make run`, fast hashing, e-mail kept in memory."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("EMAIL_URL", "memory://")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CACHES["redis"]["KEY_PREFIX"] = f"rotamatch-test-{os.getpid()}"  # noqa: F405
# Off, so that the suite's many API calls are never refused; the Redis outage tests turn them on
# for the site they serve, since DRF's throttles count in the cache.
if not env.bool("TEST_API_THROTTLES", False):
    REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []  # noqa: F405
# Parallel runs on one server (two checkouts, a developer and a helper) each name their own.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", "test_rotamatch")}  # noqa: F405
# Static files come straight from static/ through the finders; nothing is collected here.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# E-mails are sent inline when the transaction commits, into Django's in-memory outbox; the tests
# of the real worker switch this off and start worker processes of their own.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_DEFAULT_QUEUE = f"celery-{DATABASES['default']['TEST']['NAME']}"  # noqa: F405
# Uploaded documents of the tests go to a throw-away directory, never the developer's vault.
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="rotamatch-test-media-")
STORAGES["default"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT  # noqa: F405
# The browser journeys sign in through the login form from 127.0.0.1 more often than allauth's
# default 30 a minute; every other limit (failed logins, sign-ups, resets) stays as in production.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000/m/ip"}  # noqa: F405
