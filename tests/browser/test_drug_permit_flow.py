import pytest

from portal.drug_permits.models import DrugPermitApplication

from .conftest import sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pick(page, field_id, text, expected_prefix):
    picker = page.locator(f"#{field_id}")
    picker.fill(text)
    options = page.locator(f"#{field_id}_listbox:not([hidden]) [role=option]")
    assert options.first.inner_text().startswith(expected_prefix)
    picker.press("Enter")


def test_owner_files_and_four_approvers_issue_the_permit(page, demo, tmp_path):
    sign_in(page, "demo-owner")
    page.get_by_role("link", name="药品进出口准许证", exact=True).click()
    page.click("text=新增进口申请")
    pick(page, "id_authority", "北京", "DA-110000")
    pick(page, "id_purpose", "医疗", "MEDICAL")
    pick(page, "id_import_port_1", "浦东", "2233")
    page.check("input[name=collection_method][value=ON_SITE]")
    page.click("main button:has-text('暂存')")
    page.wait_for_load_state()
    number = page.locator("h1").inner_text().split("·")[-1].strip()
    assert number.startswith("DP")

    pick(page, "id_hs_code", "2937121000", "2937121000")
    page.fill("#id_drug_name_zh", "重组人胰岛素")
    page.fill("#id_drug_name_en", "Recombinant human insulin")
    pick(page, "id_dosage_form", "注射", "03")
    page.fill("#id_specification", "10ml:400IU")
    page.fill("#id_quantity", "1000")
    page.fill("#id_unit", "支")
    page.fill("#id_manufacturer", "Novo Nordisk A/S")
    pick(page, "id_country", "丹麦", "DK")
    page.click("text=保存并新增")
    page.wait_for_load_state()
    # The second line starts as a copy; the drug is locked.
    assert page.input_value("#id_specification") == "10ml:400IU"
    assert page.locator("#id_drug_name_zh").is_disabled()
    page.fill("#id_quantity", "200")
    page.click("#goods button.button--secondary:has-text('保存')")
    page.wait_for_load_state()
    assert page.locator("#goods tr[data-line]").count() == 2

    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(PDF)
    while page.locator("#attachments input[type=file]").count():
        row = page.locator("#attachments input[type=file]").first
        row.set_input_files(str(pdf))
        page.locator("#attachments form:has(input[type=file]) button").first.click()
        page.wait_for_load_state()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[action$='/submit/'] button")
    page.wait_for_load_state()
    page.screenshot(path="var/screenshots/drug-permit-submitted.png", full_page=True)
    assert page.locator("#status").inner_text() == "待受理"
    sign_out(page)

    decisions = [
        ("drug-l1", "受理", {"notice_number": "京药受〔2026〕1号"}),
        ("drug-l2", "同意", {}),
        ("drug-l3", "同意", {}),
        ("drug-l4", "审定通过，签发准许证", {}),
    ]
    for user, label, extra in decisions:
        sign_in(page, user)
        page.goto(page.base + "/admin/drug-permit/todo/")
        page.click(f"text={number}")
        page.get_by_label(label, exact=True).check()
        page.fill("#id_opinion", "同意。")
        for name, value in extra.items():
            page.fill(f"#id_{name}", value)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#decision button[name=decide]")
        page.wait_for_load_state()
        sign_out_admin(page)

    certificate = DrugPermitApplication.objects.get(number=number).certificate
    sign_in(page, "demo-owner")
    page.goto(page.base + f"/drug-permits/{number}/")
    assert page.locator("#status").inner_text() == "审批通过"
    assert page.locator("#certificate-number").inner_text() == certificate.number
    page.screenshot(path="var/screenshots/drug-permit-approved.png", full_page=True)


def sign_out_admin(page):
    page.context.clear_cookies()
