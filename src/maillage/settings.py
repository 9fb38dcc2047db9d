"""Maillage settings: one file, driven by environment variables (see README, Configuration).

SQLite (WAL) and the in-memory channel layer by default; PostgreSQL with DATABASE_URL, Redis
for the cache, rate limits and channel layer with REDIS_URL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from maillage.core.capabilities import enabled_capabilities
from maillage.core.env import (
    ConfigurationError,
    browsable_url,
    database_config,
    env_bool,
    env_choice,
    env_colour,
    env_date,
    env_email,
    env_int,
    env_list,
    env_oidc_providers,
    env_site_path,
    env_str,
    redis_url,
    s3_storage_options,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("MAILLAGE_DATA_DIR", str(BASE_DIR.parents[1] / "var")))

DEV_SECRET_KEY = "maillage-development-key-never-use-in-production"  # noqa: S105
DEBUG = env_bool("DEBUG", default=False)
# SECRET_KEY from the environment, else from the file `maillage serve` writes on first start.
SECRET_KEY_FILE = Path(env_str("SECRET_KEY_FILE", str(DATA_DIR / "secret_key")))
SECRET_KEY = env_str("SECRET_KEY") or (
    SECRET_KEY_FILE.read_text().strip() if SECRET_KEY_FILE.is_file() else DEV_SECRET_KEY
)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ConfigurationError(
        "SECRET_KEY is the development key while DEBUG is off: set SECRET_KEY (or DEBUG=1)"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORT = env_int("PORT", 8000)
# Without SITE_URL, links in emails point at where `maillage serve` listens (HOST and PORT).
SITE_URL = (env_str("SITE_URL") or browsable_url(env_str("HOST"), PORT)).rstrip("/")

INSTALLED_APPS = [
    "maillage.core",
    "maillage.territories",
    "maillage.people",
    "maillage.organizations",
    "maillage.opendata",
    "maillage.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "channels",
    # The task queue (maillage.core.queue): Django's tasks framework and its database backend.
    "django_tasks",
    "django_tasks_db",
]

# Capabilities built on the foundation. Each is a Django app whose AppConfig declares what it
# adds (urls, API router, websockets, jobs, demo, datasets…; see maillage.core.capabilities).
# MAILLAGE_CAPABILITIES restricts them to a comma-separated subset ("none" for none).
CAPABILITY_APPS = [
    name for name in enabled_capabilities() if (BASE_DIR / name / "apps.py").is_file()
]
INSTALLED_APPS += [f"maillage.{name}" for name in CAPABILITY_APPS]

MIDDLEWARE = [
    "maillage.core.metrics.MetricsMiddleware",
    "maillage.core.logs.RequestIdMiddleware",
    "maillage.core.timing.ServerTimingMiddleware",
    # Before WhiteNoise, so that static files get the security headers too.
    "maillage.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "maillage.core.middleware.UnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "maillage.urls"
ASGI_APPLICATION = "maillage.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maillage.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_config("DATABASE_URL", str(DATA_DIR / "maillage.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = redis_url("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, dict[str, object]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("MAILLAGE_CACHE_PREFIX", "maillage"),
        }
    }
    # Redis publish/subscribe: one PUBLISH per relay and one subscription per worker, where
    # the list-based layer costs several commands per message on both sides (measured: a
    # sixth of a worker's time under 500 editors). Its delivery is at most once, which the
    # co-writing rooms already handle: a skipped sequence is loaded from the database.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    # The database cache is shared by every worker process, so rate limits hold across them
    # even without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "maillage_cache",
            # Cached page parts and counts are many small entries: Django's default of 300
            # would cull them (and the versions that key them) every few pages.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "maillage.people.backends.EmailBackend",
    "maillage.people.backends.ApiTokenBackend",
    "maillage.people.backends.ExternalIdentityBackend",
]
# Sign-in through FranceConnect, ProConnect or any OpenID Connect provider (none by default);
# see README, Configuration, and people/oidc.py.
OIDC_PROVIDERS = env_oidc_providers()
# Seconds to wait for a provider's answer before telling the person it does not respond.
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "MAILLAGE_PASSWORD_HASHERS",
    ["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
# Dates as people write them in each language ("30 juin 2025 à 18 h 00"); see maillage/formats.
FORMAT_MODULE_PATH = ["maillage.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads: the local disk by default, a private S3-compatible bucket with MAILLAGE_S3_BUCKET
# (core.storage). MEDIA_URL is where the apps' permission-checked views serve them.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# With an object store, views may redirect to signed URLs instead of streaming the files.
MEDIA_REDIRECT = env_bool("MAILLAGE_MEDIA_REDIRECT")
MEDIA_URL_SECONDS = env_int("MAILLAGE_MEDIA_URL_SECONDS", 60)
_S3_OPTIONS = s3_storage_options()
STORAGES = {
    "default": (
        {"BACKEND": "maillage.core.storage.PrivateS3Storage", "OPTIONS": _S3_OPTIONS}
        if _S3_OPTIONS
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Bodies and files past 2.5 MB are spooled to disk, not held in memory, until a service reads them.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024 // 2
# Every request body, uploads included: over it, 413 before the body is read (core.uploads).
MAX_REQUEST_BYTES = env_int("MAILLAGE_MAX_REQUEST_MB", 25) * 1024 * 1024

EMAIL_URL = env_str("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Maillage <no-reply@maillage.localhost>")
if EMAIL_URL:
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    if _email.scheme not in {"smtp", "smtps", "submission"}:
        raise ConfigurationError("EMAIL_URL must be smtp://user:password@host:port")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme in {"smtp", "submission"} and EMAIL_PORT == 587
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security: strict by default; the local HTTP server of `make run` relaxes only what needs TLS.
SECURE_HTTPS = env_bool("MAILLAGE_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("MAILLAGE_SSL_REDIRECT", default=True)
# Load balancers and Prometheus ask the web process itself, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("MAILLAGE_BEHIND_PROXY") else None
)
# Addresses (or networks) of the reverse proxies in front of Maillage: only from them is
# X-Forwarded-For believed, and only its entries they appended (core.ratelimit.client_ip).
MAILLAGE_TRUSTED_PROXIES = env_list("MAILLAGE_TRUSTED_PROXIES", [])
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Rate limits (cache-backed, hence shared by every worker): "count/period" with s, m, h, d.
RATE_LIMITS = {
    # Sign-in attempts per account, and per client address (many accounts, one password).
    "login": env_str("RATE_LIMIT_LOGIN", "5/m"),
    "login_ip": env_str("RATE_LIMIT_LOGIN_IP", "20/m"),
    "password_reset": env_str("RATE_LIMIT_PASSWORD_RESET", "5/h"),
    "verification_email": env_str("RATE_LIMIT_VERIFICATION_EMAIL", "3/h"),
    "register": env_str("RATE_LIMIT_REGISTER", "10/h"),
    "write": env_str("RATE_LIMIT_WRITE", "100/m"),
    "anonymous_write": env_str("RATE_LIMIT_ANONYMOUS_WRITE", "20/m"),
}
# Frames a second one co-writing websocket of a writer may send (a burst of ten seconds'
# worth), per connection: past it the connection is closed (4429). Readers have a fixed,
# lower limit (maillage.cowriting.consumers.FRAME_LIMITS).
COWRITING_WRITER_FRAMES_PER_SECOND = env_int("MAILLAGE_WS_WRITER_FRAMES_PER_SECOND", 200)

SHARED_DATA_DIR = env_str("MAILLAGE_SHARED_DATA", "")
# A background map by default that needs no key; an empty MAP_TILE_URL turns tiles off (maps
# still draw every shape). The attribution is required by the tile server's usage policy.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
OPEN_DATA_LICENCE = "Licence Ouverte 2.0"
PUBLISHER_NAME = env_str("MAILLAGE_PUBLISHER", "Maillage")
# The DCAT-AP catalogue (/open-data/catalog): who publishes (and its ADMS publisher type), whom
# to contact, what period the data covers and how often it changes (EU frequency vocabulary).
PUBLISHER_URI = env_str("MAILLAGE_PUBLISHER_URI", "")
CATALOG_CONTACT_NAME = env_str("MAILLAGE_CONTACT_NAME", "") or PUBLISHER_NAME
CATALOG_CONTACT_EMAIL = env_email("MAILLAGE_CONTACT_EMAIL")
# The day the accessibility statement (/accessibilite/) was last checked against the pages, as
# RGAA asks: the operator sets it at each review of their site; by default, the day this
# release's own review was done.
ACCESSIBILITY_AUDIT_DATE = env_date("MAILLAGE_ACCESSIBILITY_AUDIT_DATE") or date(2026, 12, 7)
CATALOG_FREQUENCIES = (
    "UPDATE_CONT", "CONT", "HOURLY", "DAILY", "DAILY_2", "WEEKLY", "WEEKLY_2", "WEEKLY_3",
    "BIWEEKLY", "MONTHLY", "MONTHLY_2", "MONTHLY_3", "BIMONTHLY", "QUARTERLY", "ANNUAL",
    "ANNUAL_2", "ANNUAL_3", "BIENNIAL", "TRIENNIAL", "IRREG", "NEVER", "OTHER", "UNKNOWN",
)  # fmt: skip
PUBLISHER_TYPES = (
    "LocalAuthority", "RegionalAuthority", "NationalAuthority", "SupraNationalAuthority",
    "NonProfitOrganisation", "NonGovernmentalOrganisation", "Company", "IndustryConsortium",
    "Academia-ScientificOrganisation", "StandardisationBody", "PrivateIndividual(s)",
)  # fmt: skip
PUBLISHER_TYPE = env_choice("MAILLAGE_PUBLISHER_TYPE", PUBLISHER_TYPES, "LocalAuthority")
CATALOG_FREQUENCY = env_choice("MAILLAGE_CATALOG_FREQUENCY", CATALOG_FREQUENCIES, "UPDATE_CONT")
CATALOG_START = env_date("MAILLAGE_CATALOG_START")
CATALOG_END = env_date("MAILLAGE_CATALOG_END")
if CATALOG_START and CATALOG_END and CATALOG_END < CATALOG_START:
    raise ConfigurationError("MAILLAGE_CATALOG_END is before MAILLAGE_CATALOG_START")
if PUBLISHER_URI and not PUBLISHER_URI.startswith(("http://", "https://")):
    raise ConfigurationError(f"MAILLAGE_PUBLISHER_URI={PUBLISHER_URI!r} is not an http(s) IRI")
# The operator: its name in every page's header and title, its logo beside it, its colour on
# links and buttons (refused at start-up unless white text on it meets WCAG AA), and the address
# the accessibility statement gives for reporting a barrier.
SITE_NAME = env_str("MAILLAGE_SITE_NAME", "") or "Maillage"
SITE_LOGO_URL = env_site_path("MAILLAGE_LOGO_URL")
SITE_COLOUR = env_colour("MAILLAGE_COLOUR", "#1e40af")
# `maillage serve` ticks the periodic jobs' scheduler (it enqueues them; workers run them).
MAILLAGE_JOBS = env_bool("MAILLAGE_JOBS", True)
# The task queue (maillage.core.queue): rows in the database, run by `maillage worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# `maillage serve` starts one worker process itself: always on SQLite, on PostgreSQL when 1.
MAILLAGE_EMBEDDED_WORKER = env_bool("MAILLAGE_EMBEDDED_WORKER", False)
# A failing task is tried this many times in all, waiting RETRY_SECONDS × 2^(attempt-1) between.
MAILLAGE_QUEUE_ATTEMPTS = env_int("MAILLAGE_QUEUE_ATTEMPTS", 4)
MAILLAGE_QUEUE_RETRY_SECONDS = env_int("MAILLAGE_QUEUE_RETRY_SECONDS", 30)
# A task still "running" after this long lost its worker (killed): it is tried again.
MAILLAGE_QUEUE_STALE_SECONDS = env_int("MAILLAGE_QUEUE_STALE_SECONDS", 3 * 3600)
# Readiness fails when the oldest ready task has waited longer than this (no worker runs).
MAILLAGE_QUEUE_MAX_LAG_SECONDS = env_int("MAILLAGE_QUEUE_MAX_LAG_SECONDS", 900)
# Server-Timing headers (app, django, db): off in production unless asked, on in DEBUG.
SERVER_TIMING = env_bool("MAILLAGE_SERVER_TIMING", DEBUG)

# /metrics (Prometheus): from these addresses or networks, or with "Authorization: Bearer
# $MAILLAGE_METRICS_TOKEN"; with neither set it answers 404 to everyone.
MAILLAGE_METRICS_ALLOWED = env_list("MAILLAGE_METRICS_ALLOWED", [])
MAILLAGE_METRICS_TOKEN = env_str("MAILLAGE_METRICS_TOKEN", "")

# MAILLAGE_LOG_FORMAT=json: one JSON object a line (time, level, logger, message, request id).
LOG_FORMAT = env_choice("MAILLAGE_LOG_FORMAT", ("plain", "json"), "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "maillage.core.logs.RequestIdFilter"},
        "anonymous_access": {"()": "maillage.core.logs.AnonymousAccessFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "maillage.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A client's address is personal data; a query string may carry a token or an email.
        "uvicorn.access": {"filters": ["anonymous_access"]},
        "uvicorn.error": {"filters": ["anonymous_access"]},
    },
}
