"""Settings for the POS, read from the environment (12-factor).

Every value has a safe development default so that `make run` works on a bare
machine (SQLite, in-memory channel layer); `DATABASE_URL` and `REDIS_URL` switch to
PostgreSQL and Redis. `manage.py check --deploy` flags what production must set.
"""

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)
# The development key is public by design; `check --deploy` rejects it in production.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-development-key-change-me-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    # Translated model fields (name_en, name_nl); it must come before the admin to patch its forms.
    "modeltranslation",
    # Django's admin, on a site that asks for the password whatever PIN session the browser holds.
    "staff.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "idempotency",
    "staff",
    "tables",
    "orders",
    "printing",
    "kitchen",
    "billing",
    "pms_integration",
    "waiter",
    "backoffice",
    "demo",
]

MIDDLEWARE = [
    "config.request_limits.ApiNoStoreMiddleware",
    "config.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.content_security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staff.middleware.IdleSignOutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
# Test databases are named per process so that two test runs on one machine never
# share one; SQLite's is a file so that a real daphne started by a test can open it.
_test_db_suffix = f"{os.getpid()}"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tablets write concurrently: wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"tafel-test-{_test_db_suffix}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_test_db_suffix}"}

REDIS_URL = os.environ.get("REDIS_URL", "")
# A test run split over processes (pytest-xdist): each worker is an installation of its own,
# with its own Redis database and channel prefix, so that one's cache flush or broadcast
# never reaches another. Empty outside such a run.
_test_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _test_worker.startswith("gw") and os.environ.get("TAFEL_WORKER_REDIS_URL") != REDIS_URL:
    _redis = urlsplit(REDIS_URL)
    _redis_db = int(_redis.path.strip("/") or 0) + 1 + int(_test_worker[2:])
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_redis_db}"))
    # Processes the tests start (daphne, a worker) inherit the environment: they take this
    # worker's database as it is instead of moving one further.
    os.environ["REDIS_URL"] = os.environ["TAFEL_WORKER_REDIS_URL"] = REDIS_URL


def default_channel_prefix(database: dict) -> str:
    """One installation, one prefix: derived from its database (engine, host, port, name).

    Redis pub/sub channels ignore the database number in REDIS_URL, so two installations
    on one Redis would hear each other's tickets without their own prefix. Every process
    of one installation (daphne, workers) shares the database, hence the prefix.
    """
    identity = "|".join(str(database.get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME"))
    identity += f"|{_test_worker}" if _test_worker else ""
    return f"tafel.{hashlib.sha256(identity.encode()).hexdigest()[:12]}."


CHANNEL_PREFIX = os.environ.get("CHANNEL_PREFIX") or default_channel_prefix(DATABASES["default"])
if REDIS_URL:
    # The database is the truth and sockets only notify (with resync), so the
    # at-most-once pub/sub layer fits and is the fastest (see DESIGN.md).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": CHANNEL_PREFIX},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds what every process must see alike (PIN guess counters): Redis when
# there is one, this process's memory otherwise. Keys carry the installation's prefix,
# as its channels do, so installations that share a Redis stay apart.
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX") or CHANNEL_PREFIX
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": CACHE_KEY_PREFIX}}

# Live screens hear a keep-alive this often, carrying the latest number (kitchen) or
# version (floor, bill) from the database: a screen that missed a message catches up
# within this many seconds even when nothing else happens.
LIVE_KEEPALIVE_SECONDS = float(os.environ.get("LIVE_KEEPALIVE_SECONDS", "3"))

# Background work (print jobs, later PMS postings) runs from rows in the database,
# claimed by `manage.py db_worker` processes with SKIP LOCKED: several may run at once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "printing", "billing", "pms"]}}

# Printers: a short socket timeout (python-escpos defaults to 60 s) and the retry
# delays in seconds before a job fails over to the backup printer.
PRINTER_TIMEOUT = float(os.environ.get("PRINTER_TIMEOUT", "3"))
PRINT_RETRY_DELAYS = [float(s) for s in os.environ.get("PRINT_RETRY_DELAYS", "2,5,15").split(",") if s]
# Seconds a worker may hold a print job (and a task) before it is presumed dead: at least
# this, and at least ten PRINTER_TIMEOUTs (see printing.models.claim_lease).
PRINT_CLAIM_LEASE = float(os.environ.get("PRINT_CLAIM_LEASE", "30"))
# python-escpos caches its printer database as a pickle, rewritten (not atomically) by any
# install whose copy is newer: one cache per checkout, so two checkouts never read each
# other's half-written file.
os.environ.setdefault(
    "ESCPOS_CAPABILITIES_PICKLE_DIR",
    str(Path(tempfile.gettempdir()) / f"tafel-escpos-{hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]}"),
)
Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]).mkdir(parents=True, exist_ok=True)  # escpos fails without it

