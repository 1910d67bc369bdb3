"""Settings for salesperf, read from the environment.

With nothing set, salesperf runs on its embedded default: a SQLite file in the project
folder and Celery tasks run eagerly in the web process. Set ``DATABASE_URL`` and
``REDIS_URL`` to run on PostgreSQL with a real Celery worker and beat. Every variable is
listed in README.md; a bad value stops the start with a message naming the variable.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from salesperf import envcheck

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = envcheck.read_bool("DEBUG", default=True)

SECRET_KEY = envcheck.read_secret_key("SECRET_KEY", debug=DEBUG)
ALLOWED_HOSTS = envcheck.read_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    envcheck.fail("ALLOWED_HOSTS", "must list the host names the app is served on when DEBUG=0")
CSRF_TRUSTED_ORIGINS = envcheck.read_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reps",
    "kpis",
    "coaching",
    "forecasts",
    "imports",
    "accounts",
    "audit",
]

MIDDLEWARE = [
    "salesperf.views.HealthCheckMiddleware",  # first: no SSL redirect, no host check (container probes)
    "django.middleware.security.SecurityMiddleware",
    "salesperf.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.UserLanguageMiddleware",  # the user's chosen language, after LocaleMiddleware
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who changed a quota or target
    "salesperf.db_router.ReplicaReadsMiddleware",  # dashboard reads from DATABASE_REPLICA_URL, if set
]

ROOT_URLCONF = "salesperf.urls"

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
                "reps.context_processors.navigation",
                "kpis.context_processors.stale_figures",
            ],
        },
    },
]

WSGI_APPLICATION = "salesperf.wsgi.application"

# Database: SQLite file by default, anything django-environ understands otherwise.
DATABASES = {"default": envcheck.read_database("DATABASE_URL", default_sqlite=BASE_DIR / "db.sqlite3")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# Connection pooling on PostgreSQL (docs/scaling.md): psycopg's pool in each process
# (DATABASE_POOL=1), and/or PgBouncer in transaction mode in front of the server (DATABASE_PGBOUNCER=1).
envcheck.apply_database_pooling(DATABASES["default"])
# A read replica for the dashboards' reads (salesperf/db_router.py); in tests it mirrors default.
DATABASE_REPLICA_URL = envcheck.read_replica_url("DATABASE_REPLICA_URL", primary=DATABASES["default"])
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = envcheck.read_database("DATABASE_REPLICA_URL", default_sqlite=BASE_DIR / "db.sqlite3")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    envcheck.apply_database_pooling(DATABASES["replica"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["salesperf.db_router.ReplicaRouter"]
# The covering index's INCLUDE columns are a PostgreSQL speed-up; SQLite (the embedded default)
# builds the index without them, so its warning on every `make run` says nothing to act on.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
# A kept connection the server dropped (restart, failover, pg_terminate_backend) is noticed at
# the start of the next request and replaced, instead of failing that request with a 500.
for _alias in DATABASES:
    DATABASES[_alias].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.RevokeApiTokensOnPasswordChange"},
]
# Django's ModelBackend that refuses a locked-out client before checking any password.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]

# Failed logins (page, admin, API token): after LOGIN_FAILURE_LIMIT failures for one username from
# one address within LOGIN_LOCKOUT_SECONDS, that address waits LOGIN_LOCKOUT_SECONDS (accounts/guard.py).
LOGIN_FAILURE_LIMIT = envcheck.read_int("LOGIN_FAILURE_LIMIT", default=5, low=1, high=1000)
LOGIN_LOCKOUT_SECONDS = envcheck.read_int("LOGIN_LOCKOUT_SECONDS", default=900, low=1, high=86400)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use the peer address).
NUM_PROXIES = envcheck.read_int("NUM_PROXIES", default=0, low=0, high=10)
# API tokens expire this many hours after they are issued; logout and a password change revoke them.
API_TOKEN_HOURS = envcheck.read_int("API_TOKEN_HOURS", default=24, low=1, high=24 * 366)

# The lockout counters live in the cache: one shared by all web processes when CACHE_URL is set.
CACHE_URL = envcheck.read_redis_url("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "salesperf"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions: in the database by default (every web replica reads them there); with CACHE_URL,
# SESSION_STORE=cached_db reads them from Redis and writes both, SESSION_STORE=cache keeps them in
# Redis only (docs/scaling.md). A per-process cache would log users out between replicas.
SESSION_STORE = envcheck.read_choice("SESSION_STORE", default="db", choices=("db", "cached_db", "cache"))
if SESSION_STORE != "db" and not CACHE_URL:
    envcheck.fail("SESSION_STORE", f"{SESSION_STORE!r} needs CACHE_URL (a Redis shared by every web process)")
SESSION_ENGINE = f"django.contrib.sessions.backends.{SESSION_STORE}"

# Password reset mails: printed on the console unless EMAIL_URL names an SMTP server
# (smtp+tls://user:password@mail.example.com:587).
vars().update(envcheck.read_email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="salesperf <salesperf@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = envcheck.read_int("PASSWORD_RESET_TIMEOUT", default=3 * 3600, low=60, high=7 * 86400)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation. The organisation has one time zone (shared KPI definitions, "Time").
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [
    ("en", _("English")),
    ("el", _("Greek")),
    ("fr", _("French")),
    ("fa", _("Persian")),
    ("nb", _("Norwegian Bokmål")),
    ("hu", _("Hungarian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our overrides of the locales' formats (the week starts on Monday in every language).
FORMAT_MODULE_PATH = ["salesperf.formats"]
USE_I18N = True
USE_TZ = True
SALESPERF_TIME_ZONE = envcheck.read_time_zone("SALESPERF_TIME_ZONE", default="UTC")
TIME_ZONE = SALESPERF_TIME_ZONE
SALESPERF_CURRENCY = envcheck.read_currency("SALESPERF_CURRENCY", default="EUR")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "salesperf.staticfinders.PlotlyJsFinder",  # plotly.js from the pinned plotly package
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded import files wait here for the worker: web and worker must share this folder.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Celery: eager without REDIS_URL, so the embedded default needs no broker.
REDIS_URL = envcheck.read_redis_url("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Results are kept only where a task says so: the shards of a parallel KPI recompute, whose
# chord callback needs them (kpis.tasks). Redis holds them for a day.
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A write must never wait long on a broker that is down: give up quickly and let the outbox
# keep the work (docs/operations.md).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# A message a worker took and did not acknowledge (acks_late: the worker died mid-task) is
# delivered again after the visibility timeout, so a lost task reruns within minutes. Tasks
# are idempotent, and an import still running when its message comes back is not run twice
# (imports.services.import_job_run). Workers look for such messages every few seconds.
TASK_VISIBILITY_TIMEOUT = envcheck.read_int("TASK_VISIBILITY_TIMEOUT", default=600, low=1, high=7 * 24 * 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": TASK_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": min(10, TASK_VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = SALESPERF_TIME_ZONE
# KPI recompute schedule: KPI_NIGHTLY_WEEKS, KPI_NIGHTLY_TIME, KPI_WEEKLY_TIME (see kpis/schedule.py).
from kpis import schedule as kpi_schedule  # noqa: E402  (no models: safe to import here)

KPI_NIGHTLY_WEEKS = kpi_schedule.read_nightly_weeks()
# Shards (of contiguous reps) the nightly and weekly runs are split into for the workers to share.
KPI_RECOMPUTE_SHARDS = envcheck.read_int("KPI_RECOMPUTE_SHARDS", default=8, low=1, high=1000)
# Sort and hash memory (PostgreSQL work_mem, MB) of a full or nightly recompute's transaction:
# each running shard may use a few times this (docs/scaling.md).
KPI_RECOMPUTE_WORK_MEM_MB = envcheck.read_int("KPI_RECOMPUTE_WORK_MEM_MB", default=64, low=4, high=4096)
from coaching import schedule as coaching_schedule  # noqa: E402  (no models either)

CELERY_BEAT_SCHEDULE: dict = {
    **kpi_schedule.beat_schedule(),
    **coaching_schedule.beat_schedule(),
    "imports-requeue-waiting-jobs": {"task": "imports.tasks.requeue_waiting_jobs", "schedule": 300.0},
}

# Coaching time is shown as a share of the working time: working days × this many hours.
COACHING_WORKDAY_HOURS = envcheck.read_int("COACHING_WORKDAY_HOURS", default=8, low=1, high=24)

# Whether managers may set the quotas and activity targets of their teams (admins always may).
SALESPERF_MANAGERS_EDIT_QUOTAS = envcheck.read_bool("SALESPERF_MANAGERS_EDIT_QUOTAS", default=False)

# A quota grid posts one field per cell: 200 reps x 12 months is 2 400 (Django's default is 1 000).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Where the links in emails point (the address users open salesperf at); the mail server is EMAIL_URL.
SALESPERF_BASE_URL = env.str("SALESPERF_BASE_URL", default="http://127.0.0.1:8000")

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "salesperf.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "salesperf.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "NUM_PROXIES": NUM_PROXIES or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "salesperf API",
    "DESCRIPTION": "Activities, opportunities, quotas and KPIs of a sales team.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its docs are for people and programs that may use the API: log in first.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One name for the activity kinds, whichever field (kind, activity_kind) carries them.
    "ENUM_NAME_OVERRIDES": {"ActivityKindEnum": "reps.models.ActivityKind"},
}

# Security: strict when DEBUG is off (manage.py check --deploy passes).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envcheck.read_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (salesperf/headers.py): our origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = dict.fromkeys(
    ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb"), "()"
)

# One line per event on stderr: time (ISO 8601 with offset, in SALESPERF_TIME_ZONE), level, logger, process, message
# (docs/operations.md, "Log format").
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own console handler (DEBUG only) printed every django.* record a second time,
    # unformatted; without it each event is one line, through the root handler.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

# Where the public "CRM + Sales Opportunities" data set lives (import tests and benchmarks).
SALESPERF_DATASETS_DIR = Path(env.str("SALESPERF_DATASETS_DIR", default=str(BASE_DIR.parent / "shared" / "datasets")))
