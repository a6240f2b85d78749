"""Django settings for HBMM, read from the environment (see README "Configuration")."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from hbmm import crypto, var
from hbmm.env import env_bool, env_header, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("HBMM_HOME", str(Path.cwd())))
VAR_DIR = var.var_dir()


# Installs that predate the separate keys derived both from SECRET_KEY (see _field_key).
_LEGACY_INSTALL = not (VAR_DIR / "field_encryption_key").exists() and (
    (VAR_DIR / "secret_key").exists() or (VAR_DIR / "hbmm.sqlite3").exists()
)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/."""
    return env_str("SECRET_KEY") or var.key_file(
        VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(50)
    )


SECRET_KEY = _secret_key()


def _field_key() -> str:
    """FIELD_ENCRYPTION_KEY from the environment, else the key generated once into var/.

    A var/ that already held data encrypted with the key older versions derived from
    SECRET_KEY gets, after its new key, that derived key as a decryption-only key: the data
    stays readable, and `hbmm rotate_keys` moves it to the new key."""
    configured = env_str("FIELD_ENCRYPTION_KEY")
    if configured:
        return configured

    def generate() -> str:
        new = crypto.new_field_key()
        return f"{new},{crypto.fernet_key(SECRET_KEY).decode()}" if _LEGACY_INSTALL else new

    return var.key_file(VAR_DIR / "field_encryption_key", generate)


def _pseudonym_key() -> str:
    """PSEUDONYM_KEY from the environment, else the key generated once into var/ (for a var/
    of an older version, its SECRET_KEY: the person keys already stored stay the same)."""
    return env_str("PSEUDONYM_KEY") or var.key_file(
        VAR_DIR / "pseudonym_key",
        lambda: SECRET_KEY if _LEGACY_INSTALL else secrets.token_urlsafe(50),
    )


# Keys of personal data (hbmm/crypto.py). Without DEBUG they must be set in the environment,
# unless the database is an SQLite file on this machine (checks hbmm.E001/E002, hbmm/checks.py).
FIELD_ENCRYPTION_KEY = _field_key()
PSEUDONYM_KEY = _pseudonym_key()
HBMM_KEYS_FROM_ENVIRONMENT = {
    name: bool(env_str(name)) for name in ("FIELD_ENCRYPTION_KEY", "PSEUDONYM_KEY")
}

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where users open HBMM: links in e-mails are absolute (a mail client cannot open a path).
BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

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
    "drf_spectacular",
    "django_filters",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "hbmm.web",
    "hbmm.places",
    "hbmm.accounts",
    "hbmm.intake",
    "hbmm.mobility",
    "hbmm.health",
    "hbmm.feedback",
    "hbmm.supplies",
    "hbmm.response",
    "hbmm.protection",
    "hbmm.reports",
    "hbmm.jobs",
    "hbmm.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hbmm.web.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "hbmm.accounts.middleware.AuditContextMiddleware",
    "hbmm.routers.ReplicaReadsMiddleware",
    "hbmm.web.middleware.AsOfMiddleware",  # reads its default inside the replica's reads
]

ROOT_URLCONF = "hbmm.urls"
WSGI_APPLICATION = "hbmm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hbmm.web.context_processors.navigation",
                "hbmm.web.context_processors.demo_flag",
                "hbmm.web.context_processors.as_of",
            ],
        },
    },
]


# Connections kept for a minute: opening one per request costs PostgreSQL's server a process
# and a login, which halved the OpenRosa rate (issue 19). The health check replaces, at the
# start of a request, a connection the server dropped (restart, idle timeout).
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60)


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        # Created 0600 before SQLite opens it (SQLite would create it 0644).
        var.private_file(VAR_DIR / "hbmm.sqlite3")
        url = f"sqlite:///{VAR_DIR / 'hbmm.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while a sync or an import writes; IMMEDIATE takes the write
        # lock at BEGIN so concurrent writers queue instead of failing half-way. A 64 MiB page
        # cache (the default is 2 MiB) keeps the indexes of a million imported rows in memory.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        # Tests on a file, not in memory: concurrent writers then queue as in production
        # (shared-cache memory databases fail at once with "table is locked").
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    return config


DATABASES = {"default": _database()}
# A read replica (PostgreSQL streaming replication) for the dashboards' and reports' reads:
# hbmm/routers.py. Tests use the primary (TEST MIRROR).
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            env_str("DATABASE_REPLICA_URL"), conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
        ),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["hbmm.routers.ReplicaRouter"]
