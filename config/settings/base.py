"""Settings shared by every environment, read from environment variables with strict parsing.

A malformed value (a bool that is not a bool, a URL that does not parse) stops start-up with an
error naming the variable, rather than silently falling back to a default.
"""

from pathlib import Path
from urllib.parse import urlparse

from django.utils.csp import CSP
from environs import Env

from .email_url import mailer_from_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = Env()

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
# Absolute links in e-mails are built on this (scheme and host, no trailing slash).
SITE_URL = env.url("SITE_URL", urlparse("http://127.0.0.1:8000")).geturl().rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_countries",
    "notifications",
    "accounts",
    "institutions",
    "rotations",
    "applicants",
    "preceptors",
    "matching",
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so its refusal is a page of the site with every header above (no middleware reads
    # a body before the view: CSRF reads the form in process_view, after this has run).
    "config.middleware.RequestSizeLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "config.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.dj_db_url("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL")
# Redis is a cache and a broker, not the store of record: while it is stopped or hung the site
# goes on without it (config/cache.py). Loopback or LAN Redis answers in a millisecond, so a
# quarter of a second is generous and still lets a request give up well under a second.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", 0.25)
# After one failure a process leaves Redis alone this long (cache and publishing alike), so a hung
# server costs one timeout per process per interval instead of one per call.
REDIS_RETRY_AFTER = env.float("REDIS_RETRY_AFTER", 5)
# The cache may live in a Redis of its own, one that evicts old keys when full; the broker's must
# never evict (a lost key there is a lost task). Unset, the cache shares the broker's Redis.
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", REDIS_URL)
CACHES = {
    # allauth's rate limits and DRF's throttles: they must keep counting while Redis is away.
    "default": {
        "BACKEND": "config.cache.FailoverCache",
        "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_AFTER": REDIS_RETRY_AFTER},
    },
    # Anonymous search answers (rotations/search_cache.py): while Redis is away they are simply
    # not cached. In PostgreSQL they would push the rate-limit counters out of its bounded table.
    "search": {
        "BACKEND": "config.cache.FailoverCache",
        "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "none", "RETRY_AFTER": REDIS_RETRY_AFTER},
    },
    "redis": {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "KEY_PREFIX": "rotamatch",
        # redis-py's pool makes no retries of its own; a refused connection fails at once.
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    },
    # Shared by every process, so rate limits keep their numbers while Redis is away. Its table
    # is made by a migration (config 0001_cache_table) and by the test database's creation.
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "rotamatch_cache",
        "KEY_PREFIX": "rotamatch",
        # Counters are a few bytes each; culling (past MAX_ENTRIES, in key order) would forget some.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
    "none": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the login, and it must be verified before the first login.
SITE_ID = 1
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Rotamatch] "
# allauth's defaults (login failures, sign-ups, resets per IP and per key) stay on; they count in
# the shared Redis cache, or in PostgreSQL while Redis is unreachable (config/cache.py), so every
# web worker sees the same counters either way.
# How many proxies of ours stand in front of gunicorn and append to X-Forwarded-For (the TLS
# proxy, and docker-compose.yml's load balancer): allauth's per-address limits and the document
# verification page's count the address those proxies saw. 0 ignores the header, which anyone
# could forge; then every checker behind a proxy counts as the proxy's one address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", 60 * 60 * 12)
# Read from the cache (Redis, or the database cache while Redis is away), written through to the
# database: every signed-in request reads its session, and Redis answers faster than a query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

