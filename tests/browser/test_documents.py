"""Documents in the browser: print layout with live preview, batch print with progress,
the enterprise's certificate and the public verification page."""

import io
import re

import pytest
from pypdf import PdfReader

from .conftest import sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_layout_preview_follows_input_and_batch_print_shows_progress(page, approved, tmp_path):
    sign_in(page, "drug-l1")
    page.goto(page.base + "/admin/drug-permit/certificates/layout/")
    field = page.locator('[data-preview="certificate_number"]')
    assert approved[1].certificate.number in field.inner_text()
    page.fill('input[name="certificate_number-x"]', "100")
    page.fill('input[name="certificate_number-size"]', "16")
    assert field.evaluate("e => e.style.left") == "100mm"
    assert field.evaluate("e => e.style.fontSize") == "16pt"
    page.screenshot(path=str(tmp_path / "layout.png"), full_page=True)
    page.get_by_role("button", name="应用").click()
    page.wait_for_load_state()
    assert "已应用" in page.content()
    assert page.locator('input[name="certificate_number-x"]').input_value() == "100.0"

    page.goto(page.base + "/admin/drug-permit/notices/")
    boxes = page.locator('tbody input[name="selected"]')
    page.locator("[data-select-all]").check()
    assert boxes.count() >= 2
    assert page.locator('tbody input[name="selected"]:checked').count() == boxes.count()
    page.locator("[data-select-all]").uncheck()
    for application in approved:
        page.check(f'tbody input[value="{application.notices.get().pk}"]')
    page.get_by_role("button", name="合并打印所选").click()
    page.wait_for_url(re.compile(r"/admin/jobs/\d+/$"))
    page.locator("[data-job-download]").wait_for(state="visible")
    assert page.locator("progress").evaluate("e => e.value") == 100
    page.screenshot(path=str(tmp_path / "job.png"), full_page=True)
    response = page.request.get(
        page.base + page.locator("[data-job-download]").get_attribute("href")
    )
    assert len(PdfReader(io.BytesIO(response.body())).pages) == 2


def test_owner_downloads_certificate_and_anyone_verifies_it(page, approved, tmp_path):
    number = approved[0].certificate.number
    sign_in(page, "demo-owner")
    page.goto(page.base + "/drug-permits/")
    row = page.locator(f'tr[data-number="{approved[0].number}"]')
    assert row.get_by_role("link", name="申请表").count() == 1
    assert row.get_by_role("link", name="受理通知书").count() == 1
    link = row.get_by_role("link", name="准许证")
    response = page.request.get(page.base + link.get_attribute("href"))
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert number in text
    code = re.search(r"Verification code：\s*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text).group(1)

    sign_out(page)
    page.goto(page.base + "/verify/")
    page.get_by_label("核验码").fill(code.lower())
    page.get_by_role("button", name="核验").click()
    page.wait_for_load_state()
    assert "真实有效" in page.locator("main").inner_text()
    assert number in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "verify.png"), full_page=True)
