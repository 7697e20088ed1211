"""Live status in the browser, over a real WebSocket served by daphne.

The portal runs as its own daphne process(es) on the test database.  With one
process the in-memory channel layer carries the events; with REDIS_URL set a
second process is started and the approver's decision, taken on one, reaches
the owner's page served by the other.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from portal.accounts.models import User
from portal.reference.models import Authority
from workflows import services

from ..drug_permit_helpers import complete_draft
from .conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_daphne():
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"  # same password hasher
    if db["ENGINE"].endswith("sqlite3"):
        env["PORTAL_SQLITE_PATH"] = db["NAME"]
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "portal.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("daphne did not start")


def context_at(browser, base):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = base
    return page


@pytest.fixture
def filed(demo):
    owner = User.objects.get(username="demo-owner")
    application = complete_draft(owner, Authority.objects.get(code="DA-110000"))
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    return application


PROCESSES = [
    pytest.param(1, id="one-process"),
    pytest.param(2, id="two-processes-over-redis", marks=pytest.mark.needs_redis),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("processes", PROCESSES)
def test_decision_updates_the_owners_page_and_the_next_to_do_list_live(
    browser, filed, processes, tmp_path
):
    servers = [start_daphne() for _ in range(processes)]
    try:
        owner_base, approver_base = servers[-1][1], servers[0][1]
        owner = context_at(browser, owner_base)
        sign_in(owner, "demo-owner")
        owner.goto(owner.base + f"/drug-permits/{filed.number}/")
        assert owner.locator("#status").inner_text() == "待受理"
        owner.wait_for_function("() => window.swSocket && window.swSocket.readyState === 1")
        # The same owner's "My filings" in a second tab: its row changes too.
        mine = owner.context.new_page()
        mine.goto(owner.base + "/filings/")
        mine_status = mine.locator(f'#my-filings tr[data-number="{filed.number}"] .status')
        assert mine_status.inner_text() == "待受理"
        mine.wait_for_function("() => window.swSocket && window.swSocket.readyState === 1")

        reviewer = context_at(browser, owner_base)
        sign_in(reviewer, "drug-l2")
        reviewer.goto(reviewer.base + "/admin/drug-permit/todo/")
        reviewer.wait_for_function("() => window.swSocket && window.swSocket.readyState === 1")
        assert reviewer.locator(f'#todo tr[data-number="{filed.number}"]').count() == 0
        waiting = int("".join(filter(str.isdigit, reviewer.locator("#waiting-count").inner_text())))

        approver = context_at(browser, approver_base)
        sign_in(approver, "drug-l1")
        approver.goto(approver.base + f"/admin/drug-permit/todo/{filed.number}/")
        approver.get_by_label("受理", exact=True).check()
        approver.fill("#id_opinion", "申请材料齐全，予以受理。")
        approver.fill("#id_notice_number", "京药监受〔2026〕88号")
        approver.once("dialog", lambda dialog: dialog.accept())
        approver.click("#decision button[name=decide]")
        approver.wait_for_load_state()

        # No reload on either page: the socket brings the change.
        owner.wait_for_function(
            "() => document.querySelector('#status').textContent.trim() === '待初审'",
            timeout=10_000,
        )
        mine.wait_for_function(
            "() => document.querySelector("
            f"'#my-filings tr[data-number=\"{filed.number}\"] .status')"
            ".textContent.trim() === '待初审'",
            timeout=10_000,
        )
        assert (
            mine.evaluate(
                "performance.getEntriesByType('resource')"
                ".filter(e => e.name.includes('/filings/')).length"
            )
            == 0
        )
        row = reviewer.locator(f'#todo tr[data-number="{filed.number}"]')
        row.wait_for(timeout=10_000)
        reviewer.wait_for_function(
            f"() => document.querySelector('#waiting-count').textContent.includes('{waiting + 1}')",
            timeout=10_000,
        )
        assert "待初审" in row.inner_text() and "北京示范医药" in row.inner_text()
        # The row came by itself: the page was not fetched again.
        assert (
            reviewer.evaluate(
                "performance.getEntriesByType('resource')"
                ".filter(e => e.name.includes('/todo/')).length"
            )
            == 0
        )
        owner.screenshot(path=str(tmp_path / "owner.png"), full_page=True)
    finally:
        for process, _base in servers:
            process.terminate()
            process.wait(timeout=10)
