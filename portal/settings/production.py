"""Production: base plus environment.  Refuses to start without a secret key."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env, env_list

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "PORTAL_SECRET_KEY must be set to a random string of at least 50 characters."
    )

CUSTOMS_SECRET = env("CUSTOMS_SECRET")
if not CUSTOMS_SECRET or len(CUSTOMS_SECRET) < 32:
    raise ImproperlyConfigured(
        "PORTAL_CUSTOMS_SECRET must be set to the secret shared with customs (32+ characters)."
    )

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("PORTAL_ALLOWED_HOSTS must list the host names served.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env("SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail marks its preview views SAMEORIGIN itself; everything else is DENY.
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DEMO_DATA_ENABLED = False
