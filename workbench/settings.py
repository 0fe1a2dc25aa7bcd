"""Settings for the workbench, read from environment variables.

Development needs nothing set: SQLite in the project folder, a generated secret key kept in
`.secret_key`, in-process background tasks. Production sets `WORKBENCH_PROFILE=production`
(DEBUG off by default, secure cookies, HSTS) and must provide `SECRET_KEY`, `ALLOWED_HOSTS`
and `DATABASE_URL`.
"""

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from annotate.lib.recommend.addresses import AddressListError, parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _dev_secret_key() -> str:
    """A random key kept beside the code so development sessions survive restarts."""
    key_file = BASE_DIR / ".secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


PROFILE = env_str("WORKBENCH_PROFILE", "development")
if PROFILE not in {"development", "production"}:
    raise ImproperlyConfigured("WORKBENCH_PROFILE must be 'development' or 'production'")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = _dev_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files for /api/docs/, pinned and served from here (no CDN: see SECURE_CSP).
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "corpus",
    "annotate",
    # Site-wide management commands (backup, restore); no models.
    "workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "workbench.middleware.RequestLogMiddleware",
    "workbench.middleware.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "workbench.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "workbench.wsgi.application"
ASGI_APPLICATION = "workbench.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # Django's default: no "SELECT 1" before each request's first query (a round trip on
        # every API call). After a database restart each worker's next request fails once
        # (the annotation page retries it); DB_CONN_HEALTH_CHECKS=1 trades speed for that.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page read while an import writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server (not spliced into the SQL text), and a statement run
    # five times on a connection prepared there (Django turns psycopg's preparing off unless
    # OPTIONS asks for it), so PostgreSQL stops parsing and planning the hot queries (and the
    # JSON of every autosave) again on each request. Both off behind a transaction-pooling
    # proxy such as PgBouncer, which cannot keep prepared statements.
    _server_side = env_bool("DB_SERVER_SIDE_BINDING", True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=_server_side, prepare_threshold=5 if _server_side else None
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: Django's hook after every password change and reset revokes API tokens.
    {"NAME": "annotate.tokens.RevokeApiTokensOnPasswordChange"},
]

# Logins (form and POST /api/auth/token/), throttled before the password hash is computed:
# see workbench/login_limits.py. A locked username opens again when its window ends.
LOGIN_WINDOW_SECONDS = env_int("LOGIN_WINDOW_SECONDS", 15 * 60)
LOGIN_ATTEMPTS_PER_IP = env_int("LOGIN_ATTEMPTS_PER_IP", 30)
LOGIN_FAILURES_PER_USER = env_int("LOGIN_FAILURES_PER_USER", 10)
# Password checks running at once, from all addresses together (per cache: see CACHE_BACKEND).
LOGIN_CONCURRENT = env_int("LOGIN_CONCURRENT", 4)
# Password reset requests per window from one address, and mails per window to one address.
RESET_REQUESTS_PER_IP = env_int("RESET_REQUESTS_PER_IP", 10)
RESET_MAILS_PER_ADDRESS = env_int("RESET_MAILS_PER_ADDRESS", 3)

# Where a project's external model server may be, besides public addresses (see
# annotate/lib/recommend/addresses.py): comma-separated networks such as 10.0.0.0/8.
try:
    EXTERNAL_MODEL_NETWORKS = parse_networks(env_list("EXTERNAL_MODEL_NETWORKS", []))
except AddressListError as exc:
    raise ImproperlyConfigured(f"EXTERNAL_MODEL_NETWORKS: {exc}") from None
# Proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
# REST API login tokens expire this many days after login.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
# How long a project invitation link stays valid.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)

# The login counters live in the cache: per process by default, shared by every app server
# with CACHE_BACKEND=database (run `manage.py createcachetable` once).
CACHE_BACKEND = env_str("CACHE_BACKEND", "locmem")
if CACHE_BACKEND == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_BACKEND == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "workbench_cache",
        }
    }
else:
    raise ImproperlyConfigured("CACHE_BACKEND must be 'locmem' or 'database'")

# Password reset mails: SMTP through EMAIL_HOST (in production a local mail server by default);
# printed to the console in development unless EMAIL_HOST is set.
_email_host = env_str("EMAIL_HOST", "localhost" if PRODUCTION else "")
_email_port = env_int("EMAIL_PORT", 25 if _email_host in {"", "localhost"} else 587)
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": _email_port,
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=_email_port == 587),
                "use_ssl": env_bool("EMAIL_USE_SSL", default=_email_port == 465),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "workbench@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The interface speaks English and Arabic; Arabic pages are laid out right-to-left.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
EXPORT_ROOT = MEDIA_ROOT / "exports"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: article files can be large, but not unbounded.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call gets 401 with WWW-Authenticate, not 403.
        "annotate.api.authentication.LeanTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested deeper than any of our documents is a 400 before it reaches json.loads.
    "DEFAULT_PARSER_CLASSES": [
        "annotate.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "NUM_PROXIES": NUM_PROXIES or None,
    "DEFAULT_PAGINATION_CLASS": "workbench.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "workbench.openapi.WorkbenchAutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Arabic Annotation Workbench API",
    "DESCRIPTION": (
        "Projects, articles, queues, annotations, agreement, gold and exports. "
        "Offsets are Unicode code points into the article text as stored."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Ids in paths: 0 to 18 digits (workbench/converters.py).
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
}

# Background work: in-process by default; a real queue in production.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
TASKS: dict[str, dict[str, Any]]
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'immediate' or 'database'")
# A running job beats its heartbeat every quarter lease; one silent for a whole lease lost its
# worker (killed, crashed, cut off) and is failed so that it can be retried.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60)
if JOB_LEASE_SECONDS < 1:
    raise ImproperlyConfigured("JOB_LEASE_SECONDS must be at least 1")
JOB_HEARTBEAT_SECONDS = JOB_LEASE_SECONDS / 4

# No inline script anywhere: page data travels through json_script, code through static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the annotation page reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One JSON line per request; on in production, quiet in development and tests.
        "workbench.requests": {
            "level": env_str("REQUEST_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING"),
        },
    },
}
