"""The English crawl: every page every demo role can reach reads English.

Signed in as each demo role (and as an anonymous visitor), with the language
cookie set to English, the test client walks the site breadth-first from the
role's landing page: same-site links, and GET forms submitted without
parameters.  URLs are deduplicated by pattern (every path segment holding a digit
becomes a placeholder, query values are dropped; at most two URLs per pattern)
and each role visits a bounded number of pages.

On every HTML page, what is left once ``script``/``style``/``template``, data
(``class="data"``), deliberately Chinese content (``lang="zh…"``) and official
documents (``class="document"``) are removed must hold no Chinese: no CJK
ideograph and no fullwidth punctuation, neither in the text nor in the
``title``, ``aria-label`` and ``placeholder`` attributes or a button's value.
Users' own input (``input`` values, ``textarea`` content) is data.  No page may
answer with a server error.
"""

import re
from collections import deque
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import lxml.html
import pytest
from django.conf import settings
from django.test import Client, TestCase
from django.urls import reverse

from filings import registry
from portal.accounts.models import User
from tests.conftest import client_for

ROLES = [
    None,  # an anonymous visitor
    "demo-owner",
    "demo-agent",
    "drug-l1",
    "drug-l2",
    "drug-l3",
    "drug-l4",
    "drug-admin",
    "av-reviewer",
    "av-admin",
    "licence-l1",
    "licence-l2",
    "licence-admin",
    "editor",
    "regulator",
    "regulator-national",
    "regulator-haidian",
]

PAGES_PER_ROLE = 150
URLS_PER_PATTERN = 2

# CJK ideographs (extension A, unified, compatibility) and the Chinese punctuation
# of the CJK symbols block and the fullwidth forms.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e]")

# Never followed: signing out, switching language, files and Wagtail's own back office.
SKIPPED_PREFIXES = (
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/media/",
    "/documents/",
    "/_util/",
    "/customs/inbound/",
    "/reference/",  # the pickers' JSON search
    "/notifications/read/",
)
SKIPPED_SUFFIXES = ("/status/", "/delete/")
# Files (PDF, Excel, attachments): fetched once per URL pattern for the whole crawl,
# only to check that they don't fail.
FILES = re.compile(
    r"(/pdf/|/download/|-template/|/application-form/|/\d+/certificate/|/[A-Z0-9]+/notices/\d+/"
    r"|/attachments/\d+/)$|[?&]format=xlsx"
)

# The portal's own back-office pages (Wagtail's page editor, images, documents, users,
# settings, reports… are Wagtail's and are not crawled).
OWN_ADMIN = re.compile(
    r"^/admin/("
    r"$|my-seats/|authority/|jurisdiction/|jobs/\d+/$|feedback/($|inspect/|edit/)"
    r"|snippets/reference/[a-z]+/$"
    r"|(drug-permit|av-import|auto-licence|export-drug-archive)/"
    r")"
)

BINARY = ("application/pdf", "application/vnd", "image/", "application/octet-stream")

# Wagtail's generic edit and inspect views show the object's own title (here the question
# an enterprise typed) in Wagtail's chrome: the <title>, the breadcrumbs and the header,
# which the portal can't mark as data without overriding Wagtail's shared templates.  The
# feedback listing, where the portal chooses the columns, is crawled.
NOT_CHECKED = re.compile(r"^/admin/feedback/(edit|inspect)/")

# Chinese the English page keeps on purpose, each with its reason.
ALLOWED = {
    # The help text's example: an approval number really starts with these characters.
    # (Its text lives in portal/export_drug_archives/forms.py.)
    "As on the drug registration certificate, e.g. 国药准字H20260001.",
}

# Where the Wagtail sidebar keeps the back office's menu (rendered by JavaScript).
SIDEBAR_URL = re.compile(r'"url":\s*"(/admin/[^"]*)"')


# Sorting and paging change the order of the same rows: such links count as the page itself.
SAME_PAGE_PARAMETERS = {"ordering", "p", "page", "after", "before", "lines_page"}


def _pattern(url: str) -> str:
    parts = urlsplit(url)
    path = "/".join("#" if re.search(r"\d", seg) else seg for seg in parts.path.split("/"))
    keys = sorted(
        {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)} - SAME_PAGE_PARAMETERS
    )
    return path + ("?" + "&".join(keys) if keys else "")


def _followed(url: str) -> bool:
    path = urlsplit(url).path
    if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
        return False
    if path.startswith("/admin"):
        return bool(OWN_ADMIN.match(path))
    return True


def _same_site(base: str, href: str) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + base, href))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    # Sorting and filtering links: one of each is enough; drop the language switch's "next".
    query = [(k, v) for k, v in query if k not in ("next",)]
    return parts.path + ("?" + urlencode(query) if query else "")


