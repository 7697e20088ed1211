import os
import shutil

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from portal.accounts import services
from portal.reference.loading import load_reference_data
from portal.reference.models import Authority, Module, Port, Region
from workflows.services import save_approval_settings

PASSWORD = "Str0ng-pass-2026!"


def pytest_collection_modifyitems(config, items):
    # Tests that need several processes sharing Redis run in the services
    # suite (make test-services); the embedded suite has no Redis to share.
    if not os.environ.get("REDIS_URL"):
        deselected = [item for item in items if item.get_closest_marker("needs_redis")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if item not in deselected]
    # Tests that prove media land in the object store run where PORTAL_S3_* is set.
    if not os.environ.get("PORTAL_S3_BUCKET"):
        deselected = [item for item in items if item.get_closest_marker("needs_s3")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if item not in deselected]

    # Tests of PostgreSQL-only guarantees (the audit trigger) run in the services suite.
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        deselected = [item for item in items if item.get_closest_marker("needs_postgres")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if item not in deselected]

    # Transactional (browser) tests flush the database; run them last so the
    # data the other tests share is loaded once.  Under pytest-xdist each worker
    # is handed tests in this order (--dist load), so this holds per worker.
    def order(item):
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction"))
        return (item.get_closest_marker("browser") is not None, transactional)

    items.sort(key=order)


def pytest_configure(config):
    # Other xdist schedules (loadscope, loadfile, worksteal…) can hand a worker an
    # ordinary test after a transactional one has flushed its database.
    dist = getattr(config.option, "dist", "no")
    if dist not in ("no", "load"):
        raise pytest.UsageError(f"--dist={dist}: use --dist=load (see tests/conftest.py).")


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media():
    yield
    from django.conf import settings

    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    if settings.S3_BUCKET:
        # This process's key prefix in the shared test bucket (portal/settings/test.py).
        from django.core.files.storage import default_storage

        prefix = default_storage.location.rstrip("/") + "/"
        default_storage.bucket.objects.filter(Prefix=prefix).delete()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real seed reference lists, loaded once for the whole session."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def seeded(db):
    """The real seed reference lists (ports, HS codes, countries…).

    Loaded once per session; only a test after a transactional test's flush
    loads them again.
    """
    if not Port.objects.exists():
        load_reference_data()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a module's tests, for data built once and only read by them.

    Module fixtures that take this one build their data inside it (under
    ``django_db_blocker.unblock()``); each test still runs in its own savepoint
    (the ``django_db`` mark), so whatever a test changes is undone before the
    next, and the module's data is rolled back after its last test.  Not for
    transactional tests, which must commit.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Marked as Django's TestCase marks its own blocks (TestCase._enter_atomics sets
        # ``_from_testcase``): Atomic.__enter__ then lets a durable block open right inside
        # it, so the top-level services (portal.transactions) run in these tests too.
        outer._from_testcase = True
        outer.__enter__()
        try:
            if not Port.objects.exists():
                load_reference_data()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def make_enterprise(uscc: str, username: str, name_zh: str = "测试贸易有限公司", **extra):
    fields = dict(
        username=username,
        password=PASSWORD,
        name_zh=name_zh,
        name_en="",
        uscc=uscc,
        address="北京市朝阳区建国路1号",
        contact_name="张三",
        contact_phone="13800138000",
        contact_email=f"{username}@example.cn",
        trade_registration_number="01234567",
    )
    fields.update(extra)
    return services.register_enterprise(**fields)


# Valid USCCs (check characters computed by GB 32100-2015): Beijing and Shanghai.
USCC_BEIJING = "91110108MA01C2D3XY"
USCC_SHANGHAI = "91310115MA1H7G5K31"


@pytest.fixture
def owner(db):
    return make_enterprise(USCC_BEIJING, "owner-a", name_zh="甲公司").user


@pytest.fixture
def other_owner(db):
    return make_enterprise(USCC_SHANGHAI, "owner-b", name_zh="乙公司").user


