import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SETTINGS_MODULE="portal.settings.production")
    assert result.returncode != 0
    assert "PORTAL_SECRET_KEY" in result.stderr


def test_production_passes_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        PORTAL_SECRET_KEY="x" * 20 + "-Production-Secret-Key-For-Check-0123456789",
        PORTAL_ALLOWED_HOSTS="portal.example.cn",
        PORTAL_CUSTOMS_SECRET="c" * 40,
        PORTAL_SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_never_loads_demo_data(tmp_path):
    env = dict(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        PORTAL_SECRET_KEY="y" * 60,
        PORTAL_ALLOWED_HOSTS="portal.example.cn",
        PORTAL_CUSTOMS_SECRET="c" * 40,
        PORTAL_SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    # Refused before it touches the database, whatever the database holds.
    result = manage("load_demo", **env)
    assert result.returncode != 0 and "Demo data is disabled" in result.stderr


def test_environment_chooses_embedded_or_scale():
    if os.environ.get("DATABASE_URL"):
        assert connection.vendor == "postgresql"
        assert "RedisPubSubChannelLayer" in settings.CHANNEL_LAYERS["default"]["BACKEND"]
        assert "RedisCache" in settings.CACHES["default"]["BACKEND"]
    else:
        assert connection.vendor == "sqlite"
        assert "InMemoryChannelLayer" in settings.CHANNEL_LAYERS["default"]["BACKEND"]


def test_embedded_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "PORTAL_SQLITE_PATH": str(tmp_path / "wal.sqlite3"),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    mode, timeout = result.stdout.split()
    assert mode == "wal" and int(timeout) >= 5000


def test_s3_media_storage_is_chosen_by_environment():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.STORAGES['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "PORTAL_S3_BUCKET": "portal-media",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "storages.backends.s3.S3Storage", result.stderr


@pytest.mark.django_db
def test_demo_data_loads_once_and_a_second_run_changes_nothing(seeded):
    from django.core.management import call_command

    from portal.accounts.models import User
    from portal.accounts.roles import Role, role_of

    def state():
        from django.apps import apps

        counts = {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model._meta.app_label
            in (
                "accounts",
                "cms",
                "wagtailcore",
                "wagtaildocs",
                "filings",
                "av_imports",
                "auto_licences",
                "export_drug_archives",
            )
        }
        passwords = dict(User.objects.values_list("username", "password"))
        return counts, passwords

    call_command("load_demo", stdout=open("/dev/null", "w"))
    first = state()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert state() == first
    roles = {u.username: role_of(u) for u in User.objects.all()}
    assert roles == {
        "demo-owner": Role.OWNER,
        "demo-agent": Role.AGENT,
        "drug-l1": Role.APPROVER,
        "drug-l2": Role.APPROVER,
        "drug-l3": Role.APPROVER,
        "drug-l4": Role.APPROVER,
        "drug-admin": Role.AUTHORITY_ADMIN,
        "av-reviewer": Role.APPROVER,
        "av-admin": Role.AUTHORITY_ADMIN,
        "licence-l1": Role.APPROVER,
        "licence-l2": Role.APPROVER,
        "licence-admin": Role.AUTHORITY_ADMIN,
        "editor": Role.EDITOR,
        "regulator": Role.REGULATOR,
        "regulator-national": Role.REGULATOR,
        "regulator-haidian": Role.REGULATOR,
        "regulator-noright": Role.REGULATOR,
        "admin": Role.SUPERUSER,
    }
    assert all(u.check_password("demo-pass-2026") for u in User.objects.all())
    levels = sorted(
        User.objects.get(username=f"drug-l{n}").approver_seats.get().level for n in range(1, 5)
    )
    assert levels == [1, 2, 3, 4]


@pytest.mark.django_db
def test_demo_holds_every_state_of_every_system_and_work_for_every_approver(seeded):
    """A newcomer's `make run` is alive: each system's filings in each of its states, a
    to-do item waiting for every demo approver, and archive records with versions."""
    from django.core.management import call_command

    from filings import registry
    from filings.selectors import queue
    from filings.versions import submitted_versions
    from portal.accounts.models import User

    call_command("load_demo", stdout=open("/dev/null", "w"))
    for system in registry.all_systems():
        found = set(system.model.objects.values_list("status", flat=True))
        missing = set(system.statuses.values) - found
        assert not missing, (system.key, missing)
        for seat_user in User.objects.filter(approver_seats__system=system.key):
            assert queue(seat_user, system.key).exists(), (system.key, seat_user.username)
    archive = registry.get("EXPORT_DRUG_ARCHIVE").model.objects.filter(status="CHANGING").get()
    assert len(submitted_versions(archive)) == 2


def _without_settings_module():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    return env


def test_a_bare_checkout_runs_manage_py_with_the_laptop_settings():
    """Nothing of a deployment set: manage.py is the developer's tool (makemigrations…)."""
    code = (
        "import runpy, sys; sys.argv = ['manage.py', 'shell', '-c', "
        + repr("from django.conf import settings; print(settings.SETTINGS_MODULE)")
        + "]; runpy.run_path('manage.py', run_name='__main__')"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_without_settings_module(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().endswith("portal.settings.dev")


@pytest.mark.parametrize("entry", ["manage.py", "portal.asgi", "portal.wsgi"])
def test_forgotten_settings_module_refuses_rather_than_debug(entry, tmp_path):
    """A deployment that forgets DJANGO_SETTINGS_MODULE gets production settings: without
    a secret key it refuses to start; with one it runs with DEBUG off, never DEBUG=True.
    (manage.py knows a deployment by its settings: here, its database.)"""
    env = _without_settings_module()
    if entry == "manage.py":
        env["DATABASE_URL"] = "postgres://portal@127.0.0.1:1/portal"
        cmd = [sys.executable, "manage.py", "check"]
    else:
        cmd = [sys.executable, "-c", f"import {entry}"]
    refused = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "PORTAL_SECRET_KEY" in refused.stderr

    configured = {
        **env,
        "PORTAL_SECRET_KEY": "z" * 20 + "-Forgotten-Settings-Module-0123456789",
        "PORTAL_ALLOWED_HOSTS": "portal.example.cn",
        "PORTAL_CUSTOMS_SECRET": "c" * 40,
        "PORTAL_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    code = (
        f"import {entry.removesuffix('.py') if entry != 'manage.py' else 'django'};"
        "import django, os; django.setup();"
        "from django.conf import settings;"
        "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG)"
    )
    if entry == "manage.py":
        code = (
            "import runpy, sys; sys.argv = ['manage.py', 'shell', '-c', "
            + repr(
                "from django.conf import settings; import os;"
                "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG)"
            )
            + "]; runpy.run_path('manage.py', run_name='__main__')"
        )
    ran = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=configured,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split()[-2:] == ["portal.settings.production", "False"]