AUTH_USER_MODEL = "staff.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "waiter:sign-in"

# Passwords (the back office) and PIN sessions (the tablets) are told apart by the backend
# that signed the session in: the admin only opens for the first.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "staff.backends.PinSessionBackend"]

# Wrong PINs are counted in the cache, per client (address and tablet) and per person;
# they never lock a PIN. A client may type PIN_TRIES_BEFORE_WAIT wrong PINs for one person
# (PIN_CLIENT_TRIES_BEFORE_WAIT for anyone) before it must wait PIN_FIRST_WAIT_SECONDS,
# doubling with each further wrong PIN up to PIN_LONGEST_WAIT_SECONDS; per person the same
# after PIN_PERSON_TRIES_BEFORE_WAIT wrong PINs from any client (but never on a tablet where
# the person signed in before and has not failed). At most PIN_GUESSES_PER_MINUTE guesses a
# minute per client and per person. Failures are forgotten after PIN_FAILURE_MEMORY_MINUTES
# without one.
PIN_TRIES_BEFORE_WAIT = int(os.environ.get("PIN_TRIES_BEFORE_WAIT", "3"))
PIN_CLIENT_TRIES_BEFORE_WAIT = int(os.environ.get("PIN_CLIENT_TRIES_BEFORE_WAIT", "10"))
PIN_PERSON_TRIES_BEFORE_WAIT = int(os.environ.get("PIN_PERSON_TRIES_BEFORE_WAIT", "10"))
PIN_FIRST_WAIT_SECONDS = int(os.environ.get("PIN_FIRST_WAIT_SECONDS", "1"))
PIN_LONGEST_WAIT_SECONDS = int(os.environ.get("PIN_LONGEST_WAIT_SECONDS", "900"))
PIN_GUESSES_PER_MINUTE = int(os.environ.get("PIN_GUESSES_PER_MINUTE", "10"))
PIN_FAILURE_MEMORY_MINUTES = int(os.environ.get("PIN_FAILURE_MEMORY_MINUTES", "60"))

