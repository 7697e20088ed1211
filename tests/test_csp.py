"""Content-Security-Policy on every page the demo roles reach (Django 6's own middleware).

Public and enterprise pages: the enforced policy carries the request's nonce, every inline
<script> carries that nonce, and no element has an inline event handler (on*=) or a
javascript: URL.  The back office (/admin/) gets the documented narrow exception
(portal/settings/base.py SECURE_CSP_ADMIN): inline script allowed there only.
"""

import re
from collections import deque
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.conf import settings
from django.test import Client

from portal.accounts.models import User
from tests.conftest import client_for
from tests.test_english_crawl import _followed, _links, _pattern, _starts, demo_data  # noqa: F401

ROLES = [None, "demo-owner", "demo-agent", "drug-l1", "licence-l1", "regulator"]
PAGES_PER_ROLE = 60
NONCE = re.compile(r"'nonce-([^']+)'")
EXECUTABLE = {"", "text/javascript", "module", "application/javascript"}


def _directives(header: str) -> dict:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def _problems(url, response) -> list[str]:
    header = response.get("Content-Security-Policy")
    if not header:
        return [f"{url}: no Content-Security-Policy header"]
    policy = _directives(header)
    found = []
    for name, value in {
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }.items():
        if policy.get(name) != value:
            found.append(f"{url}: {name} is {policy.get(name)}")
    if urlsplit(url).path.startswith(settings.CSP_ADMIN_PREFIX):
        if policy.get("script-src") != ["'self'", "'unsafe-inline'"]:
            found.append(f"{url}: admin script-src is {policy.get('script-src')}")
        return found
    nonces = NONCE.findall(" ".join(policy.get("script-src", [])))
    # Django adds the nonce to the header only when the page used it (csp_nonce).
    if len(nonces) > 1 or "'unsafe-inline'" in policy.get("script-src", []):
        return [*found, f"{url}: script-src {policy.get('script-src')} is not nonce-only"]
    nonces = nonces or [None]
    tree = lxml.html.document_fromstring(response.content)
    for script in tree.xpath("//script[not(@src)]"):
        kind = (script.get("type") or "").lower()
        if kind in EXECUTABLE and (nonces[0] is None or script.get("nonce") != nonces[0]):
            found.append(f"{url}: inline script without the nonce: {script.text[:60]!r}")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute, value in element.attrib.items():
            if attribute.lower().startswith("on"):
                found.append(f"{url}: <{element.tag} {attribute}=…>")
            if attribute in ("href", "src", "action") and value.strip().lower().startswith(
                "javascript:"
            ):
                found.append(f"{url}: javascript: URL in <{element.tag}>")
    return found


@pytest.mark.django_db
def test_every_reachable_page_sends_a_nonce_policy_and_obeys_it(demo_data):  # noqa: F811
    failures, report = [], []
    for username in ROLES:
        client = Client(raise_request_exception=False)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if username:
            # Signed in past the second factor (back-office pages ask for it).
            client.cookies.update(client_for(User.objects.get(username=username)).cookies)
        starts = _starts(username)
        todo, queued, seen, visited = deque(starts), set(starts), {}, 0
        while todo and visited < PAGES_PER_ROLE:
            url = todo.popleft()
            response = client.get(url)
            if response.status_code != 200 or response.streaming:
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            visited += 1
            failures.extend(_problems(url, response))
            tree = lxml.html.document_fromstring(response.content)
            for link in _links(url, tree):
                pattern = _pattern(link)
                if link in queued or not _followed(link) or seen.get(pattern, 0) >= 1:
                    continue
                if re.search(r"(/pdf/|/download/|format=xlsx|/certificate/)", link):
                    continue
                seen[pattern] = 1
                queued.add(link)
                todo.append(link)
        report.append(f"{username or 'anonymous'}: {visited} pages")
        assert visited >= 3, report
    print("\n".join(report))
    assert not failures, "\n".join(dict.fromkeys(failures))
