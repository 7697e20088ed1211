"""Settings shared by every environment.

The embedded default (SQLite in WAL mode, in-memory channel layer, database
task queue, local media) needs nothing else installed.  Scale is chosen by
environment variables only: ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL``
(channel layer and cache) and ``PORTAL_S3_BUCKET`` (+ friends) for media in
an S3-compatible object store.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]


def env(name: str, default: str | None = None) -> str | None:
    """Read a ``PORTAL_``-prefixed setting from the environment."""
    return os.environ.get(f"PORTAL_{name}", default)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "portal",
    "portal.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal.reference",
    "portal.cms",
    "filings",
    "documents",
    "customs",
    "notifications",
    "workflows",
    "portal.drug_permits",
    "portal.av_imports",
    "portal.auto_licences",
    "portal.export_drug_archives",
    "portal.api",
    "wagtail.contrib.forms",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "ninja",  # its Swagger UI static files: the API docs need no CDN
    "modelcluster",
    "taggit",
    "channels",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.csp.PortalContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Second factor: the issuer named in the authenticator app.
OTP_TOTP_ISSUER = "Single Window Portal"

ROOT_URLCONF = "portal.urls"
ASGI_APPLICATION = "portal.asgi.application"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Content-Security-Policy (Django 6's own; portal/csp.py) ---------------
# Nonce-based: a <script> runs only from 'self' or with nonce="{{ csp_nonce }}"; no inline
# event handlers (onclick=...) or javascript: URLs anywhere.  Style attributes (style="...",
# some fifty in the templates, layout only) are the one exception: style-src-attr allows
# them, while <style> elements still need the nonce.
_CSP_COMMON = {
    "default-src": [CSP.SELF],
    "connect-src": [CSP.SELF],  # includes the same-origin ws(s):// live-status socket
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "frame-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
SECURE_CSP = {
    **_CSP_COMMON,
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "style-src-attr": [CSP.UNSAFE_INLINE],
}
# The back office (/admin/): Wagtail 8.0's own templates carry inline scripts with no
# nonce.  Narrowest exception, only under CSP_ADMIN_PREFIX: inline script and style
# allowed (no nonce, which would cancel 'unsafe-inline'); everything else as above.
CSP_ADMIN_PREFIX = "/admin/"
SECURE_CSP_ADMIN = {
    **_CSP_COMMON,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
}

# --- Database -------------------------------------------------------------
SQLITE_PATH = Path(env("SQLITE_PATH", str(BASE_DIR / "var" / "portal.sqlite3")))
if os.environ.get("DATABASE_URL"):
    # No persistent connections: under ASGI (daphne) each request runs in its own thread,
    # and a kept connection stays open with it until garbage-collected; 20 concurrent
    # clients exhausted PostgreSQL's 100 connections in seconds (bench/api_vs_web.py).
    # Django's docs: "When using ASGI, persistent connections should be disabled."
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)}
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets the server and the task worker read while one writes;
                # IMMEDIATE takes the write lock up front so concurrent writers
                # wait (busy timeout) instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Wagtail's search index declares a GinIndex there, which needs the app.
    INSTALLED_APPS.append("django.contrib.postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ----------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: pushed straight to the connected consumers (no per-channel
            # queues to poll), which holds up with a thousand open sockets.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks -------------------------------------------------------
# The database backend is the queue in both shapes: SQLite embedded, and
# PostgreSQL (row locks with SKIP LOCKED) at scale.  django-tasks-rq 0.12 is
# written against the django-tasks backport, not Django 6's django.tasks.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Files ------------------------------------------------------------------
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
S3_BUCKET = env("S3_BUCKET")
if S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL"),
            "region_name": env("S3_REGION"),
            "access_key": env("S3_ACCESS_KEY_ID"),
            "secret_key": env("S3_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # streamed by the portal, never a store redirect
# Documents (help manuals) are downloads with their name (RFC 6266), whatever their type.
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
# Uploads: an attachment is at most this many bytes unless its system declares its own
# limit (``System.attachment_max_bytes``); documents and images editors upload, likewise.
ATTACHMENT_MAX_BYTES = int(env("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
WAGTAILDOCS_MAX_UPLOAD_SIZE = int(env("DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024)))
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# Machine API requests per token (portal/api/auth.py; beyond it 429).  scripts/schemathesis.sh
# raises it for its run, which sends thousands of requests with one token.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", "600/min")

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_VALID_DAYS = 7

# Login throttling (django-axes): five wrong passwords for one user name from
# one address lock that pair out for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy, how many proxies' X-Forwarded-For entries to trust.
AXES_IPWARE_PROXY_COUNT = int(env("PROXY_COUNT")) if env("PROXY_COUNT") else None
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# --- Internationalisation: Chinese first ----------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [Path(env("LOCALE_DIR", str(BASE_DIR / "locale")))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Wagtail ------------------------------------------------------------------------
WAGTAIL_SITE_NAME = _("Single Window Portal")
WAGTAILADMIN_BASE_URL = env("BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "accounts:login"
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {
    # Substring matching: full-text tokenisers split on spaces, which Chinese
    # text does not have, so "口岸" would never match inside a sentence.
    "default": {"BACKEND": "wagtail.search.backends.database.fallback", "AUTO_UPDATE": False},
}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# --- E-mail ---------------------------------------------------------------------
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "25")),
            "username": env("EMAIL_USER", ""),
            "password": env("EMAIL_PASSWORD", ""),
            "use_tls": env("EMAIL_TLS", "0") == "1",
        },
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@singlewindow.local")

# Demo accounts are loaded only where this is switched on (dev).
DEMO_DATA_ENABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The customs exchange (customs/): where certificate messages go, the shared
# secret both sides sign with (HMAC-SHA256), and the delivery retry schedule.
CUSTOMS_ENDPOINT = env("CUSTOMS_ENDPOINT", "http://127.0.0.1:8001/customs/messages/")
CUSTOMS_SECRET = env("CUSTOMS_SECRET", "dev-only-customs-secret")
CUSTOMS_RETRY_BASE_SECONDS = float(env("CUSTOMS_RETRY_BASE_SECONDS", "2"))
# Both outboxes (customs messages, webhooks) back off exponentially up to the cap and
# keep retrying until the horizon since the first attempt; then the row is a dead letter.
OUTBOX_MAX_BACKOFF_SECONDS = float(env("OUTBOX_MAX_BACKOFF_SECONDS", "900"))
OUTBOX_RETRY_HORIZON = timedelta(hours=float(env("OUTBOX_RETRY_HOURS", "24")))
CUSTOMS_TIMEOUT_SECONDS = float(env("CUSTOMS_TIMEOUT_SECONDS", "10"))
# Webhook addresses must be HTTPS; plain HTTP is allowed only to loopback, here.
WEBHOOK_ALLOW_HTTP_LOOPBACK = False
