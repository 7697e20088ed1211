"""The automatic import licence (自动进口许可证) in a real browser, end to end.

The demo enterprise's owner runs the pre-check (crude oil is refused, iron ore may be applied
for), keys in the application, a goods line and both contract tables, and submits; the licence
bureau's first and second reviewers pass it in the back office, which issues the electronic
licence; the second reviewer sends it to customs (the simulator) and sees it received; the owner
sees the licence and prints the numbered application form.

Screenshots of the key steps go to /tmp/lic-shots/.
"""

import io
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from customs import services as customs
from documents.models import CustomsStatus
from portal.accounts.models import User
from portal.auto_licences.models import AutoLicenceApplication, validity_end

from .test_av_import_flow import english, log_in, new_page, pick, submit
from .test_customs import simulator  # noqa: F401  (the fixture: customs on loopback)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path("/tmp/lic-shots")
CRUDE_OIL = "2709000000"
IRON_ORE = "2601120000"
IRON_ORE_OPTION = f"{IRON_ORE} Agglomerated iron ores and concentrates"  # the line select
CONTRACT = "HT-2026-IO-0815"
SELLER_ZH, SELLER_EN = "澳大利亚皮尔巴拉矿业公司", "Pilbara Mining Pty Ltd"
# 2,500,000 kg at 0.7500 CNY/kg; CNY's rate is 0.1390: 260,625.00 USD, which is also
# 2.5 kilotonnes at 104,250.00 USD per kilotonne in the iron-ore table.
QUANTITY, UNIT_PRICE, TOTAL, TOTAL_USD = "2500000", "0.7500", "1875000.00", "260625.00"
KT, KT_PRICE = "2.5", "104250"


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def iso(day) -> str:
    return day.strftime("%Y-%m-%d")


def fill(page, values: dict, prefix="id_"):
    for field, value in values.items():
        page.fill(f"#{prefix}{field}", value)


def confirming(page) -> list[str]:
    """Accept every confirm dialog (data-confirm), keeping what each asked."""
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def messages(page) -> str:
    return page.locator(".messages").inner_text()


def decide(browser, page, username, number, decision, opinion=""):
    """A reviewer of the licence bureau takes one decision from the to-do list."""
    reviewer = new_page(browser, page)
    asked = confirming(reviewer)
    log_in(reviewer, username)
    reviewer.goto(reviewer.base + "/admin/auto-licence/todo/")
    row = reviewer.locator(f'#todo tr[data-number="{number}"]')
    bureau_number = AutoLicenceApplication.objects.get(number=number).bureau_number
    assert bureau_number in row.inner_text()
    submit(reviewer, row.get_by_role("link", name=number))
    # The reviewer reads the contract tables beside the application, and its form.
    assert CONTRACT in reviewer.locator("#contract-table").inner_text()
    assert "PB粉" in reviewer.locator("#iron-ore-table").inner_text()
    assert reviewer.get_by_role("link", name="Application form (PDF)").count() == 1
    assert reviewer.locator("button[name=preview]").count() == 0  # no notice to preview
    reviewer.get_by_label(decision, exact=True).check()
    if opinion:
        reviewer.fill("#id_opinion", opinion)
    shot(reviewer, f"{username}-decision")
    submit(reviewer, reviewer.locator("#decision button[name=decide]"))  # confirm dialog
    assert asked == ["Submit this decision? It cannot be undone."]
    assert "Decision recorded." in messages(reviewer)
    assert reviewer.locator(f'#todo tr[data-number="{number}"]').count() == 0
    return reviewer


