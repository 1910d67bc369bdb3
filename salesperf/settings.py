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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reps",
    "kpis",
    "coaching",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

WSGI_APPLICATION = "salesperf.wsgi.application"

# Database: SQLite file by default, anything django-environ understands otherwise.
DATABASES = {"default": envcheck.read_database("DATABASE_URL", default_sqlite=BASE_DIR / "db.sqlite3")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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
MEDIA_ROOT = BASE_DIR / "media"

# Celery: eager without REDIS_URL, so the embedded default needs no broker.
REDIS_URL = envcheck.read_redis_url("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = SALESPERF_TIME_ZONE
# KPI recompute schedule: KPI_NIGHTLY_WEEKS, KPI_NIGHTLY_TIME, KPI_WEEKLY_TIME (see kpis/schedule.py).
from kpis import schedule as kpi_schedule  # noqa: E402  (no models: safe to import here)

KPI_NIGHTLY_WEEKS = kpi_schedule.read_nightly_weeks()
from coaching import schedule as coaching_schedule  # noqa: E402  (no models either)

CELERY_BEAT_SCHEDULE: dict = {**kpi_schedule.beat_schedule(), **coaching_schedule.beat_schedule()}

# Coaching time is shown as a share of the working time: working days × this many hours.
COACHING_WORKDAY_HOURS = envcheck.read_int("COACHING_WORKDAY_HOURS", default=8, low=1, high=24)

# Email (coaching reminders): printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = envcheck.read_int("EMAIL_PORT", default=25, low=1, high=65535)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = envcheck.read_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = envcheck.read_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    envcheck.fail("EMAIL_USE_SSL", "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="salesperf <salesperf@localhost>")
# Where the links in emails point (the address users open salesperf at).
SALESPERF_BASE_URL = env.str("SALESPERF_BASE_URL", default="http://127.0.0.1:8000")

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "salesperf.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Where the public "CRM + Sales Opportunities" data set lives (import tests and benchmarks).
SALESPERF_DATASETS_DIR = Path(env.str("SALESPERF_DATASETS_DIR", default=str(BASE_DIR.parent / "shared" / "datasets")))
