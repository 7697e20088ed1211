"""ASGI entry point: HTTP through Django, WebSocket (/ws/status/) through Channels."""

import os

# Production unless told otherwise: a deployment that forgets the variable refuses to
# start without PORTAL_SECRET_KEY rather than run with DEBUG=True.  `make run`,
# scripts/serve.sh and the benches choose portal.settings.dev explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from notifications.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