def test_precheck_entry_reviews_licence_and_customs(browser, page, demo, simulator):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    asked = confirming(page)
    today = timezone.localdate()
    enterprise = User.objects.get(username="demo-owner").membership.enterprise

    # --- 1. The pre-check: crude oil refused, iron ore may be applied for -------------------
    english(page)
    log_in(page, "demo-owner")
    page.goto(page.base + "/auto-licences/")
    submit(page, page.get_by_role("link", name="Apply for a licence"))
    assert page.locator("h1").inner_text() == "Apply for a licence"
    pick(
        page,
        "id_hs_code_1",
        CRUDE_OIL,
        f"{CRUDE_OIL} Petroleum oils and oils obtained from bituminous minerals, crude",
    )
    pick(page, "id_port_1", "2233", "2233 Shanghai Pudong International Airport")
    submit(page, page.get_by_role("button", name="Next step"))
    answer = page.locator("#precheck-answer")
    assert answer.is_visible()
    assert answer.locator("h2").inner_text() == (
        "No electronic licence can be issued for these goods."
    )
    reasons = answer.locator("li")
    assert reasons.count() == 1
    assert reasons.first.inner_text().startswith(CRUDE_OIL)
    assert "is not eligible for an electronic licence" in reasons.first.inner_text()
    assert answer.get_by_role("link", name="Yes, continue").count() == 0
    shot(page, "01-precheck-refused")
    answer.get_by_role("button", name="Close").click()
    assert answer.is_hidden()
    # The filer changes the goods; the port chosen stays.
    assert page.input_value("#id_port_1") == "2233 Shanghai Pudong International Airport"
    page.fill("#id_hs_code_1", "")
    pick(page, "id_hs_code_1", IRON_ORE, f"{IRON_ORE} Agglomerated iron ores and concentrates")
    submit(page, page.get_by_role("button", name="Next step"))
    assert answer.locator("h2").inner_text() == "An electronic licence can be applied for."
    assert answer.locator("li").count() == 0
    shot(page, "02-precheck-eligible")
    submit(page, answer.get_by_role("link", name="Yes, continue"))

    # --- 2. The application form: defaults, the enterprise, what the filer types ------------
    assert "/auto-licences/new/?" in page.url and f"hs_code_1={IRON_ORE}" in page.url
    # The pre-check's answers are shown, fixed.
    assert page.input_value("#id_hs_code_1").startswith(IRON_ORE)
    assert page.locator("#id_hs_code_1").is_disabled()
    assert page.locator("#id_port_1").is_disabled()
    assert page.input_value("#id_validity_end") == iso(validity_end(issued=today, year=today.year))
    defaults = {
        "authority": "LB-000000 Quota and Licence Administrative Bureau, Ministry of Commerce",
        "trade_mode": "0110 General trade",
        "purpose": "OWN_USE Own use",
        "price_currency": "CNY Yuan Renminbi",
        "import_user_name": enterprise.name_zh,
        "import_user_code": enterprise.uscc,
        "importer_name": enterprise.name_zh,
        "importer_code": enterprise.uscc,
    }
    for field, value in defaults.items():
        assert page.input_value(f"#id_{field}") == value, field
    assert page.input_value("#id_currency_source") == "1"  # bought from a bank
    page.fill("#id_handler", "王经理")
    pick(page, "id_trade_country", "AU", "AU Australia")
    pick(page, "id_origin_country", "AU", "AU Australia")
    page.fill("#id_expected_arrival", iso(today + timedelta(days=30)))
    shot(page, "03-entry")
    submit(page, page.get_by_role("button", name="Save draft"))
    number = page.locator("h1").inner_text().strip()
    assert re.fullmatch(rf"NA{today.year % 100:02d}\d{{13}}", number), number
    assert page.locator("#status").inner_text() == "Draft"
    saved = messages(page)
    assert f"Saved as {number}." in saved
    for missing in (
        "Add at least one goods line.",
        "Fill in and save the contract information table.",
        "The goods include iron ore: fill in and save the iron-ore contract table.",
    ):
        assert missing in saved, saved
    assert page.input_value("#id_handler") == "王经理"
    assert page.input_value("#id_trade_country") == "AU Australia"

    # --- 3. One goods line: its total must be the quantity × the unit price ---------------
    page.select_option("#id_hs_code", label=IRON_ORE_OPTION)
    fill(
        page,
        {
            "specification": "Fe 62% PB粉",
            "unit": "千克",
            "quantity": QUANTITY,
            "unit_price": UNIT_PRICE,
            "total": "1875000.01",
        },
    )
    submit(page, page.locator("#goods button[name=form][value=line]"))
    problem = page.locator("#goods .field--error")
    assert problem.count() == 1
    assert "The total value must be the quantity × the unit price." in problem.inner_text()
    assert page.locator("#goods tr[data-line]").count() == 0
    page.fill("#id_total", TOTAL)
    shot(page, "04-goods-line")
    submit(page, page.locator("#goods button[name=form][value=line]"))
    assert "Goods line 1 saved." in messages(page)
    rows = page.locator("#goods tr[data-line]")
    assert rows.count() == 1
    assert "Fe 62% PB粉" in rows.first.inner_text()
    assert "1,875,000.00" in rows.first.inner_text()

    # --- 4. Submit: the contract tables are missing; fill them; submit ---------------------
    submit(page, page.locator("form[action$='/submit/'] button"))  # confirm dialog
    assert asked == ["Submit this application to the authority?"]
    refused = messages(page)
    assert "Fill in and save the contract information table." in refused
    assert "The goods include iron ore: fill in and save the iron-ore contract table." in refused
    assert "goods line" not in refused
    assert page.locator("#status").inner_text() == "Draft"
    shot(page, "05-submit-refused")

    submit(page, page.locator("#tables").get_by_role("link", name="Contract information table"))
    # The applicant block comes from the enterprise's profile.
    assert page.input_value("#id_enterprise_code") == enterprise.uscc[8:17]
    assert page.input_value("#id_uscc") == enterprise.uscc
    assert page.input_value("#id_enterprise_name") == enterprise.name_zh
    fill(
        page,
        {
            "contract_number": CONTRACT,
            "seller_name_zh": SELLER_ZH,
            "seller_name_en": SELLER_EN,
            "signed_on": iso(today - timedelta(days=20)),
            "contract_valid_until": iso(today + timedelta(days=160)),
            "total_quantity": QUANTITY,
            "total_amount": TOTAL_USD,
            "payment_terms": "信用证",
            "end_user_name": enterprise.name_zh,
            "detailed_use": "炼钢原料",
        },
    )
    pick(page, "id_settlement_currency", "USD", "USD US Dollar")
    page.select_option("#id_expected_change", "FLAT")
    shot(page, "06-contract-table")
    submit(page, page.get_by_role("button", name="Save", exact=True))
    assert page.url.endswith(f"/auto-licences/{number}/#tables")
    assert "Contract information table saved." in messages(page)
    tables = page.locator("#tables li")
    assert "Saved" in tables.nth(0).inner_text()
    assert "Required when any goods are iron ore" in tables.nth(1).inner_text()

    submit(page, page.locator("#tables").get_by_role("link", name="Iron-ore contract table"))
    # Year, importer, origin and trading country come from the application.
    assert page.input_value("#id_year") == str(today.year)
    assert page.input_value("#id_importer_code") == enterprise.uscc
    assert page.input_value("#id_origin") == "AU Australia"
    assert page.input_value("#id_trade_country") == "AU Australia"
    fill(
        page,
        {
            "contract_number": CONTRACT,
            "signed_on": iso(today - timedelta(days=20)),
            "period_from": iso(today - timedelta(days=20)),
            "period_to": iso(today + timedelta(days=160)),
            "seller_name_zh": SELLER_ZH,
            "seller_name_en": SELLER_EN,
            "unloading_port_1": "青岛港",
        },
    )
    page.select_option("#id_contract_type", "SPOT")
    page.select_option("#id_enterprise_nature", "TRADER")
    page.select_option("#id_rows-0-kind", "FINES")
    row = {"name": "PB粉", "grade": "61.5", "quantity_kt": KT, "unit_price": KT_PRICE}
    fill(page, {**row, "amount": "260626"}, prefix="id_rows-0-")
    submit(page, page.get_by_role("button", name="Save", exact=True))
    # The amount is kilotonnes × price; what was typed is kept.
    amount = page.locator("#id_rows-0-amount")
    assert amount.get_attribute("aria-invalid") == "true"  # marked at the very field
    assert (
        f"Row 1: the amount must be the quantity × the unit price ({TOTAL_USD})."
        in page.locator("#id_rows-0-amount_error").inner_text()
    )
    assert page.get_by_label("Row 1: Amount (USD)").count() == 1
    assert page.input_value("#id_rows-0-name") == "PB粉"
    page.fill("#id_rows-0-amount", TOTAL_USD)
    shot(page, "07-iron-ore-table")
    submit(page, page.get_by_role("button", name="Save", exact=True))
    assert "Iron-ore contract table saved." in messages(page)
    assert "Saved" in tables.nth(1).inner_text()
    shot(page, "08-ready")

    submit(page, page.locator("form[action$='/submit/'] button"))  # confirm dialog
    assert len(asked) == 2
    assert page.locator("#status").inner_text() == "Pending first review"
    assert "Submitted to " in messages(page)
    assert page.locator("form[action$='/submit/']").count() == 0
    shot(page, "09-submitted")
    application = AutoLicenceApplication.objects.get(number=number)
    bureau_number = application.bureau_number
    code = f"{enterprise.uscc[2:6]}{enterprise.uscc[8:17]}"
    assert re.fullmatch(rf"{today.year % 100:02d}{code}\d{{6}}", bureau_number), bureau_number
    # The bureau's application number shows in the list (the detail page does not show it:
    # see test_the_detail_shows_the_bureau_application_number).
    page.goto(page.base + "/auto-licences/")
    listed = page.locator(f'#applications tr[data-number="{number}"]')
    assert bureau_number in listed.inner_text()
    assert listed.locator(".status").inner_text() == "Pending first review"

    # --- 5. The licence bureau: first review, then second review issues the licence ---------
    first = decide(browser, page, "licence-l1", number, "First review: pass", "合同齐全，同意。")
    first.context.close()
    application.refresh_from_db()
    assert application.status == "SECOND_REVIEW"
    approver = decide(
        browser, page, "licence-l2", number, "Second review: pass and issue the electronic licence"
    )
    application.refresh_from_db()
    assert application.status == "ISSUED"
    certificate = application.certificate
    assert re.fullmatch(rf"{today.year % 100:02d}-JK-\d{{6}}", certificate.number)
    assert certificate.valid_until == validity_end(issued=today, year=today.year)

    # --- 6. The approver sends the licence to customs; customs receives it ------------------
    asked = confirming(approver)
    approver.goto(approver.base + "/admin/auto-licence/certificates/")
    approver.check(f'input[name="selected"][value="{certificate.number}"]')
    submit(approver, approver.get_by_role("button", name="Complete and send to customs"))
    assert asked == ["Send the selected certificates to customs?"]
    assert f"Sent to customs: {certificate.number}." in messages(approver)
    row = approver.locator("tr", has=approver.locator(f'input[value="{certificate.number}"]'))
    assert row.locator(".customs-status").inner_text().startswith("Not yet at customs")
    shot(approver, "10-sent-to-customs")

    assert customs.deliver_due() == 1  # the outbox worker's pass
    assert simulator.simulator.pump() == 1  # customs answers with its receipt
    certificate.refresh_from_db()
    assert certificate.customs_status == CustomsStatus.ACCEPTED
    approver.goto(approver.base + f"/admin/auto-licence/certificates/{certificate.number}/")
    assert approver.locator("#customs-status").inner_text().startswith("Stored by customs")
    shot(approver, "11-received-by-customs")
    approver.context.close()

    # --- 7. The owner: the electronic licence and the numbered application form -------------
    page.goto(page.base + f"/auto-licences/{number}/")
    assert page.locator("#status").inner_text() == "Electronic licence issued"
    assert page.locator("#certificate-number").inner_text() == certificate.number
    assert page.locator("#customs-status").inner_text().startswith("Stored by customs")
    page.get_by_role("link", name="Refresh approval status").click()  # 查询审批状态
    expect(page.locator("#status-checked")).to_contain_text("Unchanged, checked at")
    assert page.locator("#status").inner_text() == "Electronic licence issued"
    shot(page, "12-issued")

    # --- 8. Customs queries: status in the seed's words, clearance data by licence number --
    page.goto(page.base + "/auto-licences/")
    page.get_by_role("link", name="Customs status query").first.click()
    row = page.locator(f'#certificates tr[data-certificate="{certificate.number}"]')
    assert row.locator(".customs-status").inner_text() == "Stored by customs"
    shot(page, "14-customs-status")
    page.get_by_role("link", name="Clearance data query").click()
    page.get_by_label("Licence number").fill(certificate.number)
    page.get_by_label("Licence number").press("Enter")
    page.wait_for_load_state()
    assert page.url.endswith(f"/auto-licences/certificates/{certificate.number}/")
    assert QUANTITY in page.locator("#ledger").inner_text().replace(",", "")

    # --- 9. The enterprise's monthly statistics: this licence counted, as a table and chart --
    page.goto(page.base + "/auto-licences/")
    page.get_by_role("link", name="Monthly statistics").click()
    page.wait_for_load_state()
    # What passed second review counts, a licence voided since included (the seed's 月度统计).
    issued_here = AutoLicenceApplication.objects.filter(
        enterprise=enterprise,
        status__in=["ISSUED", "VOID"],
        goods_lines__hs_code__code=IRON_ORE,
    ).distinct()
    cells = page.locator(f'#statistics tr[data-code="{IRON_ORE}"] td').all_inner_texts()
    assert cells[0] == IRON_ORE and cells[8] == str(issued_here.count())
    drawn = page.evaluate(
        "() => { const c = document.getElementById('statistics-chart');"
        " return !!(window.Chart && Chart.getChart(c)) && c.width > 0; }"
    )
    assert drawn, "the chart was not drawn"
    shot(page, "15-statistics")

    page.goto(page.base + "/auto-licences/")
    listed = page.locator(f'#applications tr[data-number="{number}"]')
    assert listed.locator(".status").inner_text() == "Electronic licence issued"
    link = listed.get_by_role("link", name="Application form", exact=True)
    with page.expect_popup() as opened:
        link.click()
    viewer = opened.value
    viewer.wait_for_load_state()
    assert viewer.url == page.base + f"/auto-licences/{number}/application-form/"
    response = page.request.get(viewer.url)
    viewer.close()
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = SHOTS / "13-application-form.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", pdf, pdf.with_suffix("")], check=False
        )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    text = text.replace("\n", "")
    compact = text.replace(" ", "")
    assert "自动进口许可证申请表" in text
    labels = (
        "1.申请进口单位",
        "2.自动进口许可证申请表号",
        "3.申请单位经办人",
        "4.自动进口许可证有效截止日期",
        "5.进口用户",
        "6.进口商",
        "7.贸易方式",
        "8.贸易国（地区）",
        "9.外汇来源",
        "10.原产地国（地区）",
        "11.报关口岸",
        "12.商品用途",
        "13.预计到港时间",
        "14.商品代码",
        "15.商品名称",
        "16.商品规格",
        "17.单位",
        "18.数量",
        "19.单价",
        "20.总值",
        "21.总值折美元",
        "22.总计",
        "23.备注",
        "24.签证机关审批",
    )
    for label in labels:
        assert label in compact, label
    for value in (number, bureau_number, certificate.number, IRON_ORE, "Fe 62% PB粉", TOTAL_USD):
        assert value in text, value
    assert iso(certificate.valid_until) in text
    assert "王经理" in text and "一般贸易" in text and "上海浦东国际机场" in text


def test_the_detail_shows_the_bureau_application_number(page, demo):
    """The demo's issued licence has its bureau application number; the list shows it."""
    issued = AutoLicenceApplication.objects.get(status="ISSUED")
    assert issued.bureau_number
    english(page)
    log_in(page, "demo-owner")
    page.goto(page.base + f"/auto-licences/{issued.number}/")
    assert page.locator("#status").inner_text() == "Electronic licence issued"
    assert issued.bureau_number in page.locator("main").inner_text()