def _chinese_in(tree) -> list[str]:
    for element in tree.xpath(
        "//script | //style | //template | //textarea"
        " | //*[contains(concat(' ', normalize-space(@class), ' '), ' data ')]"
        " | //*[contains(concat(' ', normalize-space(@class), ' '), ' document ')]"
        " | //*[starts-with(@lang, 'zh')]"
    ):
        if element.getparent() is not None:
            element.drop_tree()
    found = []
    for text in tree.xpath("//text()"):
        if CHINESE.search(text):
            found.append(text.strip())
    for attribute in ("title", "aria-label", "placeholder"):
        for value in tree.xpath(f"//@{attribute}"):
            if CHINESE.search(value):
                found.append(f"[{attribute}] {value}")
    for value in tree.xpath("//input[@type='submit' or @type='button' or @type='reset']/@value"):
        if CHINESE.search(value):
            found.append(f"[value] {value}")
    return found


def _links(base: str, tree) -> list[str]:
    urls = [_same_site(base, href) for href in tree.xpath("//a/@href")]
    for form in tree.xpath("//form"):
        if (form.get("method") or "get").lower() == "get":
            urls.append(_same_site(base, form.get("action") or base))
    for script in tree.xpath("//script[@id='wagtail-sidebar-props']/text()"):
        urls.extend(_same_site(base, url) for url in SIDEBAR_URL.findall(script))
    return [url for url in urls if url]


def crawl(client: Client, starts: list, files: set) -> tuple[dict, dict, list]:
    """Chinese snippets per URL, bad statuses per URL, and the URLs visited.

    ``files`` holds the patterns of the files already fetched (by any role)."""
    seen_patterns: dict[str, int] = {}
    queued = set(starts)
    todo = deque(starts)
    visited, problems, errors = [], {}, {}
    while todo and len(visited) < PAGES_PER_ROLE:
        url = todo.popleft()
        response = client.get(url)
        visited.append(url)
        if response.status_code not in (200, 302, 403, 404):
            errors[url] = response.status_code
            continue
        if response.status_code == 302:
            target = _same_site(url, response["Location"])
            if target and target not in queued and _followed(target):
                queued.add(target)
                todo.append(target)
            continue
        content_type = response.get("Content-Type", "")
        if response.streaming or not content_type.startswith("text/html"):
            continue
        if any(kind in content_type for kind in BINARY):
            continue
        tree = lxml.html.document_fromstring(response.content)
        links = _links(url, tree)
        path = urlsplit(url).path
        if not NOT_CHECKED.match(path):
            snippets = [snippet for snippet in _chinese_in(tree) if snippet not in ALLOWED]
            if snippets:
                problems[url] = snippets
        for link in links:
            if link in queued or not _followed(link):
                continue
            pattern = _pattern(link)
            if FILES.search(link):
                if pattern in files:
                    continue
                files.add(pattern)
            if seen_patterns.get(pattern, 0) >= URLS_PER_PATTERN:
                continue
            seen_patterns[pattern] = seen_patterns.get(pattern, 0) + 1
            queued.add(link)
            todo.append(link)
    return problems, errors, visited


@pytest.fixture(scope="module")
def demo_data(module_db, django_db_blocker):
    """The demo (accounts, pages, every system's filings), loaded once for the module."""
    from portal.demo import load_demo

    with django_db_blocker.unblock():
        # The demo's events and mails are sent on commit: run them, as a real load would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            load_demo()


def _starts(username) -> list:
    """Where a role starts: its landing page; for the enterprise, also one filing of each
    system in each state it holds (the crawl alone may page past an editable draft)."""
    if username is None:
        return ["/"]
    user = User.objects.get(username=username)
    if not hasattr(user, "membership"):
        return ["/admin/"]
    starts = ["/accounts/workspace/"]
    granted = user.membership.granted_modules()
    for system in registry.all_systems():
        if system.key not in granted:
            continue
        filings = system.model.objects.filter(enterprise=user.membership.enterprise)
        for status in system.statuses.values:
            found = filings.filter(status=status).order_by("pk").first()
            if found is not None:
                starts.append(reverse(f"{system.url_namespace}:detail", args=[found.number]))
    return starts


@pytest.mark.django_db
def test_every_page_of_every_demo_role_reads_english(demo_data):
    report, failures, files, reported = [], [], set(), set()
    for username in ROLES:
        client = Client(raise_request_exception=False)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if username:
            # Signed in past the second factor (back-office pages ask for it).
            client.cookies.update(client_for(User.objects.get(username=username)).cookies)
        problems, errors, visited = crawl(client, _starts(username), files)
        role = username or "anonymous"
        report.append(f"{role}: {len(visited)} pages")
        for url, status in errors.items():
            failures.append(f"{role} {url}: HTTP {status}")
        for url, snippets in problems.items():
            # Each snippet once, where it was first met: the list stays short enough to fix.
            new = [snippet for snippet in dict.fromkeys(snippets) if snippet not in reported]
            reported.update(new)
            if new:
                shown = " | ".join(new[:8]) + (f" | … {len(new) - 8} more" if len(new) > 8 else "")
                failures.append(f"{role} {url}: {shown}")
    print("\n".join(report))
    assert not failures, "\n".join(failures + ["", *report])
