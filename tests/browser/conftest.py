import os
import shutil

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls made by the test itself are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make deps` (Debian package chromium).")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


_SERIALIZED = {}


def _serialized_db() -> str:
    return _SERIALIZED["default"]


@pytest.fixture(scope="session", autouse=True)
def _remember_serialized_db(django_db_setup):
    """The migrated data Django serialized when it created the test database."""
    _SERIALIZED["default"] = connection._test_serialized_contents


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command
    from wagtail.models import Page

    from portal.reference.loading import load_reference_data
    from portal.reference.models import Port

    if not Page.objects.exists():
        # Flushed by an earlier browser test; Django's serialized rollback
        # misses it because Playwright's event loop gives this thread another
        # connection object.  Restore the migrated data ourselves.
        # The flush re-created content types with new ids; start from empty.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(_serialized_db())
    # Restored rows keep their ids; move PostgreSQL's sequences past them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
    if not Port.objects.exists():
        load_reference_data()
    call_command("load_demo", stdout=open(os.devnull, "w"))


def sign_in(page, username, password="demo-pass-2026"):
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def sign_out(page):
    page.click("nav form[action$='/logout/'] button")
    page.wait_for_load_state()


@pytest.fixture
def approved(demo):
    """Two demo filings taken through all four levels: two certificates."""
    from portal.accounts.models import User
    from portal.reference.models import Authority
    from workflows import services

    from ..drug_permit_helpers import accept, complete_draft, decide

    owner = User.objects.get(username="demo-owner")
    level = {n: User.objects.get(username=f"drug-l{n}") for n in range(1, 5)}
    applications = []
    for n in range(2):
        application = complete_draft(owner, Authority.objects.get(code="DA-110000"))
        services.submit(filing=application, actor=owner)
        accept(
            application,
            level[1],
            number=f"京药监受〔2026〕{n + 1}号",
            opinion="申请材料齐全，予以受理。",
        )
        decide(application, level[2], "review_agree", opinion="同意")
        decide(application, level[3], "review_agree", opinion="同意")
        decide(application, level[4], "approve", opinion="准予许可")
        application.refresh_from_db()
        applications.append(application)
    return applications
