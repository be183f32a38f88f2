"""Production settings: every secret from the environment, HTTPS only, strict cookies."""

from pathlib import Path

from environs import Env

# A .env beside manage.py (see .env.example) feeds production only; development and tests never
# read it, so production values cannot leak into them.
Env().read_env(Path(__file__).resolve().parents[2] / ".env", recurse=False, override=False)

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Production must say where mail goes and which address links point to: the development
# defaults would fail quietly (mail to localhost, links to 127.0.0.1).
env.str("EMAIL_URL")
env.url("SITE_URL")