MAILERS = {"default": mailer_from_url(env.str("EMAIL_URL", "smtp://127.0.0.1:1025"),
                                      timeout=env.int("EMAIL_TIMEOUT", 10))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Rotamatch <no-reply@rotamatch.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True
URLIZE_ASSUME_HTTPS = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", BASE_DIR / "staticfiles")
# Private uploads (passports, letters) live outside any public URL; views serve them after a check.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", BASE_DIR / "media-private")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content Security Policy: only our own scripts and styles, no inline code anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "core.api_support.SignedInRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", "60/min"),
        "user": env.str("API_THROTTLE_USER", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rotamatch API",
    "DESCRIPTION": "Search rotations, manage listings, applications and placements.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Stable enum names in the schema, so a later `status` or `kind` field elsewhere cannot clash.
    "ENUM_NAME_OVERRIDES": {
        "ListingStatusEnum": "rotations.choices.ListingStatus",
        "InstitutionKindEnum": "institutions.models.Institution.Kind",
        "ApplicationStatusEnum": "matching.models.Status",
        "CompetencyLevelEnum": "preceptors.models.Level",
        "ReviewStatusEnum": "preceptors.models.ReviewStatus",
        "LetterStatusEnum": "preceptors.models_letters.LetterStatus",
        "LetterAccessKindEnum": "preceptors.models_letters.LetterAccess.Kind",
        "RejectReasonEnum": "preceptors.models.RejectReason",
        "ApplicationActionEnum": "matching.moves.MOVES",
        "DocumentStatusEnum": "applicants.choices.DocumentStatus",
        "DocumentKindEnum": "rotations.choices.DocumentKind",
        "ExamStatusEnum": "applicants.choices.ExamStatus",
        "VisaEnum": "rotations.choices.Visa",
        "SpecialtyEnum": "rotations.choices.Specialty",
        "USStateEnum": "localflavor.us.us_states.STATE_CHOICES",
        "CountryEnum": "django_countries.countries",
    },
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", "celery")
# A publish while Redis is stopped or hung must give up in half a second (the outbox row waits
# for the sweep, which is the retry), not hold the request that wrote it: no retry of its own,
# and short socket timeouts. Workers wait for tasks with BRPOP on kombu's event loop, which
# these timeouts do not cut short; a healthy Redis answers any other command in a millisecond.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 30.0},
    # /readyz reports the worker stale when the newest beat is older than WORKER_HEARTBEAT_STALE.
    "heartbeat": {"task": "notifications.tasks.heartbeat", "schedule": 30.0, "options": {"expires": 25}},
    "send-reminders": {"task": "notifications.tasks.send_reminders", "schedule": 15 * 60.0},
    "purge-outbox": {"task": "notifications.tasks.purge_outbox", "schedule": 24 * 3600.0},
    "refresh-next-start": {"task": "rotations.tasks.refresh_next_start", "schedule": 3600.0},
    # Offers past their deadline expire within five minutes (idempotent: a row lock per offer).
    "expire-offers": {"task": "matching.tasks.expire_offers", "schedule": 5 * 60.0},
    # Open offers on dates whose last seat was just accepted go back to the waitlist within a minute.
    "requeue-surplus-offers": {"task": "matching.tasks.requeue_surplus_offers", "schedule": 60.0,
                               "options": {"expires": 55}},  # no backlog while workers are down
    # Match rounds open, close and run within a minute of their dates.
    "advance-match-rounds": {"task": "matching.tasks.advance_match_rounds", "schedule": 60.0,
                             "options": {"expires": 55}},
}

# The outbox (notifications.delivery): retries with backoff, then `failed` for an admin to see.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", 5)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", 30)
# Long enough that a message merely waiting in a busy queue is not published again and again.
OUTBOX_SWEEP_AFTER_SECONDS = env.float("OUTBOX_SWEEP_AFTER_SECONDS", 120)
OUTBOX_STALE_SENDING_SECONDS = env.float("OUTBOX_STALE_SENDING_SECONDS", 600)
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", 90)
# Rows per broker message and per claim: a transaction's rows go to the workers together, and a
# worker claims and sends them over one SMTP connection.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", 50)
# A worker process keeps its SMTP connection open between messages, and opens a fresh one after
# this long unused (below common server idle timeouts, so a quiet spell does not cost a failure).
OUTBOX_SMTP_IDLE_SECONDS = env.float("OUTBOX_SMTP_IDLE_SECONDS", 30)
# Three missed heartbeats (one every 30 s) before /readyz calls the workers stale.
WORKER_HEARTBEAT_STALE = env.float("WORKER_HEARTBEAT_STALE", 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
}

# Reviews and evaluations (preceptors): the windows in days after a rotation's end date, the
# seal (a placement's review and evaluation are revealed together when both are in, or this many
# days after the end), and the fewest published reviews before any are shown.
REVIEW_WINDOW_DAYS = env.int("REVIEW_WINDOW_DAYS", 60)
REVIEW_SEAL_DAYS = env.int("REVIEW_SEAL_DAYS", 14)
REVIEWS_MIN_PUBLISHED = env.int("REVIEWS_MIN_PUBLISHED", 3)

# Listing search filters, counts and orders its matches in each process's own index of the
# listings (rotations/search_index.py), caught up from PostgreSQL before every search; off, every
# search is a query (as the few the index cannot answer always are).
SEARCH_INDEX = env.bool("SEARCH_INDEX", True)
EVALUATION_OPENS_DAYS_BEFORE_END = env.int("EVALUATION_OPENS_DAYS_BEFORE_END", 6)
EVALUATION_WINDOW_DAYS = env.int("EVALUATION_WINDOW_DAYS", 30)

# The document vault: uploads larger than this are refused (and never stored).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Any request body beyond one document and its form fields is refused (413) before it is read.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", DOCUMENT_MAX_BYTES + 1024 * 1024)

# The NPPES NPI Registry (API 2.1), e.g. https://npiregistry.cms.hhs.gov/api/; empty = no lookups.
NPI_REGISTRY_URL = env.str("NPI_REGISTRY_URL", "")
NPI_REGISTRY_TIMEOUT = env.float("NPI_REGISTRY_TIMEOUT", 3.0)
# Preceptor photos: refused above this size, stored at most this many pixels on a side.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", 5 * 1024 * 1024)
PHOTO_MAX_PIXELS = 512

# Letters of recommendation (preceptors): the author's upload link and a program's share link
# last this many days; a letter is one PDF of at most LETTER_MAX_BYTES; the author is reminded
# this many days after the request until the letter is in; the applicant hears this many days
# before an unused link expires.
LETTER_LINK_DAYS = env.int("LETTER_LINK_DAYS", 30)
LETTER_SHARE_DAYS = env.int("LETTER_SHARE_DAYS", 30)
LETTER_MAX_BYTES = env.int("LETTER_MAX_BYTES", 2 * 1024 * 1024)
LETTER_REMINDER_DAYS = env.list("LETTER_REMINDER_DAYS", [7, 14, 21], subcast=int)
LETTER_LINK_EXPIRY_NOTICE_DAYS = env.int("LETTER_LINK_EXPIRY_NOTICE_DAYS", 3)
LETTER_SHARE_MAX = 4  # the ERAS limit of letters per program

# Recommendations and the road to the Match (matching/recommend.py): the date programs start
# receiving applications for each Match year (JSON, e.g. {"2028": "2027-09-24"}; a season not
# listed opens on September 25 of the year before), and the weeks a letter's author typically needs.
MATCH_SEASON_OPENS = env.json("MATCH_SEASON_OPENS", {})
LETTER_AUTHOR_WEEKS = env.int("LETTER_AUTHOR_WEEKS", 6)
RECOMMENDATIONS_PER_PAGE = 20

# The public verification page of issued documents (matching/views_issued.py): failed look-ups
# allowed per address in the window before it answers 429.
VERIFY_FAILURES_PER_WINDOW = env.int("VERIFY_FAILURES_PER_WINDOW", 20)
VERIFY_WINDOW_SECONDS = env.int("VERIFY_WINDOW_SECONDS", 15 * 60)
