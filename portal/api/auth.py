"""Bearer tokens (Wagtail's own) and throttling per token."""

from django.conf import settings
from ninja.throttling import AuthRateThrottle
from wagtail.api.v3.auth import BearerTokenAuth

DEFAULT_RATE = "600/min"


class TokenAuth(BearerTokenAuth):
    """Wagtail 8's ``Authorization: Bearer <token>`` against ``APIToken`` digests: the
    token's active user becomes ``request.user`` (a session cookie never counts), its
    last use is recorded; ``request.auth`` is the token."""


class TokenThrottle(AuthRateThrottle):
    """At most ``settings.API_THROTTLE_RATE`` requests per token (default 600/min).
    Keyed by the token's id (anonymous callers by address, before auth refuses them)."""

    scope = "api-token"

    def __init__(self):
        super().__init__(rate=DEFAULT_RATE)

    def allow_request(self, request) -> bool:
        self.rate = getattr(settings, "API_THROTTLE_RATE", DEFAULT_RATE)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str:
        token = getattr(request, "auth", None)
        ident = f"token-{token.pk}" if getattr(token, "pk", None) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
