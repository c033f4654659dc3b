"""One settings module, read from the environment (see README.md).

Without DATABASE_URL the app runs on a SQLite file under var/; without
REDIS_URL Celery tasks run in-process (eager).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "csp",
    "kongchuo",
    "students",
    "cases",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.security.NoStoreForSignedInMiddleware",
    "common.security.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "common.requestinfo.ClientIPMiddleware",
    # Last: turns a locked-out login into the Chinese login page (AXES_LOCKOUT_TEMPLATE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kongchuo.urls"

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
                "students.context_processors.nav",
            ],
        },
    },
]

WSGI_APPLICATION = "kongchuo.wsgi.application"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kongchuo.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A database that restarted is reconnected to on the next request, without
# restarting the app: a kept connection is checked before it is reused.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("KONGCHUO_DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Reference data (the seeds' ladders, the dispositions' evidence lists): loaded
# once by data migrations, and by `manage.py loaddata <name>`.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # Every transaction takes the write lock when it begins (BEGIN IMMEDIATE),
    # and a second writer waits for it up to `timeout` seconds. With SQLite's
    # default (deferred) transactions two requests that both read and then
    # write fail the second at once with "database is locked", whatever the
    # timeout: it cannot wait for a lock the first needs it to give up.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's rules, with Chinese messages (common/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "common.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "common.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "common.passwords.CommonPasswordValidator"},
    {"NAME": "common.passwords.NumericPasswordValidator"},
]

# Password guessing: django-axes counts failed logins per user name and
# address; after KONGCHUO_LOGIN_FAILURE_LIMIT of them that pair waits
# KONGCHUO_LOGIN_COOLOFF_MINUTES (the login page says so in Chinese).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("KONGCHUO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("KONGCHUO_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kongchuo.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "common.security.client_ip"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Signed out after this long without a request: activity renews it
# (common.security.IdleSessionMiddleware, at most once a minute; the same as
# SESSION_SAVE_EVERY_REQUEST without a database write on every page).
SESSION_COOKIE_AGE = env.int("KONGCHUO_SESSION_IDLE_MINUTES", default=120) * 60
SESSION_RENEW_SECONDS = 60

LANGUAGE_CODE = "zh-hans"
# Chinese only: a browser asking for English still gets Chinese messages.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests and `make run` serve static files straight from the app folders.
WHITENOISE_USE_FINDERS = not STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise")
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"

# Security: safe by default. A deployment is HTTPS unless it says otherwise:
# an intranet served over plain HTTP sets DJANGO_SECURE_SSL_REDIRECT=0 and
# DJANGO_SECURE_COOKIES=0 (README.md, "Production"); then the HTTPS-only
# checks of `check --deploy` are silenced and kongchuo.I001 notes it instead.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
PLAIN_HTTP = not DEBUG and not SECURE_SSL_REDIRECT and not SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_HSTS_SECONDS", default=31536000 if SECURE_SSL_REDIRECT and not DEBUG else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if PLAIN_HTTP:
    SILENCED_SYSTEM_CHECKS = [
        "security.W004",  # HSTS
        "security.W008",  # SSL redirect
        "security.W012",  # session cookie over HTTPS only
        "security.W016",  # CSRF cookie over HTTPS only
    ]
# X-Forwarded-Proto / X-Forwarded-For are believed only behind the compose
# file's nginx (deploy/nginx.conf sets both, overriding the client's).
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"  # templates/403_csrf.html

# Content-Security-Policy: everything from this site, no inline script or
# style (scripts live in static/js/), nothing from outside.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "common.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: eager in-process without REDIS_URL.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A worker killed in the middle of a task (OOM, SIGKILL, a restart) gives the
# message back to the broker: another worker runs it again from the start
# (every task is one transaction, or idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A message taken by a worker that vanished entirely comes back after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("KONGCHUO_BROKER_VISIBILITY_SECONDS", default=3600)
}
# A broker that is down answers fast: the outbox (students/outbox.py) keeps the task.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# 四查三比对: every county on the 1st of each month, and again once each
# county term has run its term-start check window (开学后10日内: the county's
# term_check_days school days of its own terms, cases/term_start.py).
# A history row's reason is as long as the note it keeps (a reopen or status
# note runs to 300-500 characters; the default column holds 100).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

CELERY_BEAT_SCHEDULE = {
    "crosschecks-monthly": {
        "task": "students.tasks.run_monthly_crosschecks",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    "crosschecks-term-start": {
        "task": "cases.tasks.term_start_checks",
        "schedule": crontab(minute=0, hour=19),
    },
    # The morning of each school day: the term lists' deadlines (000, 004
    # "开学后10日内"), made on a term's first day, found made afterwards.
    "term-lists-daily": {
        "task": "cases.tasks.term_list_deadlines",
        "schedule": crontab(minute=0, hour=6),
    },
    # After school: the absence scan, the ladder, returns, follow-ups, overdue
    # flags (a day that is no school day for a calendar does nothing there).
    "daily-checks": {
        "task": "cases.tasks.daily_checks",
        "schedule": crontab(minute=30, hour=18),
    },
    # Retention: erase the sensitive details of children who left compulsory
    # education more than JurisdictionSettings.retention_years ago.
    # Tasks that waited in the outbox while Redis was down (students/outbox.py).
    "send-outbox": {
        "task": "students.tasks.send_outbox",
        "schedule": 60.0,
    },
    "retention-nightly": {
        "task": "cases.tasks.erase_expired_personal_data",
        "schedule": crontab(minute=15, hour=3),
    },
}

# Imports: one sheet at most this big / this long (a clear message otherwise).
IMPORT_MAX_BYTES = env.int("KONGCHUO_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("KONGCHUO_IMPORT_MAX_ROWS", default=50_000)
IMPORT_MAX_COLUMNS = env.int("KONGCHUO_IMPORT_MAX_COLUMNS", default=256)
# An .xlsx is a zip: its members' uncompressed total and each one's ratio.
IMPORT_MAX_UNZIPPED_BYTES = env.int("KONGCHUO_IMPORT_MAX_UNZIPPED_BYTES", default=300 * 1024 * 1024)
IMPORT_MAX_RATIO = env.int("KONGCHUO_IMPORT_MAX_RATIO", default=100)
# A batch still checking or importing after this long is shown as failed
# (its worker died): the user uploads it again.
IMPORT_STUCK_MINUTES = env.int("KONGCHUO_IMPORT_STUCK_MINUTES", default=30)

# After downtime, beat's daily run first catches up the days it missed since
# each county's last completed scan, at most this many school days back
# (cases/ladder/catchup.py). An operations setting, not a county's rule: it
# is about how long this server may have been down, the same for every county.
KONGCHUO_CATCH_UP_SCHOOL_DAYS = env.int("KONGCHUO_CATCH_UP_SCHOOL_DAYS", default=10)

# PDF forms (reports/pdf/): the font families, first found wins. GB/T 9704
# asks for 仿宋 (body) and 小标宋 (titles), which are not free; Debian's
# fonts-noto-cjk is the default, and a deployment holding licensed faces
# names them here (comma-separated family names known to fontconfig).
KONGCHUO_PDF_BODY_FONTS = env.list(
    "KONGCHUO_PDF_BODY_FONTS", default=["Noto Serif CJK SC", "Noto Serif CJK", "serif"]
)
KONGCHUO_PDF_TITLE_FONTS = env.list(
    "KONGCHUO_PDF_TITLE_FONTS", default=["Noto Serif CJK SC", "Noto Serif CJK", "serif"]
)

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # failed logins and lockouts (WARNING), not every successful one
    "loggers": {"axes": {"level": "WARNING"}},
}
