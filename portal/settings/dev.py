"""Laptop settings: everything embedded, demo data allowed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
MAILERS = {
    "default": {"BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
DEMO_DATA_ENABLED = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Webhook addresses must be HTTPS; plain HTTP is allowed only to loopback, here.
WEBHOOK_ALLOW_HTTP_LOOPBACK = True
