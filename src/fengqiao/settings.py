"""Fengqiao settings: one module, driven by environment variables.

FENGQIAO_HOME          where the embedded database, uploads and static files live (default ./var)
FENGQIAO_DATABASE_URL  postgres://user@host/db switches from the embedded SQLite to PostgreSQL
FENGQIAO_DEBUG         "1" for development; production refuses to start with it on
FENGQIAO_SECRET_KEY    required in production
FENGQIAO_PRODUCTION    "1" turns on the production checks
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("FENGQIAO_HOME", Path.cwd() / "var")).resolve()

PRODUCTION = env_flag("FENGQIAO_PRODUCTION")
DEBUG = env_flag("FENGQIAO_DEBUG", default=False)
DEV_SECRET_KEY = "fengqiao-development-key-not-for-production"
SECRET_KEY = os.environ.get("FENGQIAO_SECRET_KEY", DEV_SECRET_KEY)

if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("生产模式下不得开启 DEBUG（FENGQIAO_DEBUG）。")
if PRODUCTION and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("生产模式必须设置 FENGQIAO_SECRET_KEY。")

ALLOWED_HOSTS = os.environ.get("FENGQIAO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("FENGQIAO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "fengqiao.core",
    "fengqiao.accounts",
    "fengqiao.areas",
    "fengqiao.people",
    "fengqiao.audit",
    "fengqiao.units",
    "fengqiao.cases",
    "fengqiao.mediation",
    "fengqiao.api",
    "fengqiao.search",
    "fengqiao.analytics",
    "fengqiao.meetings",
    "fengqiao.demo",
    "fengqiao.accounts.admin_config.FengqiaoAdminConfig",  # django.contrib.admin, our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ from gunicorn itself: no other web server is needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fengqiao.audit.middleware.AuditContextMiddleware",
    "fengqiao.accounts.middleware.IdleTimeoutMiddleware",
    "fengqiao.core.shell.WriteMarkMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "fengqiao.urls"
WSGI_APPLICATION = "fengqiao.wsgi.application"

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
                "fengqiao.core.context_processors.shell",
            ],
        },
    }
]
# ``{{ form }}`` renders Tabler markup (fengqiao/core/templates/fengqiao/forms/).
FORM_RENDERER = "fengqiao.core.forms.FormRenderer"

# --- Database ---------------------------------------------------------------
DATABASE_URL = os.environ.get("FENGQIAO_DATABASE_URL", "")
# PostgreSQL: the hot write paths keep their statements prepared on each connection
# (core.db.postgresql.preparing_cursor). Set FENGQIAO_DATABASE_PREPARED=0 behind a
# connection pooler that cannot keep prepared statements (PgBouncer in transaction mode
# before 1.21, or without max_prepared_statements).
DATABASE_PREPARED = os.environ.get("FENGQIAO_DATABASE_PREPARED", "1") != "0"
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    HOME.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            # Django's SQLite backend whose threads queue for the write lock on a lock of
            # their own process rather than in SQLite's sleeping busy handler.
            "ENGINE": "fengqiao.core.db.sqlite",
            "NAME": HOME / "fengqiao.sqlite3",
            # Kept between requests, as PostgreSQL's are: a new connection per request
            # ran the pragmas, registered the SQL functions and began with an empty page
            # cache (intake at 100k: 14.2 -> 9.5 ms of CPU, bench/README "session 4").
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # WAL lets readers run beside the writer; FULL syncs every commit:
                # an accepted case must survive a power cut. Each thread's connection
                # keeps a private page cache of 16 MB (64 MB was 256 MB for a worker's
                # four threads: finding 8); the OS page cache holds the rest once for
                # every process. (A 256 MB mmap_size was measured too: less private
                # memory, but mapped pages count in each worker's RSS, 373 MB.)
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches -------------------------------------------------------------------
# Per process. "shell": the layout's badges and role list per signed-in browser
# (fengqiao/core/shell.py); 0 seconds turns it off (the test suite does, tests/conftest.py).
SHELL_CACHE_SECONDS = int(os.environ.get("FENGQIAO_SHELL_CACHE_SECONDS", "30"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shell": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shell",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "fengqiao.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_MAX_FAILURES = int(os.environ.get("FENGQIAO_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("FENGQIAO_LOGIN_LOCKOUT_MINUTES", "15"))
SESSION_IDLE_TIMEOUT = int(os.environ.get("FENGQIAO_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION and env_flag("FENGQIAO_HTTPS", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Language and time -------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
# The layout and the vendored front-end libraries (see static/vendor/README.md).
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise reads this folder when the app starts; it warns if it is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files are private: never under STATIC or a public MEDIA_URL; they are
# served only through access-checked views.
MEDIA_ROOT = HOME / "private"
MEDIA_URL = "/private-files-are-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Logging -------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {"handlers": ["console"], "level": os.environ.get("FENGQIAO_LOG_LEVEL", "WARNING")},
}

TRUST_X_FORWARDED_FOR = env_flag("FENGQIAO_TRUST_X_FORWARDED_FOR")

# Outbound notifications: "log" writes them to the log; a webhook URL may replace it.
NOTIFY_CHANNEL = os.environ.get("FENGQIAO_NOTIFY_CHANNEL", "log")
