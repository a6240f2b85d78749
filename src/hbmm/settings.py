"""Django settings for HBMM, read from the environment (see README "Configuration")."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from hbmm.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("HBMM_HOME", str(Path.cwd())))
VAR_DIR = Path(env_str("HBMM_VAR_DIR", str(BASE_DIR / "var")))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

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
    "hbmm.reports",
    "hbmm.jobs",
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
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'hbmm.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
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
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# "Alice", "alice" and alice@example.org share one failure counter.
AXES_USERNAME_CALLABLE = "hbmm.accounts.backends.axes_username"
# Lock the account, not the address: a field office shares one address behind its router.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "fr")
# The language of text HBMM stores (quarantine reasons), whoever triggered the processing.
HBMM_DATA_LANGUAGE = env_str("HBMM_DATA_LANGUAGE", LANGUAGE_CODE)
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS: list = []  # each app keeps its own locale/ directory
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

# Key for encrypted personal-data fields (Fernet); derived from SECRET_KEY when unset.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {"TITLE": "HBMM API", "VERSION": "0.1.0"}

# HBMM's own settings.
HBMM_COUNTRY_ISO3 = env_str("HBMM_COUNTRY_ISO3", "MLI")
# Land border closure date (ISO); the mobility figures count flows up to it. The demo sets one.
HBMM_BORDER_CLOSURE_DATE = env_str("HBMM_BORDER_CLOSURE_DATE", "")
# Map tiles under the overview's map (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png);
# empty: the shipped admin boundaries only, which need no network.
HBMM_MAP_TILE_URL = env_str("HBMM_MAP_TILE_URL", "")
# Largest OpenRosa submission or uploaded file accepted, in bytes.
HBMM_MAX_UPLOAD_BYTES = env_int("HBMM_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = HBMM_MAX_UPLOAD_BYTES

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
# Files jobs produced (PDF reports) are deleted this many days after (they are made again on
# demand); the jobs themselves stay.
HBMM_JOBS_FILES_KEEP_DAYS = env_int("HBMM_JOBS_FILES_KEEP_DAYS", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
