"""Content-Security-Policy: Django 6's own middleware, with one narrow exception.

Every public and enterprise page gets ``settings.SECURE_CSP`` (nonce-based, no inline
script without the request's nonce).  Wagtail 8.0's own back-office templates still carry
inline scripts without a nonce, so paths under ``settings.CSP_ADMIN_PREFIX`` (/admin/) get
``settings.SECURE_CSP_ADMIN`` instead: the same policy except that script-src and style-src
allow 'unsafe-inline' there (and therefore carry no nonce, which would cancel it).
"""

from django.conf import settings
from django.middleware.csp import ContentSecurityPolicyMiddleware


class PortalContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    def process_response(self, request, response):
        prefix = getattr(settings, "CSP_ADMIN_PREFIX", "/admin/")
        if request.path.startswith(prefix) and not hasattr(response, "_csp_config"):
            response._csp_config = settings.SECURE_CSP_ADMIN
        return super().process_response(request, response)
