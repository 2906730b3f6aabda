"""Settings for POA, read from the environment (README, «Configuración» y «Producción»).

DATABASE_URL  sqlite:///path or postgres://user:pass@host/db (default: db.sqlite3 here)
SECRET_KEY    required unless DEBUG is on: without it POA refuses to start
DEBUG         1/true to enable debugging (default off)
ALLOWED_HOSTS comma separated (default localhost,127.0.0.1)
POA_SITE_URL  the address the emails link to (default http://127.0.0.1:8000)
EMAIL_HOST    when set, mail goes out through SMTP (EMAIL_PORT, EMAIL_HOST_USER,
              EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL); otherwise to the console
POA_*         the production switches below: HTTPS, sessions, login throttling, admin path,
              storage and logging
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_number(name, default, kind=int):
    value = os.environ.get(name, "").strip()
    try:
        return kind(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} debe ser un número; se recibió «{value}».") from None


DEBUG = env_bool("DEBUG")
# A fixed development key only with DEBUG; a server without SECRET_KEY refuses to start
# rather than sign sessions with a key nobody chose.
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "poa-desarrollo-clave-insegura"
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Falta SECRET_KEY: POA no arranca con DEBUG desactivado sin una clave secreta. "
        "Defina la variable de entorno SECRET_KEY con una clave larga y aleatoria, por ejemplo "
        "la que imprime: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "poa.apps.PoaConfig",
]

MIDDLEWARE = [
    # First: a crawler over its limit of public pages is turned away before anything else runs.
    "poa.web.public_gate.PublicGateMiddleware",
    # A request that waited too long for a free thread is told to try again (POA_QUEUE_SECONDS).
    "poa.web.middleware.QueueTimeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "poa.web.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "poa.web.middleware.SessionActivityMiddleware",
    "poa.web.middleware.ReadOnlyAuditorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "poa.web.middleware.DatabaseFaultMiddleware",
]

ROOT_URLCONF = "poa.urls"

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
                "poa.web.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "poa.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for a small office: a write transaction takes the write lock when it begins
    # (IMMEDIATE), so select_for_update's read-then-write cannot deadlock into "database is
    # locked"; a writer waits up to 20 s for another; WAL lets pages be read while one saves.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }

# PostgreSQL through a pool of at most POA_DB_POOL connections per process (0: one persistent
# connection per thread instead); a request that waits POA_DB_POOL_TIMEOUT seconds for one
# gets the Spanish 503 «intente de nuevo» (poa.web.middleware.DatabaseFaultMiddleware).
POA_DB_POOL = env_number("POA_DB_POOL", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and POA_DB_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": POA_DB_POOL,
        "timeout": env_number("POA_DB_POOL_TIMEOUT", 10, float),
    }

# A request that waited more than POA_QUEUE_SECONDS between the proxy and a free thread of
# gunicorn gets the Spanish 503 «intente de nuevo» (0: no limit; nginx stamps X-Request-Start).
POA_QUEUE_SECONDS = env_number("POA_QUEUE_SECONDS", 30, float)

# Argon2id first (poa.web.hashers: a tenth of PBKDF2's CPU per login; it also checks hashes
# of Django's own Argon2 parameters); the others check passwords kept before, which are
# rewritten with Argon2id at the next login.
PASSWORD_HASHERS = [
    "poa.web.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", "Español (México)")]
TIME_ZONE = "America/Tijuana"
USE_I18N = True
USE_TZ = True
# Figures print as on the sheet: 1,234 and 12.5
USE_THOUSAND_SEPARATOR = True
THOUSAND_SEPARATOR = ","
DECIMAL_SEPARATOR = "."
NUMBER_GROUPING = 3
FORMAT_MODULE_PATH = ["poa.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("POA_STATIC_ROOT") or BASE_DIR / "staticfiles")
# Uploads and generated files go through the default storage: a folder by default, or any
# django-storages backend (S3...) named in POA_STORAGE_BACKEND with its POA_STORAGE_OPTIONS
# as JSON, so that several app servers share them.
MEDIA_ROOT = Path(
    os.environ.get("POA_MEDIA_ROOT") or os.environ.get("MEDIA_ROOT") or BASE_DIR / "media"
)
storage_backend = os.environ.get(
    "POA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
)
try:
    storage_options = json.loads(os.environ.get("POA_STORAGE_OPTIONS") or "{}")
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"POA_STORAGE_OPTIONS no es JSON válido: {error}") from None
if storage_backend.endswith("FileSystemStorage"):
    storage_options.setdefault("location", str(MEDIA_ROOT))
# Evidence files (medios de verificación) have a storage of their own, private: no web
# server serves it, and POA hands a file only to who may see its sheet. A folder of its own
# (POA_EVIDENCE_ROOT, by default evidencias/ in MEDIA_ROOT, readable by POA's user alone) or
# the prefix evidencias/ in the same object storage.
POA_EVIDENCE_ROOT = Path(os.environ.get("POA_EVIDENCE_ROOT") or MEDIA_ROOT / "evidencias")
evidence_options = dict(storage_options)
if storage_backend.endswith("FileSystemStorage"):
    evidence_options.update(
        location=str(POA_EVIDENCE_ROOT),
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )
else:
    evidence_options["location"] = "/".join(
        part for part in (str(storage_options.get("location", "")).strip("/"), "evidencias") if part
    )
STORAGES = {
    "default": {"BACKEND": storage_backend, "OPTIONS": storage_options},
    "evidence": {"BACKEND": storage_backend, "OPTIONS": evidence_options},
    # Compressed copies, not hashed names: the PDF fetcher finds static files by their name.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Serve static files straight from static/ as well, so a server runs without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
# The invitation of a new account (poa.services.accounts) is a password-reset link: 3 days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
LOGIN_REDIRECT_URL = "poa:home"
LOGOUT_REDIRECT_URL = "login"
# The admin's address; another one keeps it off the scanners' path.
POA_ADMIN_PATH = os.environ.get("POA_ADMIN_PATH", "admin/").strip().strip("/") + "/"

# HTTPS. With DEBUG off everything is on; a switch turns off what the proxy already does.
secure = not DEBUG
SECURE_SSL_REDIRECT = env_bool("POA_SSL_REDIRECT", secure)
SECURE_HSTS_SECONDS = env_number("POA_HSTS_SECONDS", 365 * 24 * 3600 if secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("POA_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("POA_HSTS_PRELOAD", False)
if env_bool("POA_PROXY_SSL_HEADER", secure):
    # The proxy says the browser came over HTTPS; it must overwrite this header (README).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("POA_SECURE_COOKIES", secure)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The preload list takes whole registrable domains (the municipality's, not POA's); its
# token is opt-in (POA_HSTS_PRELOAD=1), so its deploy warning says nothing about POA.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Only the site itself: no inline script or style, no frames, no other origin. Bootstrap's
# icons are data: SVGs in its stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sessions end after POA_SESSION_HOURS without activity (SessionActivityMiddleware).
SESSION_COOKIE_AGE = round(env_number("POA_SESSION_HOURS", 8, float) * 3600)
CSRF_FAILURE_VIEW = "poa.web.views.errors.csrf_failure"

# Login throttling: after POA_LOGIN_FAILURES failures of one account from one address, that
# pair waits POA_LOGIN_COOLOFF_MINUTES, whether the account exists or not; an address that
# failed with POA_LOGIN_ADDRESS_USERNAMES different accounts waits as well, for any account
# (poa.web.security.LoginThrottleBackend).
AUTHENTICATION_BACKENDS = [
    "poa.web.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_number("POA_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_number("POA_LOGIN_COOLOFF_MINUTES", 15, float))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
POA_LOGIN_ADDRESS_USERNAMES = env_number("POA_LOGIN_ADDRESS_USERNAMES", 10)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "poa.web.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "poa.web.security.client_ip"
# The public pages (/transparencia/, /verificar/): at most POA_PUBLIC_REQUESTS requests per
# address every POA_PUBLIC_WINDOW seconds (0 turns the limit off), then the Spanish 429 page.
POA_PUBLIC_REQUESTS = env_number("POA_PUBLIC_REQUESTS", 120)
POA_PUBLIC_WINDOW = env_number("POA_PUBLIC_WINDOW", 60)
# Public requests running at once in each process (0: no limit); the rest of gunicorn's
# threads stay for the capture.
POA_PUBLIC_CONCURRENCY = env_number("POA_PUBLIC_CONCURRENCY", 2)
# Proxies in front of POA that append to X-Forwarded-For (1 behind one nginx).
POA_TRUSTED_PROXIES = env_number("POA_TRUSTED_PROXIES", 0)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "tables/table.html"
SIMPLE_HISTORY_REVERT_DISABLED = True  # a report or figure changes only through poa.services.review

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "POA <poa@localhost>")
# Where the emails' links point to.
POA_SITE_URL = os.environ.get("POA_SITE_URL", "http://127.0.0.1:8000")

# e.firma (README, «Firma electrónica»): the signers sign ELABORÓ, REVISÓ and AUTORIZÓ with
# their SAT certificate and key; POA_FIRMA_RAICES is the folder of the certificate authorities
# trusted to issue them.
POA_FIRMA_ELECTRONICA = env_bool("POA_FIRMA_ELECTRONICA")
POA_FIRMA_RAICES = os.environ.get("POA_FIRMA_RAICES", "").strip()

# The sheet's rules that each government sets for itself
POA_OBSERVATION_THRESHOLD = float(os.environ.get("POA_OBSERVATION_THRESHOLD", "0"))
POA_SEMAFORO = {"verde": 90, "amarillo": 70, "sobre": 130}
# A group's avance is the mean of its metas' percentages, each capped at this percent
# (poa.rules.figures.GroupAvance); the meta itself keeps its sobrecumplimiento mark.
POA_AVANCE_CAP = 100

# Evidence of each meta's quarter (README, «Evidencias»): the kinds admitted (of pdf, jpg,
# png, xlsx, docx), the largest file and the most a report's files may weigh together, in
# MB, and whether sending a report (ELABORÓ) asks for a file behind every achievement.
POA_EVIDENCE_TYPES = env_list("POA_EVIDENCE_TYPES", "pdf,jpg,png,xlsx,docx")
POA_EVIDENCE_FILE_BYTES = round(env_number("POA_EVIDENCE_FILE_MB", 10, float) * 1024 * 1024)
POA_EVIDENCE_REPORT_BYTES = round(env_number("POA_EVIDENCE_REPORT_MB", 50, float) * 1024 * 1024)
POA_EVIDENCE_REQUIRED = env_bool("POA_EVIDENCE_REQUIRED")

# One JSON object per line on stdout (journald, docker...): time, level, logger, message and
# the record's extra fields.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "poa.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "poa": {"level": os.environ.get("POA_LOG_LEVEL", "INFO")},
        # Axes says the same as poa.web.security at INFO; its lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}


# Background tasks --------------------------------------------------------------------------
# Emails, the authorized sheets kept once rendered and the ZIP of every sheet run outside the
# request, through Django's task framework: django.tasks from Django 6.0, the django-tasks
# backport before. Jobs wait in the database (django-tasks-db, so SQLite needs no other
# server and several app servers share one queue in PostgreSQL) until `manage.py db_worker`
# runs them; `make run` starts one beside the web server.
try:
    import django.tasks  # noqa: F401
except ImportError:
    INSTALLED_APPS += ["django_tasks"]
INSTALLED_APPS += ["django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# End of background tasks -------------------------------------------------------------------
