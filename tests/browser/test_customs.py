"""Customs in the browser: an approver sends a certificate, customs (the simulator)
receives it and declares goods against it, and the enterprise sees the write-off."""

import pytest

from customs import services

from ..customs.conftest import start_simulator
from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def simulator(live_server, settings, tmp_path):
    server, running = start_simulator(
        tmp_path / "customs.sqlite3", f"{live_server.url}/customs/inbound/", settings.CUSTOMS_SECRET
    )
    settings.CUSTOMS_ENDPOINT = running.url
    yield running
    server.shutdown()
    server.server_close()


def test_send_receipt_and_write_off_seen_by_the_enterprise(page, approved, simulator, tmp_path):
    certificate = approved[0].certificate
    sign_in(page, "drug-l4")
    page.goto(page.base + "/admin/drug-permit/certificates/")
    page.check(f'input[name="selected"][value="{certificate.number}"]')
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="完成并发往海关").click()
    page.wait_for_load_state()
    row = page.locator("tr", has=page.locator(f'input[value="{certificate.number}"]'))
    assert row.locator(".customs-status").inner_text().startswith("已发往海关")

    assert services.deliver_due() == 1  # the outbox worker's pass
    simulator.simulator.pump()  # customs answers
    page.goto(page.base + f"/admin/drug-permit/certificates/{certificate.number}/")
    assert page.locator("#customs-status").inner_text().startswith("海关接收成功")
    page.screenshot(path=str(tmp_path / "certificate.png"), full_page=True)

    # At customs: goods declared against the certificate on the simulator's page.
    page.goto(f"http://127.0.0.1:{simulator.port}/")
    form = page.locator("form", has=page.locator(f'input[value="{certificate.number}"]'))
    form.locator('input[name="quantity"]').fill("300")
    form.get_by_role("button", name="申报核销").click()
    page.wait_for_load_state()
    assert simulator.simulator.pump() == 1

    page.context.clear_cookies()
    sign_in(page, "demo-owner")
    page.goto(page.base + "/drug-permits/write-offs/")
    page.get_by_role("link", name=certificate.number).click()
    page.wait_for_load_state()
    ledger = page.locator("#ledger tbody tr").first.inner_text()
    assert "300" in ledger and "700" in ledger
    page.screenshot(path=str(tmp_path / "ledger.png"), full_page=True)
