"""Settings for the Mali CSO Directory, read from the environment.

Development needs nothing set: SQLite next to manage.py, DEBUG on. Production sets
DEBUG=0 and must then give SECRET_KEY and ALLOWED_HOSTS, or start-up fails loudly;
DATABASE_URL (postgres://...) selects PostgreSQL, CSRF_TRUSTED_ORIGINS lists the
public https:// origins. Production is served over HTTPS behind a proxy that sets
X-Forwarded-Proto; `manage.py check --deploy` is silent with these settings
(tests/test_settings.py proves it).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-not-secret"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "axes",
    "orgs",
]

MIDDLEWARE = [
    # First: load balancers probe /healthz by IP address, over plain HTTP, with no
    # cookie; it must answer before host validation, the HTTPS redirect and sessions.
    "orgs.health.HealthCheckMiddleware",
    # Public pages served again while their data has not changed (orgs/page_cache.py):
    # outside everything else, so it keeps the final bytes and headers (compressed,
    # marked public), one copy per encoding.
    "orgs.page_cache.PageCacheMiddleware",
    # Outermost of the rest, so it compresses the final bytes (orgs/compression.py).
    "orgs.compression.SafeCompressionMiddleware",
    # Sees the cookies and the CSRF token the inner layers set (orgs/caching.py).
    "orgs.caching.PublicCacheMiddleware",
    # Under /api/ every error is JSON, whoever answered it (an unknown address, the
    # database away): it sees every response on its way out.
    "orgs.api.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "orgs.language.LanguageInAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it sees the views' exceptions: a database outage is a 503, not a 500.
    "orgs.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"

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
                "orgs.language.addresses",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A persistent connection is checked before reuse, so the site recovers by
        # itself when the database comes back after an outage.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Only an existing file is opened (mode=rw): a missing file is an error, never a
    # new empty database; `manage.py migrate` alone creates it (orgs/sqlite_file.py).
    # WAL lets pages read while a curator writes; a write transaction takes the
    # write lock when it begins (IMMEDIATE), and a second writer waits for it (the
    # timeout, in seconds) instead of failing when both try to write at once.
    _name = str(DATABASES["default"]["NAME"])
    if _name and _name != ":memory:" and not _name.startswith("file:"):
        DATABASES["default"]["NAME"] = f"file:{_name}?mode=rw"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's own parts of Django, only where they can work: they import the
    # PostgreSQL driver, a tenth of a second of a SQLite server's start.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_filters"), "django.contrib.postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Bamako"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production: compressed files with hashed names, which WhiteNoise serves with
# far-future cache headers (needs `collectstatic`; the test session collects them
# too). Development serves the source files as they are, with no manifest to build.
HASHED_STATIC_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else HASHED_STATIC_STORAGE
    },
}

# HTTPS. Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
# SECURE_SSL_REDIRECT can be turned off for a proxy that redirects by itself.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy, in development too so the tests see it: nothing inline,
# nothing from elsewhere. The Django admin runs under it (its scripts are files).
# Django 6 has this built in; on 5.2 LTS django-csp 4 provides it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
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
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
SEEDS_DIR = BASE_DIR / "seeds"
# Where `manage.py build_snapshot` writes the dated snapshot the Data page offers.
SNAPSHOT_DIR = Path(os.environ.get("SNAPSHOT_DIR", BASE_DIR / "snapshots"))

# Failed admin logins: lock a username+address pair after five failures for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is REMOTE_ADDR (axes' default), never X-Forwarded-For, which a client
# can forge to dodge the lock. Behind a proxy that means a username is locked for
# everyone for the hour: a nuisance, but no password can be guessed.

# Caches. "limits" holds the public forms' per-address counts (orgs/rate_limit.py):
# a table in the database, so every gunicorn worker and every server counts together
# (a per-process memory cache would let each worker allow its own quota). Migration
# 0005 creates the table, so `migrate` is all a deployment needs.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "submission_limits",
    },
}

# Participation: what readers may send, and the links organisations confirm with.
SUBMISSIONS_PER_HOUR = int(os.environ.get("SUBMISSIONS_PER_HOUR", "5"))
# Behind a proxy every reader has the proxy's REMOTE_ADDR: name the header the proxy
# sets to the client's address (e.g. X-Real-IP), never one a client could send itself.
CLIENT_ADDRESS_HEADER = os.environ.get("CLIENT_ADDRESS_HEADER", "")
CONFIRMATION_LINK_DAYS = int(os.environ.get("CONFIRMATION_LINK_DAYS", "14"))
SUBMITTER_EMAIL_KEPT_DAYS = 90
# The site's address, for links in emails sent outside a request (the daily digest).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Email: curators hear of submissions, submitters of the outcome. Development prints
# messages to the console; tests use Django's in-memory outbox; production sends by
# SMTP with the EMAIL_* variables.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # port 465
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)  # STARTTLS, port 587
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "directory@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
