"""Supplement and refusal paths, driven in the browser (the filing is set up by services)."""

import pytest

from portal.accounts.models import User
from portal.drug_permits.models import DrugPermitApplication
from portal.drug_permits.models import DrugPermitStatus as S
from portal.reference.models import Authority
from workflows import services

from ..drug_permit_helpers import complete_draft
from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def filed(demo):
    owner = User.objects.get(username="demo-owner")
    application = complete_draft(owner, Authority.objects.get(code="DA-110000"))
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    return application


def decide(page, user, number, label, **fields):
    page.context.clear_cookies()
    sign_in(page, user)
    page.goto(page.base + f"/admin/drug-permit/todo/{number}/")
    page.get_by_label(label, exact=True).check()
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.once("dialog", lambda d: d.accept())
    page.click("#decision button[name=decide]")
    page.wait_for_load_state()


def test_supplement_cycle_in_the_browser(page, filed, tmp_path):
    number = filed.number
    sign_in(page, "drug-l1")
    page.goto(page.base + f"/admin/drug-permit/todo/{number}/")
    page.locator("button[name=mark]").first.click()
    page.wait_for_load_state()
    assert page.locator("button:has-text('需补正')[disabled]").count() == 1
    decide(page, "drug-l1", number, "补正材料", opinion="请补正购货合同。", notice_number="京补1号")

    page.context.clear_cookies()
    sign_in(page, "demo-owner")
    page.goto(page.base + f"/drug-permits/{number}/")
    assert page.locator("#status").inner_text() == "补正材料"
    marked = page.locator("#attachments tr.needs-resubmission")
    assert marked.count() == 1
    page.once("dialog", lambda d: d.accept())
    marked.locator("button:has-text('删除')").click()
    page.wait_for_load_state()
    pdf = tmp_path / "new.pdf"
    pdf.write_bytes(PDF)
    page.locator("#attachments input[type=file]").first.set_input_files(str(pdf))
    page.locator("#attachments form:has(input[type=file]) button").first.click()
    page.wait_for_load_state()
    page.once("dialog", lambda d: d.accept())
    page.click("form[action$='/submit/'] button:has-text('重新申报')")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "待受理"


def test_refusal_path_in_the_browser(page, filed):
    number = filed.number
    decide(page, "drug-l1", number, "受理", opinion="材料齐全。", notice_number="京受2号")
    decide(page, "drug-l2", number, "同意", opinion="同意。")
    decide(page, "drug-l3", number, "不同意", opinion="用量依据不足。")
    decide(page, "drug-l4", number, "审批不通过", opinion="不予许可。")
    # Levels 1-3 see it as 审批不通过 in their to-do list; level 2 sends the decision.
    page.context.clear_cookies()
    sign_in(page, "drug-l2")
    page.goto(page.base + "/admin/drug-permit/todo/")
    assert "审批不通过" in page.locator(f"#todo tr[data-number='{number}']").inner_text()
    decide(
        page, "drug-l2", number, "发送不予许可决定书", opinion="不予许可。", notice_number="京不1号"
    )
    assert DrugPermitApplication.objects.get(number=number).status == S.REFUSED
    page.context.clear_cookies()
    sign_in(page, "demo-owner")
    page.goto(page.base + f"/drug-permits/{number}/")
    assert page.locator("#status").inner_text() == "审批不通过"
    assert "京不1号" in page.locator("#history").inner_text()
