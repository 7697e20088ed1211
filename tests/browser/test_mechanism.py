"""The shared mechanism in the browser: an approver reads what changed in a resubmission,
and an authority administrator adds a seat whose approver then decides."""

import pytest

from portal.accounts.models import User
from portal.drug_permits.models import DrugPermitApplication
from portal.reference.models import Authority
from workflows import services

from ..drug_permit_helpers import complete_draft, decide, line, pdf
from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def filed(demo):
    owner = User.objects.get(username="demo-owner")
    application = complete_draft(owner, Authority.objects.get(code="DA-110000"))
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    return application


def test_an_approver_compares_a_resubmission_with_the_previous_submission(page, filed, tmp_path):
    owner = User.objects.get(username="demo-owner")
    level_1 = User.objects.get(username="drug-l1")
    marked = filed.attachments.first()
    services.mark_attachment(filing=filed, actor=level_1, attachment=marked)
    decide(
        filed, level_1, "request_supplement", opinion="请补正购货合同。", notice_number="京补5号"
    )
    filed.refresh_from_db()
    services.update_draft(filing=filed, actor=owner, values={"remarks": "已补正购货合同"})
    services.add_line(filing=filed, actor=owner, values=line(quantity="40"))
    marked.refresh_from_db()
    services.delete_attachment(filing=filed, actor=owner, attachment=marked)
    services.upload_attachment(
        filing=filed,
        actor=owner,
        attachment_type=marked.attachment_type,
        uploaded_file=pdf("购货合同-补正.pdf"),
    )
    services.submit(filing=filed, actor=owner, second_factor_verified=True)

    sign_in(page, "drug-l1")
    page.goto(page.base + "/admin/drug-permit/todo/")
    page.click(f"text={filed.number}")
    page.wait_for_load_state()
    changes = page.locator("#changes")
    assert changes.is_visible()
    text = changes.inner_text()
    assert "已补正购货合同" in text and "第 2 条商品信息" in text and "40" in text
    assert "购货合同-补正.pdf" in text
    assert changes.locator("ins", has_text="已补正购货合同").count() == 1
    page.screenshot(path="var/screenshots/resubmission-changes.png", full_page=True)


def test_an_authority_administrator_adds_a_seat_and_its_approver_decides(page, filed):
    sign_in(page, "drug-admin")
    page.goto(page.base + "/admin/authority/seats/")
    assert "drug-l1" in page.locator("#seats").inner_text()
    page.click("text=新增审批席位")
    page.fill("#id_username", "drug-l1b")
    page.fill("#id_full_name", "钱受理")
    page.fill("#id_email", "qian@bjmpa.example.cn")
    page.fill("#id_password", "Seat-pass-2026!")
    page.select_option("#id_system", "DRUG_PERMIT")
    page.select_option("#id_level", "1")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "drug-l1b" in page.locator("#seats").inner_text()
    page.screenshot(path="var/screenshots/seats.png", full_page=True)
    page.context.clear_cookies()

    sign_in(page, "drug-l1b", "Seat-pass-2026!")
    page.goto(page.base + "/admin/drug-permit/todo/")
    page.click(f"text={filed.number}")
    page.get_by_label("受理", exact=True).check()
    page.fill("#id_opinion", "材料齐全，予以受理。")
    page.fill("#id_notice_number", "京药监受〔2026〕77号")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#decision button[name=decide]")
    page.wait_for_load_state()
    application = DrugPermitApplication.objects.get(pk=filed.pk)
    assert application.status == "FIRST_REVIEW"
    notice = application.notices.get()
    assert notice.issued_by.username == "drug-l1b"
    assert page.url.endswith(f"/drug-permit/notices/{notice.pk}/")  # to print the notice