# Shared tablets go back to the PIN pad after this many idle minutes; kitchen screens
# (devices) go back to their pairing page after the longer device limit.
IDLE_SIGN_OUT_MINUTES = float(os.environ.get("IDLE_SIGN_OUT_MINUTES", "10"))
DEVICE_IDLE_SIGN_OUT_MINUTES = float(os.environ.get("DEVICE_IDLE_SIGN_OUT_MINUTES", "720"))

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Names guests, waiters and cooks read (items, categories, modifiers, courses, tenders, outlets,
# stations) are stored once per language (name_en, name_nl, see <app>/translation.py). A screen
# shows its own language and, where that one is empty, the other. The default language is fixed
# (not LANGUAGE_CODE) because it shapes the fields, and so the migrations.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en",), "en": ("nl",), "nl": ("en",)}
# The admin shows each translated field's languages as tabs (jQuery UI). modeltranslation would
# load jQuery UI from a CDN, which the CSP refuses: it comes from npm and is served here
# (config/vendor_static.py); jQuery is the admin's own.
JQUERY_URL = "admin/js/vendor/jquery/jquery.min.js"
JQUERY_UI_URL = "vendor/jquery-ui.min.js"
# Kitchen tickets print in the kitchen's language, whoever sends or fires the course; bills and
# receipts print in the language of the screen that prints them.
KITCHEN_LANGUAGE = os.environ.get("KITCHEN_LANGUAGE", LANGUAGE_CODE)
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Amsterdam")
# Dates and times per language: Django's Dutch, our 24-hour English (config/formats/en).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

# Money is integer minor units everywhere; this names the currency and its decimals.
CURRENCY = os.environ.get("CURRENCY", "EUR")
CURRENCY_DECIMALS = int(os.environ.get("CURRENCY_DECIMALS", "2"))
# Cash totals are rounded to this many cents (5 in the Netherlands; 1 means no rounding).
CASH_ROUNDING = int(os.environ.get("CASH_ROUNDING", "5"))

# E-mail (guests' receipts): SMTP from the environment when EMAIL_HOST is set, else mails are
# printed on the console (`make run` on a laptop). EMAIL_TIMEOUT bounds every wait on the server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (port 465), not both.")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "receipts@tafel.localhost")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
# A guest's receipt link (QR code) works this many hours; one check's receipt is e-mailed at most
# this many times an hour.
RECEIPT_LINK_HOURS = float(os.environ.get("RECEIPT_LINK_HOURS", "72"))
RECEIPT_EMAILS_PER_CHECK = int(os.environ.get("RECEIPT_EMAILS_PER_CHECK", "5"))

# A business day runs until this local time the next morning (a bar open past midnight).
BUSINESS_DAY_ENDS_AT = os.environ.get("BUSINESS_DAY_ENDS_AT", "05:00")

# Card payments: Stripe Terminal, server-driven. The API base is a setting so that
# tests (and a staging proxy) can stand in for api.stripe.com.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Poll a card payment this often when no webhook came, and give up after this long.
CARD_POLL_SECONDS = float(os.environ.get("CARD_POLL_SECONDS", "3"))
CARD_PAYMENT_TIMEOUT = float(os.environ.get("CARD_PAYMENT_TIMEOUT", "120"))

# Room charges to OPERA Cloud (Oracle Hospitality Integration Platform): the gateway's
# address and the integration's OAuth client (client credentials); each hotel's id is
# on its PMS link. Tests point the URL at a local server that speaks the same API.
OPERA_CLOUD_URL = os.environ.get("OPERA_CLOUD_URL", "")
OPERA_CLOUD_CLIENT_ID = os.environ.get("OPERA_CLOUD_CLIENT_ID", "")
OPERA_CLOUD_CLIENT_SECRET = os.environ.get("OPERA_CLOUD_CLIENT_SECRET", "")
OPERA_CLOUD_APP_KEY = os.environ.get("OPERA_CLOUD_APP_KEY", "")
OPERA_CLOUD_SCOPE = os.environ.get("OPERA_CLOUD_SCOPE", "")
# Seconds to wait for an answer; a posting still unanswered then is reconciled, never resent.
OPERA_CLOUD_TIMEOUT = float(os.environ.get("OPERA_CLOUD_TIMEOUT", "20"))

# The FIAS link process (`manage.py pms_link`) writes its heartbeat this often; one silent for
# the lease is taken as dead: the link shows down and another process may take it over.
PMS_LINK_HEARTBEAT = float(os.environ.get("PMS_LINK_HEARTBEAT", "2"))
PMS_LINK_LEASE = float(os.environ.get("PMS_LINK_LEASE", "10"))

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.vendor_static.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "config.storage.StaticStorage" if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["config.authentication.PosSessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.openapi.PosAutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.handle_api_exception",
    "DEFAULT_PARSER_CLASSES": [
        "config.json_parser.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tafel POS API",
    "DESCRIPTION": "Restaurant and hospitality point of sale: floor, orders, kitchen.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.close_response_objects",
    ],
}

# No request of ours comes near this; a bigger body is refused (413) before it is read.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(256 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# Content-Security-Policy (django-csp): scripts only from our own files, never inline.
# Styles allow 'unsafe-inline' because the screens' ES modules set style attributes
# (table positions on the floor plan, category colours). The middleware adds the
# request's own ws:// and wss:// origin to connect-src (older Safari does not count
# them as 'self').
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}},
}
