"""Settings, read from the environment (see README « Configuration »).

Without ``DATABASE_URL`` the app runs on an embedded SQLite file; without ``REDIS_URL`` Celery
tasks run in-process (eager). ``DJANGO_ENV=production`` switches on the deployment checks.
"""

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

from plie.env import EnvError, MissingVariable, describe, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

try:
    DJANGO_ENV = env_str("DJANGO_ENV", "development")
    if DJANGO_ENV not in ("development", "production"):
        raise EnvError(
            "Variable d'environnement DJANGO_ENV invalide : « development » ou « production » attendu."
        )
except EnvError as error:
    sys.exit(f"Configuration invalide — {error}")
PRODUCTION = DJANGO_ENV == "production"

# Every variable is read before stopping, so one run lists every problem (plie.env.describe).
_problems = []


def _env(reader, name, *args, fallback=None, **kwargs):
    try:
        return reader(name, *args, **kwargs)
    except EnvError as error:
        _problems.append(error)
        return fallback


DEBUG = _env(env_bool, "DEBUG", default=not PRODUCTION, fallback=False)
SECRET_KEY = _env(env_str, "SECRET_KEY", required=PRODUCTION)
if PRODUCTION and SECRET_KEY and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    _problems.append(
        EnvError("Variable d'environnement SECRET_KEY invalide : au moins 50 caractères variés attendus.")
    )
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    _problems.append(MissingVariable("ALLOWED_HOSTS"))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
DATABASE_URL = _env(env_url, "DATABASE_URL", ("postgres", "postgresql", "sqlite"), required=PRODUCTION)
# A streaming replica of DATABASE_URL: the reporting reads go there (plie/core/routers.py).
DATABASE_REPLICA_URL = _env(env_url, "DATABASE_REPLICA_URL", ("postgres", "postgresql"))
REDIS_URL = _env(env_url, "REDIS_URL", ("redis", "rediss"), required=PRODUCTION)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Object storage (S3-compatible: AWS, Scaleway, OVHcloud, MinIO, Garage…) for the pièces
# justificatives, imports and exports when a bucket is named: web and workers on several machines
# then share nothing but PostgreSQL, Redis and the bucket. Without it, files live under MEDIA_ROOT.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = _env(env_url, "AWS_S3_ENDPOINT_URL", ("http", "https"))
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME")
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY")
AWS_LOCATION = env_str("AWS_LOCATION", "")
AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE")
# PostgreSQL timeouts (milliseconds, 0 = none): a runaway query or a lock held too long is
# cancelled instead of holding a web or worker process. Workers may be given a longer statement
# timeout than the web (their own environment).
DB_STATEMENT_TIMEOUT_MS = _env(env_int, "DB_STATEMENT_TIMEOUT_MS", 60_000)
DB_LOCK_TIMEOUT_MS = _env(env_int, "DB_LOCK_TIMEOUT_MS", 10_000)
# In development static files come from the finders; `collectstatic` is for production.
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static") if PRODUCTION else None)
SECURE_PROXY = _env(env_bool, "SECURE_PROXY_SSL_HEADER", default=PRODUCTION)
SECURE_SSL_REDIRECT = _env(env_bool, "SECURE_SSL_REDIRECT", default=PRODUCTION)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = _env(env_int, "EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "plie@localhost")
HSTS_SECONDS = _env(env_int, "SECURE_HSTS_SECONDS", 31536000)
CELERY_QUEUE = env_str("CELERY_QUEUE", "celery")
# Per-queue routing (plie/celery.py ``TASK_QUEUES``): the files users wait for (exports, imports)
# and the nightly jobs each have their queue, so one group of workers per queue keeps a long export
# from delaying the night and the night from delaying an export; everything else goes to CELERY_QUEUE.
CELERY_QUEUE_EXPORTS = env_str("CELERY_QUEUE_EXPORTS", "exports")
CELERY_QUEUE_NIGHTLY = env_str("CELERY_QUEUE_NIGHTLY", "nightly")
# A message taken by a worker that died with its machine (no parent process left to requeue it)
# goes back to the queue after this many seconds; longer than the longest task, or that task
# would be run twice (it is idempotent, but the work is done twice).
CELERY_VISIBILITY_TIMEOUT = _env(env_int, "CELERY_VISIBILITY_TIMEOUT", 2 * 3600)
CELERY_EAGER = _env(env_bool, "CELERY_TASK_ALWAYS_EAGER", default=REDIS_URL is None)
# Bounds of the legacy import (parcours/importation/lecture.py): the longest CSV value (the
# longest legitimate one is 200 characters), the uncompressed size of an XLSX and the ratio
# of its members' uncompressed to compressed sizes (a zip bomb inflates hundreds of times).
IMPORT_CSV_FIELD_MAX = _env(env_int, "IMPORT_CSV_FIELD_MAX", 10_000)
IMPORT_XLSX_MAX_UNCOMPRESSED = _env(env_int, "IMPORT_XLSX_MAX_UNCOMPRESSED", 200 * 1024 * 1024)
IMPORT_XLSX_MAX_RATIO = _env(env_int, "IMPORT_XLSX_MAX_RATIO", 100)
SESSION_IDLE_MINUTES = _env(env_int, "SESSION_IDLE_MINUTES", 30)
RECENT_AUTH_MINUTES = _env(env_int, "RECENT_AUTH_MINUTES", 15)
LOGIN_FAILURE_LIMIT = _env(env_int, "LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = _env(env_int, "LOGIN_COOLOFF_MINUTES", 15)
# How long the access journal (plie.core.journal) keeps its entries, in days (CNIL: 6 months to
# 1 year for access logs; one year by default, a person's access request shows the year).
JOURNAL_RETENTION_DAYS = _env(env_int, "JOURNAL_RETENTION_DAYS", 365)
PLIE_OTP_REQUIRED = _env(env_bool, "PLIE_OTP_REQUIRED", default=True)
# Small-cell suppression (reporting/confidentialite.py): a count under this threshold is shown
# « < 5 » to whoever reads aggregates only (financeur, aggregate API).
PLIE_SMALL_CELL_THRESHOLD = _env(env_int, "PLIE_SMALL_CELL_THRESHOLD", 5)
if PRODUCTION and PLIE_OTP_REQUIRED is False:
    _problems.append(EnvError("PLIE_OTP_REQUIRED ne peut pas être désactivé en production."))
if _problems:
    sys.exit(f"Configuration invalide — {describe(_problems)}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "plie.core",
    "participants",
    "parcours",
    "entreprises",
    "operations",
    "finances",
    "reporting",
    "rgpd",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "plie.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "plie.core.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "plie.core.middleware.SessionIdleMiddleware",
    "plie.core.middleware.OTPRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the French lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "plie.urls"
WSGI_APPLICATION = "plie.wsgi.application"

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
                "plie.core.context_processors.navigation",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Misspelt names: « Lefebvre » finds « Lefèvre » (participants/search.py, MIN_SIMILARITY).
        # JIT off: on the 100,000-participant aggregates (bilan, boards, exports) PostgreSQL's JIT
        # compilation cost seconds and never paid back (measured by `make bench`).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c pg_trgm.word_similarity_threshold=0.5 -c jit=off"
            f" -c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
        )
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
        )
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
        # Under test, the replica is the test database itself (no second copy to migrate).
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "var" / "db.sqlite3"}}
DATABASE_ROUTERS = ["plie.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: refuses a locked-out account or address before the password is checked.
    "plie.core.auth.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Passwords of 12 characters at least, checked against common and all-digit ones (CNIL
# recommendation of 2022 for a password alone, with login throttling: 12 characters of 4 kinds
# or a long pass phrase; ANSSI: 12 to 14 characters for accounts reaching sensitive data).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_URL = "/media-non-public/"  # never served: documents go through a scoped view


def object_storage(
    bucket,
    *,
    endpoint_url=None,
    region_name=None,
    access_key=None,
    secret_key=None,
    location="",
    addressing_style=None,
):
    """The ``STORAGES["default"]`` entry of an S3-compatible bucket (django-storages): private
    objects (no ACL, never a public URL: files are served by the scoped views), never overwritten
    (a second file of the same name gets a suffix), encrypted at rest by the server."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            "access_key": access_key,
            "secret_key": secret_key,
            "location": location or "",
            "addressing_style": addressing_style,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }


STORAGES = {
    "default": (
        object_storage(
            AWS_STORAGE_BUCKET_NAME,
            endpoint_url=AWS_S3_ENDPOINT_URL,
            region_name=AWS_S3_REGION_NAME,
            access_key=AWS_ACCESS_KEY_ID,
            secret_key=AWS_SECRET_ACCESS_KEY,
            location=AWS_LOCATION,
            addressing_style=AWS_S3_ADDRESSING_STYLE,
        )
        if AWS_STORAGE_BUCKET_NAME
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DOCUMENT_MAX_SIZE = 5 * 1024 * 1024  # largest pièce justificative accepted (participants/documents.py)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Cache: Redis when available (shared between web processes), else local memory.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: tasks run in-process when there is no broker, so `make run` needs nothing else.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_EAGER
CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE
CELERY_TASK_ROUTES = ("plie.celery.route_task",)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # every live worker looks for such messages every few seconds (at most 10)
    "unacked_restore_interval": max(1, min(10, (CELERY_VISIBILITY_TIMEOUT or 40) // 4)),
    "unacked_restore_throttle": 1,
}

# The REST API (/api/v1/, plie/core/drf.py): a personal token (Authorization: Bearer …) or the
# browser session; a read token refuses writes; requests throttled per token; cursor pages; one
# error body {code, message, champs}; the OpenAPI schema by drf-spectacular (/api/schema/).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "plie.core.drf.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "plie.core.drf.TokenWritePermission",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["plie.core.drf.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": "600/min"},
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "plie.core.drf.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "plie.core.drf.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "API du PLIE",
    "DESCRIPTION": (
        "Les dossiers, parcours, opérations FSE et bilans d'un PLIE, pour les outils partenaires.\n\n"
        "**Authentification** : un jeton personnel (page « Jetons d'API » ou `manage.py creer_jeton`), "
        "envoyé dans `Authorization: Bearer plie_…`. Le jeton agit avec les droits de son utilisateur, "
        "rien de plus ; un jeton en lecture seule refuse toute écriture (403).\n\n"
        "**Erreurs** : toujours `{code, message, champs}` — 400 données invalides, 401 jeton absent ou "
        "révoqué, 403 action interdite sur un objet visible, 404 objet hors de votre périmètre, 409 fiche "
        "modifiée entre-temps (renvoyez la `version` relue), 429 trop de requêtes (`Retry-After`).\n\n"
        "**Synchronisation** : `?modifie_depuis=` (ISO 8601) sur chaque liste, `…/supprimes/` pour les "
        "suppressions, pagination par curseur (`suivant`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "plie.core.drf.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OuiNonNspEnum": "participants.enums.OuiNonNsp",
        "StatutEmploiEnum": "participants.enums.StatutEmploi",
    },
}

# One line per event: Django's default configuration gives the "django" logger its own console
# handler (when DEBUG) and lets it propagate to the root one too, so every warning printed twice.
# Here the "django" logger only propagates; the root handler prints once. WeasyPrint and
# fontTools tell each PDF's fonts and CSS at INFO (15 lines per PDF in the worker): warnings only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO" if PRODUCTION else "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Sessions end after SESSION_IDLE_MINUTES without a request (SessionIdleMiddleware renews the
# expiry at most once a minute, so browsing writes the session row seldom).
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_IDLE_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failures an account, and separately an
# address, is refused for LOGIN_COOLOFF_MINUTES, the right password included. Every failure is
# kept in the database (admin « Axes »), with its address and browser, never the password.
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "plie.core.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "plie.core.auth.client_ip"
AXES_USERNAME_CALLABLE = "plie.core.auth.login_username"

# Second factor (django-otp, TOTP + recovery codes): see plie/core/otp.py for who must use it.
OTP_TOTP_ISSUER = "PLIE"
OTP_RECOVERY_CODES = 10

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere. Browsers send
# violations to /csp-report/, which logs them (logger « plie.csp »).
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
        "report-uri": "/csp-report/",
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=()"
)

# Security: `DJANGO_ENV=production manage.py check --deploy` passes with no warning.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "plie.core.views_errors.csrf_failure"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = HSTS_SECONDS
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if SECURE_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
