"""The API: /api/v1/ (operations), /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI from
ninja's own static files, no CDN; its settings travel as JSON data and its start script
is a static file, so the page passes the portal's Content-Security-Policy)."""

from ninja import NinjaAPI, Router, Schema

from . import errors, notifications
from .auth import TokenAuth, TokenThrottle
from .filings import add_routers

DESCRIPTION = """Machine API of the Single Window Portal: the same services, rules and
scopes as the web pages.  Authenticate with `Authorization: Bearer <token>` (create
tokens under /accounts/api-tokens/).  Every error is `{"code", "messages": {"zh", "en"},
"fields"?}`.  Create and submit accept an `Idempotency-Key` header.  See docs/api.md."""

api = NinjaAPI(
    title="Single Window Portal API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=TokenThrottle(),
    openapi_url="/schema/",
    docs_url="/docs/",
)
errors.register(api)

v1 = Router()


class Me(Schema):
    username: str
    enterprise: str | None = None
    systems: list[str]


@v1.get("me", response={200: Me, **errors.COMMON_ERRORS}, operation_id="me", tags=["account"])
def me(request):
    """Who the token acts as, and the systems it may file in."""
    from filings import registry
    from filings.selectors import filer_membership
    from portal.accounts.selectors import membership_of

    membership = membership_of(request.user)
    return {
        "username": request.user.get_username(),
        "enterprise": membership.enterprise.uscc if membership else None,
        "systems": [s.key for s in registry.all_systems() if filer_membership(request.user, s.key)],
    }


add_routers(v1)
v1.add_router("", notifications.router)
api.add_router("/v1/", v1)
