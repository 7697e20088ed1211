"""The API docs page in a real browser: Swagger UI from our own static files renders the
operations with the portal's Content-Security-Policy enforced and no request leaving
the portal (no CDN)."""

from urllib.parse import urlsplit

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def test_docs_render_with_the_csp_and_no_cdn(browser, live_server):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.add_init_script(LISTEN)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    try:
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector("#operations-drug-permits-drug_permit_create, .opblock")
        assert page.locator(".opblock").count() > 20
        assert page.get_by_text("/api/v1/drug-permits/applications").first.is_visible()
        assert page.evaluate("window.__csp") == []
        assert hosts == {urlsplit(live_server.url).netloc}
    finally:
        context.close()
