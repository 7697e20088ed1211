"""Test settings: the base configuration, fast hashing, tasks run inline."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR

SECRET_KEY = "test-secret-key-not-for-production-use-0123456789abcdef"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = BASE_DIR / "var" / f"test-media-{os.getpid()}"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
DEMO_DATA_ENABLED = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not shared-cache memory: threads then get real, separate
    # connections with WAL and the busy timeout, as the embedded server has.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")
    }
# Webhook addresses must be HTTPS; plain HTTP is allowed only to loopback, here.
WEBHOOK_ALLOW_HTTP_LOOPBACK = True

# Under pytest-xdist every worker has its own database and media; give it its own
# slice of a shared Redis too (cache keys and channel-layer groups), or one worker's
# events and cached pages would reach another's tests, whose rows have the same ids.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _XDIST_WORKER and REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = _XDIST_WORKER  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"asgi-{_XDIST_WORKER}"  # noqa: F405

# Against the object store (make test-services) every test process writes under its own
# key prefix in the one bucket, as MEDIA_ROOT is per process on disk; the session removes
# its prefix at the end (tests/conftest.py).
if S3_BUCKET:  # noqa: F405
    STORAGES["default"]["OPTIONS"]["location"] = f"test-media-{os.getpid()}"  # noqa: F405
