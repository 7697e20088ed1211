import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction

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


# The database and media right after the first `demo` of this process (migrated data,
# reference lists, demo data): copies of every non-empty table, in the same database.
_DEMO_SNAPSHOT = {}


def _media_files() -> set:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _take_demo_snapshot(media_before: set) -> None:
    quote = connection.ops.quote_name
    tables = sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )
    copies = []
    with connection.cursor() as cursor:
        for n, table in enumerate(tables):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            if cursor.fetchone()[0]:
                copy = f"test_demo_snapshot_{n}"
                cursor.execute(f"DROP TABLE IF EXISTS {quote(copy)}")
                cursor.execute(f"CREATE TABLE {quote(copy)} AS SELECT * FROM {quote(table)}")
                copies.append((table, copy))
    # The files the demo stored (documents, attachments), to put back with their rows.
    media = Path(settings.MEDIA_ROOT)
    kept = media.with_name(media.name + "-demo-snapshot")
    shutil.rmtree(kept, ignore_errors=True)
    for name in _media_files() - media_before:
        (kept / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(media / name, kept / name)
    _DEMO_SNAPSHOT[connection.settings_dict["NAME"]] = (copies, kept)


@pytest.fixture(scope="session", autouse=True)
def _remove_demo_snapshot_media():
    yield
    for _copies, kept in _DEMO_SNAPSHOT.values():
        shutil.rmtree(kept, ignore_errors=True)


def _restore_demo_snapshot(snapshot) -> None:
    from django.core.management import call_command

    copies, kept = snapshot
    quote = connection.ops.quote_name
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are deferred to the commit, so the order of the tables is free.
        for table, copy in copies:
            cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(copy)}")
    if kept.exists():
        shutil.copytree(kept, settings.MEDIA_ROOT, dirs_exist_ok=True)


def _reset_sequences() -> None:
    # Restored rows keep their ids; move PostgreSQL's sequences past them (many-to-many
    # tables' too: the snapshot restores their rows with their ids).
    models = apps.get_models(include_auto_created=True)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.fixture
def demo(transactional_db):
    """Migrated data, reference lists and demo data, as `manage.py load_demo` leaves them.

    Built once per process; every later test gets the same rows (and the demo's files)
    back from a snapshot taken right after, instead of loading it all again.
    """
    from django.core.management import call_command
    from wagtail.models import Page

    from portal.reference.loading import load_reference_data
    from portal.reference.models import Port

    snapshot = _DEMO_SNAPSHOT.get(connection.settings_dict["NAME"])
    if snapshot:
        _restore_demo_snapshot(snapshot)
        _reset_sequences()
        return
    if not Page.objects.exists():
        # Flushed by an earlier browser test; Django's serialized rollback
        # misses it because Playwright's event loop gives this thread another
        # connection object.  Restore the migrated data ourselves.
        # The flush re-created content types with new ids; start from empty.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(_serialized_db())
    _reset_sequences()
    if not Port.objects.exists():
        load_reference_data()
    media_before = _media_files()
    call_command("load_demo", stdout=open(os.devnull, "w"))
    _take_demo_snapshot(media_before)


def totp_code(username=None, *, secret=None):
    """The code an authenticator shows now, from the user's device or a base32 secret.

    The device's last used step is forgotten first: django-otp refuses a code
    twice, and tests sign the same user in again within 30 seconds.
    """
    from base64 import b32decode

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if secret is not None:
        return f"{totp(b32decode(secret)):06d}"
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(page, username, password="demo-pass-2026"):
    """Password, then the second factor when the portal asks (a real TOTP code)."""
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/second-factor/enrol/" in page.url:
        secret = page.inner_text("#second-factor-secret").strip()
        page.fill("#id_token", totp_code(secret=secret))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.click("main a.button")
        page.wait_for_load_state()
    elif "/accounts/second-factor/" in page.url:
        page.fill("#id_token", totp_code(username))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    else:
        verify_second_factor(page, username)


def verify_second_factor(page, username):
    """An enterprise user with an authenticator confirms it once for the session, as the
    portal offers (submitting a drug permit or a licence asks for it otherwise)."""
    from urllib.parse import quote, urlsplit

    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user__username=username, confirmed=True).exists():
        return
    here = urlsplit(page.url)
    page.goto(f"{page.base}/accounts/second-factor/?next={quote(here.path)}")
    page.fill("#id_token", totp_code(username))
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
        services.submit(filing=application, actor=owner, second_factor_verified=True)
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