# The views whose GET reads go to the replica (fnmatch patterns of "namespace:name").
HBMM_REPLICA_VIEWS = [
    "home",
    "reports:*",
    "mobility:index",
    "health:index",
    "feedback:index",
    "supplies:index",
    "response:index",
    "api:*",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hbmm.accounts.backends.UsernameOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
# HTTPS in production (README, "Production"): behind a TLS-terminating proxy, the header it
# sets on HTTPS requests ("X-Forwarded-Proto: https"); redirect plain HTTP; HSTS.
SECURE_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The health probe (/healthz) answers over plain HTTP too: nginx and monitors ask it locally.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading HSTS is a decision about the whole domain, taken by its owner (hstspreload.org):
# HBMM does not ask it (SECURE_HSTS_PRELOAD=1 when they do).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Lockout (hbmm/accounts/lockout.py): AXES_FAILURE_LIMIT failures of one account from one
# address lock it from that address; HBMM_LOCKOUT_ACCOUNT_LIMIT failures from all addresses
# lock it everywhere; a lock ends AXES_COOLOFF_MINUTES after the last counted failure, and
# tries refused during a lock do not prolong it.
AXES_HANDLER = "hbmm.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
HBMM_LOCKOUT_ACCOUNT_LIMIT = env_int("HBMM_LOCKOUT_ACCOUNT_LIMIT", 50)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# "Alice", "alice" and alice@example.org share one failure counter.
AXES_USERNAME_CALLABLE = "hbmm.accounts.backends.axes_username"
# The client's address (lockout, audit log): REMOTE_ADDR, or behind HBMM_PROXY_COUNT reverse
# proxies that append to X-Forwarded-For, the address the outermost of them saw.
HBMM_PROXY_COUNT = env_int("HBMM_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "hbmm.accounts.services.client_ip"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "fr")
# The language of text HBMM stores (quarantine reasons), whoever triggered the processing.
HBMM_DATA_LANGUAGE = env_str("HBMM_DATA_LANGUAGE", LANGUAGE_CODE)
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# Each app keeps its own locale/ directory; the shared modules outside apps (tabular.py,
# checks.py...) have theirs here.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"  # Mali is UTC+0 all year; the server stores UTC.
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 3600

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hbmm@localhost")

REST_FRAMEWORK = {
    # The API (/api/v1/, hbmm.api): personal access tokens, or the session of the pages' own
    # calls. Basic authentication is not offered: a password is not an API credential.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hbmm.accounts.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "hbmm.accounts.api_auth.ReadOnlyTokenPermission",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["hbmm.accounts.api_auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env_str("HBMM_API_RATE", "1200/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "URL_FORMAT_OVERRIDE": None,  # ?format=csv is the lists' export (hbmm.api), not a renderer
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HBMM API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "The records and figures of HBMM, scoped to the token's user (docs/api.md).",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema is served to signed-in users only, like every other page (drf-spectacular
    # serves it to anyone by default; found by tests/accounts/test_access_matrix.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# HBMM's own settings.
# Public outputs (`hbmm publish`): counts from 1 to HBMM_PUBLIC_MIN_CELL - 1 are suppressed,
# with the complements that keep them from being worked out (hbmm.disclosure).
HBMM_PUBLIC_MIN_CELL = env_int("HBMM_PUBLIC_MIN_CELL", 5)
# An API token's owner is told by e-mail this many days before it expires (once).
HBMM_API_TOKEN_REMINDER_DAYS = env_int("HBMM_API_TOKEN_REMINDER_DAYS", 7)
HBMM_COUNTRY_ISO3 = env_str("HBMM_COUNTRY_ISO3", "MLI")
# Land border closure date (ISO); the mobility figures count flows up to it. The demo sets one.
HBMM_BORDER_CLOSURE_DATE = env_str("HBMM_BORDER_CLOSURE_DATE", "")
# OpenRosa Basic authentication sends the password: refused over plain HTTP unless DEBUG or
# this switch (a LAN deployment without TLS, at its own risk), as ODK Central refuses it.
HBMM_OPENROSA_ALLOW_HTTP = env_bool("HBMM_OPENROSA_ALLOW_HTTP", DEBUG)
# Largest OpenRosa submission or uploaded file accepted, in bytes.
HBMM_MAX_UPLOAD_BYTES = env_int("HBMM_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = HBMM_MAX_UPLOAD_BYTES
# An XLSX file is refused before it is read when its parts expand beyond this in all, or one
# part more than this many times its compressed size (hbmm/tabular.py: ZIP bombs).
HBMM_XLSX_MAX_UNCOMPRESSED_BYTES = env_int("HBMM_XLSX_MAX_UNCOMPRESSED_BYTES", 1024**3)
HBMM_XLSX_MAX_RATIO = env_int("HBMM_XLSX_MAX_RATIO", 100)
# Uploaded files and their directories are private to HBMM's user, as the rest of var/.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Background work (Django's task framework, `hbmm.jobs`) --------------------------------
# The database backend by default: `hbmm worker` (started by `make run` beside gunicorn) runs
# the tasks stored in the database, nothing more to install. With REDIS_URL, tasks go to RQ on
# Redis and `hbmm worker` runs an RQ worker, on this machine or others. See docs/architecture.md.
REDIS_URL = env_str("REDIS_URL")
HBMM_TASKS_QUEUE = env_str("HBMM_TASKS_QUEUE", "hbmm")
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    # A long import must not be cut by RQ's default 180 s job timeout. ("default" is the
    # connection django-tasks-rq reads task results through.)
    RQ_QUEUES = {
        "default": {"URL": REDIS_URL},
        HBMM_TASKS_QUEUE: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 24 * 3600},
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [HBMM_TASKS_QUEUE]}}
else:
    TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [HBMM_TASKS_QUEUE]}
    }
# A running job's worker proves it is alive every HEARTBEAT seconds; a job with no proof for
# LEASE seconds is taken for lost (worker killed, machine gone) and queued again, at most
# MAX_ATTEMPTS runs in all. Every TICK seconds each worker recovers lost jobs and starts the
# pulls that are due.
HBMM_JOBS_HEARTBEAT_SECONDS = env_int("HBMM_JOBS_HEARTBEAT_SECONDS", 10)
HBMM_JOBS_LEASE_SECONDS = env_int("HBMM_JOBS_LEASE_SECONDS", 120)
HBMM_JOBS_TICK_SECONDS = env_int("HBMM_JOBS_TICK_SECONDS", 15)
HBMM_JOBS_MAX_ATTEMPTS = env_int("HBMM_JOBS_MAX_ATTEMPTS", 3)
# Pulls re-read this many seconds behind their watermark: a server stamps a submission when
# its insert transaction starts and shows it at commit, so a row stamped earlier can appear
# after a later one was pulled (docs/forms.md, "Pulls"). Rows already stored are skipped.
HBMM_PULL_LOOKBACK_SECONDS = env_int("HBMM_PULL_LOOKBACK_SECONDS", 900)
# Files jobs produced (PDF reports) are deleted this many days after (they are made again on
# demand); the jobs themselves stay.
HBMM_JOBS_FILES_KEEP_DAYS = env_int("HBMM_JOBS_FILES_KEEP_DAYS", 7)
# An OpenRosa submission is answered once stored and mapped by the worker's job, in batches
# (twice the rate); True maps it in the request, as a setup without a worker needs.
HBMM_OPENROSA_MAP_IN_REQUEST = env_bool("HBMM_OPENROSA_MAP_IN_REQUEST", False)
# Supplies: a stock is "low" when it lasts fewer days than this at the last 4 weeks' use; the
# daily digest of low stocks and unanswered capacity gaps is sent from this hour (UTC) on.
HBMM_SUPPLIES_STOCKOUT_DAYS = env_int("HBMM_SUPPLIES_STOCKOUT_DAYS", 14)
HBMM_SUPPLIES_DIGEST_HOUR = env_int("HBMM_SUPPLIES_DIGEST_HOUR", 6)
# Traveller follow-up: this many missed visits in a row (not reached) and the traveller is
# lost to follow-up.
HBMM_FOLLOWUP_MISSED_LIMIT = env_int("HBMM_FOLLOWUP_MISSED_LIMIT", 2)
# Reporting completeness: the reminders of late reports are sent from this hour (UTC) on.
HBMM_REPORTING_REMINDER_HOUR = env_int("HBMM_REPORTING_REMINDER_HOUR", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