def sign_in(client, username: str, password: str) -> bool:
    """Sign in through the login form, as a person would; True on success."""
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_second_factor(client) -> None:
    """Enrol an authenticator through the portal's own pages, as a new approver does after
    the first password sign-in: the enrolment page, the code the app would show, confirm."""
    import re
    from base64 import b32decode

    from django_otp.oath import totp

    page = client.get(reverse("accounts:second-factor-enrol")).content.decode()
    secret = re.search(r'id="second-factor-secret"[^>]*>\s*([A-Z2-7=]+)', page).group(1)
    response = client.post(
        reverse("accounts:second-factor-enrol"), {"token": f"{totp(b32decode(secret)):06d}"}
    )
    assert response.status_code == 200 and "second-factor" not in response.get("Location", "")


def client_for(user, *, second_factor: bool = True) -> Client:
    """A client signed in as ``user``; past the second factor unless asked not.

    The user gets an authenticator if none (a fixed test secret) and the
    session holds its device the way ``django_otp.login`` leaves it.
    """
    client = Client()
    client.force_login(user)
    if second_factor:
        from django_otp import DEVICE_ID_SESSION_KEY

        from portal.accounts import second_factor as otp

        device = otp.confirmed_device(user) or otp.enrol_with_secret(user, TEST_TOTP_SECRET)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def agent(owner):
    invitation = services.invite_agent(
        owner=owner,
        name="经办人",
        email="agent@example.cn",
        modules=["DRUG_PERMIT"],
        accept_url_base="http://testserver",
    )
    return services.accept_invitation(invitation=invitation, username="agent-a", password=PASSWORD)


@pytest.fixture
def agent_client(agent):
    return client_for(agent.user)


@pytest.fixture
def authority(seeded):
    return Authority.objects.get(code="DA-110000")


@pytest.fixture
def approver_client(authority):
    def make(level: int = 1) -> Client:
        seat = services.create_approver(
            username=f"approver-{level}",
            password=PASSWORD,
            authority=authority,
            system=Module.DRUG_PERMIT,
            level=level,
        )
        return client_for(seat.user)

    return make


@pytest.fixture
def authority_admin_client(authority):
    admin = services.create_authority_admin(
        username="authority-admin", password=PASSWORD, authority=authority
    )
    return client_for(admin.user)


@pytest.fixture
def editor_client(db):
    return client_for(services.create_editor(username="editor-1", password=PASSWORD))


@pytest.fixture
def make_regulator(seeded):
    """A regulator of the region with this GB/T 2260 code, granted ``modules``."""

    def make(username: str, code: str = "110000", modules=(Module.EXPORT_DRUG_ARCHIVE,)):
        return services.create_regulator(
            actor=None,
            username=username,
            password=PASSWORD,
            region=Region.objects.get(code=code),
            modules=modules,
        )

    return make


@pytest.fixture
def regulator_client(make_regulator):
    """A Beijing regulator granted the export drug archive's read right."""
    return client_for(make_regulator("regulator-1").user)


SETTINGS = {
    "phone": "010-83979999",
    "address": "北京市",
    "postcode": "101117",
    "contact": "许可处",
}
REVIEWERS = {1: "张受理", 2: "李初审", 3: "王复审", 4: "赵审定"}


def make_chain(authority, prefix: str, levels=(1, 2, 3, 4), system=Module.DRUG_PERMIT) -> dict:
    """One approver per level at ``authority`` (with real names), then its settings."""
    seats = {
        level: services.create_approver(
            username=f"{prefix}-l{level}",
            password=None,
            authority=authority,
            system=system,
            level=level,
            first_name=REVIEWERS[level],
        ).user
        for level in levels
    }
    admin = services.create_authority_admin(
        username=f"{prefix}-admin", password=None, authority=authority
    )
    save_approval_settings(
        actor=admin.user,
        authority=authority,
        system=system,
        values={"levels": list(levels), "name_zh": authority.name_zh, **SETTINGS},
    )
    seats["admin"] = admin.user
    return seats


@pytest.fixture
def chain(authority, owner, agent):
    """The Beijing authority with all four stages, one approver per level; and Shanghai's."""
    seats = make_chain(authority, "bj")
    other = make_chain(Authority.objects.get(code="DA-310000"), "sh")
    seats["other-l1"] = other[1]
    seats["other"] = other
    return seats
