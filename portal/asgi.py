"""ASGI entry point: HTTP through Django; WebSocket routes join here later."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

application = ProtocolTypeRouter({"http": get_asgi_application()})
