"""One settings file, read from the environment (healthchecks-style).

SQLite in a per-user data folder by default; DATABASE_URL switches to PostgreSQL.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
import platformdirs

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).lower() in ("1", "true", "yes", "on")


# `dangjian --help` (cli.py) must leave no trace: no data folder, no keys written.
HELP_ONLY = envbool("DANGJIAN_HELP_ONLY")


def data_dir() -> Path:
    """The data folder, readable by its owner only: it holds the database and the uploads."""
    path = Path(os.environ.get("DANGJIAN_DATA_DIR") or platformdirs.user_data_dir("dangjian", appauthor=False))
    if HELP_ONLY:
        return path
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:  # a folder we do not own (a shared mount): the system check says so
        pass
    return path


def _file_secret(name: str, nbytes: int = 50) -> str:
    """A secret generated once into the data folder (demo/dev); production sets the env var."""
    if HELP_ONLY:
        return secrets.token_urlsafe(nbytes)  # never used to sign or encrypt anything
    path = DATA_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


DATA_DIR = data_dir()
DEBUG = envbool("DEBUG")
PRODUCTION = envbool("DANGJIAN_PRODUCTION")
# In production both keys come from the environment only: a key kept next to the database would
# let a copy of the data folder (or of a backup) decrypt every ID number. Without them the system
# check `dangjian.E001` stops every command and the server (dangjian/checks.py); the throwaway
# key below only lets that check run.
MISSING_KEYS = [name for name in ("SECRET_KEY", "DANGJIAN_PII_KEY") if PRODUCTION and not os.environ.get(name)]
if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
    PII_KEY = os.environ.get("DANGJIAN_PII_KEY") or ""
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _file_secret("secret_key")
    # Key material for personal data (ID numbers, phones); see dangjian/lib/crypto.py.
    PII_KEY = os.environ.get("DANGJIAN_PII_KEY") or _file_secret("pii_key", 32)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "dangjian.orgs",
    "dangjian.jobs",
    "dangjian.members",
    "dangjian.meetings",
    "dangjian.dues",
    "dangjian.grid",
    "dangjian.kept",
    "dangjian.dashboard",
    "dangjian.plans",
    "dangjian.recruitment",
    "dangjian.reports",
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
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "dangjian.lib.web.NoStoreMiddleware",
    "dangjian.lib.web.QueryBoundsMiddleware",
    "dangjian.kept.keeping.MarkChangesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

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
                "dangjian.orgs.context_processors.nav",
                "dangjian.plans.context_processors.notifications",
            ],
        },
    },
]

def sqlite_database(name) -> dict:
    """SQLite as a multi-user server needs it: WAL (readers never block the writer), a busy
    timeout, and BEGIN IMMEDIATE so a write transaction takes the lock up front instead of
    failing with "database is locked" when it upgrades from read to write."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
        "TEST": {"NAME": os.environ.get("DANGJIAN_TEST_DB") or None},
    }


if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {"default": sqlite_database(os.environ.get("DANGJIAN_DB") or DATA_DIR / "dangjian.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (dangjian/jobs): Django's task framework API with its database backend, so the
# queue is a table in the same database and any number of `dangjian worker` processes share it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A worker on another machine that has not sent a heartbeat for this long is taken as dead and its
# running task as failed (workers on this machine are checked with the operating system).
DANGJIAN_WORKER_LEASE = float(os.environ.get("DANGJIAN_WORKER_LEASE", "60"))
# Daily runs the workers enqueue themselves (no cron): name → (task, local time, label).
DANGJIAN_DAILY = {
    "remind": ("dangjian.plans.tasks.daily_reminders", os.environ.get("DANGJIAN_REMIND_AT", "06:30"), "每日到期提醒"),
    "backup": ("dangjian.orgs.tasks.nightly_backup", os.environ.get("DANGJIAN_BACKUP_AT", "02:30"), "每日备份"),
}
# Imports from this many rows run in a worker, not in the request (the page follows their progress).
DANGJIAN_BACKGROUND_ROWS = int(os.environ.get("DANGJIAN_BACKGROUND_ROWS", "2000"))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): 5 failures per user+IP lock for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_ENABLED = envbool("AXES_ENABLED", "True")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if not HELP_ONLY:
    STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the package when collectstatic has not run
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Content-Security-Policy: everything is served from this host; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # ECharts sets inline styles on its canvas
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    # Behind HTTPS (a reverse proxy terminates TLS and sets X-Forwarded-Proto).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

if envbool("DANGJIAN_TEST_FAST_HASHER"):
    # Tests only (dangjian/testenv.py): hashing passwords at full strength dominates fixture time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
