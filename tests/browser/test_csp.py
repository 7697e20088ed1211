"""The Content-Security-Policy in a real browser: no page of any role trips it.

tests/test_csp.py reads the headers and the markup; this one lets Chromium enforce the
policy.  Each page gets a ``securitypolicyviolation`` listener before any of its own
scripts run (an init script, which the policy does not govern), and the console is
watched for CSP errors.  Representative pages of every role are visited and used (the
pickers' look-ups, the licence pre-check's dialog, the live-status socket), and not one
violation may fire.  A deliberate inline script without the nonce shows the listener
catches what the policy refuses.
"""

import pytest

from portal.accounts.models import User
from portal.reference.models import Authority
from workflows import services

from ..drug_permit_helpers import complete_draft
from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber} ${event.sample || ""}`
  );
});
"""
CRUDE_OIL = "2709000000"


class Watched:
    """A page in its own browser context whose CSP violations are collected."""

    def __init__(self, browser, base):
        self.context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.base = base
        self.console = []
        self.page.on("console", self._console)
        self.found = []

    def _console(self, message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            self.console.append(f"{self.page.url}: {text}")

    def visit(self, path: str):
        self.page.goto(self.page.base + path)
        self.check()

    def check(self):
        page = self.page
        page.wait_for_load_state("load")
        # Violation events are dispatched as tasks; give them a turn of the event loop.
        page.wait_for_timeout(200)
        seen = page.evaluate("() => window.__csp.splice(0)")
        self.found += [f"{page.url}: {v}" for v in seen]

    def close(self):
        self.context.close()


def _filed_application():
    owner = User.objects.get(username="demo-owner")
    application = complete_draft(owner, Authority.objects.get(code="DA-110000"))
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    return application


def test_no_page_of_any_role_trips_the_policy(browser, live_server, demo):
    base = live_server.url
    filed = _filed_application()
    problems = []

    # The listener works: an inline script without the nonce is refused and reported.
    probe = Watched(browser, base)
    probe.visit("/")
    assert probe.found == [] and probe.console == []
    probe.page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.append(s); }"
    )
    probe.check()
    assert probe.page.evaluate("() => window.__ran === undefined")
    assert any("script-src" in v for v in probe.found), probe.found
    probe.close()

    # The public.
    visitor = Watched(browser, base)
    for path in ("/", "/guidance/drug-permit/", "/designated-ports/", "/verify/", "/search/"):
        visitor.visit(path)
    visitor.visit("/accounts/login/")
    problems += visitor.found + visitor.console
    visitor.close()

    # The enterprise's owner: workspace, a drug permit form and its pickers, the licence
    # pre-check's dialog, my filings, an application's live status, webhooks.
    owner = Watched(browser, base)
    sign_in(owner.page, "demo-owner")
    owner.check()
    owner.visit("/accounts/workspace/")
    owner.visit("/drug-permits/new/")
    picker = owner.page.locator("#id_authority")
    picker.fill("北京")
    owner.page.locator("#id_authority_listbox:not([hidden]) [role=option]").first.wait_for()
    picker.press("Enter")
    owner.check()
    owner.visit("/auto-licences/new/check/")
    hs = owner.page.locator("#id_hs_code_1")
    hs.fill(CRUDE_OIL)
    owner.page.locator("#id_hs_code_1_listbox:not([hidden]) [role=option]").first.wait_for()
    hs.press("Enter")
    port = owner.page.locator("#id_port_1")
    port.fill("2233")
    owner.page.locator("#id_port_1_listbox:not([hidden]) [role=option]").first.wait_for()
    port.press("Enter")
    owner.page.click("#precheck button[type=submit]")
    owner.check()
    answer = owner.page.locator("#precheck-answer")
    assert answer.is_visible()
    answer.locator("[data-close-dialog]").first.click()  # confirm.js closes it: no inline JS
    assert answer.is_hidden()
    owner.check()
    owner.visit("/filings/")
    owner.visit(f"/drug-permits/{filed.number}/")
    owner.visit("/notifications/")
    owner.visit("/notifications/webhooks/")
    owner.visit("/notifications/webhooks/dead/")
    problems += owner.found + owner.console
    owner.close()

    # The back office: the dashboard and an approver's detail with its decision form.
    approver = Watched(browser, base)
    sign_in(approver.page, "drug-l1")
    approver.check()
    approver.visit("/admin/")
    approver.visit("/admin/drug-permit/todo/")
    approver.visit(f"/admin/drug-permit/todo/{filed.number}/")
    assert approver.page.locator("#decision").count() == 1
    problems += approver.found + approver.console
    approver.close()

    assert problems == [], "\n".join(problems)
