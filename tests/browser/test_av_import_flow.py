"""The audio-video import approval (音像制品进口批准单) in a real browser, end to end.

The demo enterprise's owner keys in the basic information, adds one goods line by hand and
two from the Excel template, uploads the attachment list and submits; the office's reviewer
approves in the back office; the owner downloads the approval document and anyone can check
its verification code on the public /verify/ page.

Screenshots of the key steps go to /tmp/av-shots/.
"""

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook
from pypdf import PdfReader

from documents.models import Certificate, VerificationCode
from portal.accounts.models import User
from portal.av_imports.models import AvImportApplication

from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path("/tmp/av-shots")
APPROVAL_NUMBER = "E2E-AV-0001"
TITLE = "音像制品（成品）进口批准单"


def english(page):
    """The portal is Chinese first; the language cookie (as the switch sets it) shows English."""
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base}])


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def pick(page, field_id, text, expected, *, down=0):
    """Drive a ReferencePicker with the keyboard: type, arrow down ``down`` times, Enter."""
    picker = page.locator(f"#{field_id}")
    options = page.locator(f"#{field_id}_listbox:not([hidden]) [role=option]")
    picker.click()
    picker.press_sequentially(text, delay=20)
    options.first.wait_for()  # the search has answered
    for _ in range(down):
        picker.press("ArrowDown")
    chosen = options.nth(down)
    assert chosen.get_attribute("aria-selected") == "true"
    assert chosen.inner_text() == expected
    picker.press("Enter")
    assert picker.input_value() == expected
    assert page.locator(f"#{field_id}_listbox").is_hidden()


def log_in(page, username):
    """Sign in (the conftest helper) and wait until the login page is left behind."""
    sign_in(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def submit(page, target):
    """Click a button or link and wait for the page it leads to (confirm dialogs accepted)."""
    with page.expect_navigation():
        target.click()


def download(page, link_text, tmp_path):
    """Click a download link and return where the file was saved."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text, exact=True).first.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


def new_page(browser, page):
    """A fresh browser context (no session), English, on the same live server."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(15_000)
    other.base = page.base
    english(other)
    return other


def test_owner_files_reviewer_approves_and_anyone_verifies(browser, page, demo, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Confirm dialogs (data-confirm) are always accepted.
    page.on("dialog", lambda dialog: dialog.accept())

    # --- 1. Basic information -------------------------------------------------------------
    log_in(page, "demo-owner")
    submit(page, page.locator("button[lang=en]"))  # the switch; the choice sticks in a cookie
    page.goto(page.base + "/av-imports/new/")
    assert page.locator("html").get_attribute("lang") == "en"
    # Importer name and code are back-filled from the enterprise, grey and read-only.
    enterprise = User.objects.get(username="demo-owner").membership.enterprise
    for field, value in (("importer_name", enterprise.name_zh), ("importer_code", enterprise.uscc)):
        box = page.locator(f"#id_{field}")
        assert box.get_attribute("readonly") is not None
        assert "backfilled" in box.get_attribute("class")
        assert not box.is_editable()
        assert box.input_value() == value, box.input_value()
    # The goods card is greyed until the draft is saved: every button disabled.
    goods = page.locator("#goods")
    assert "card--disabled" in goods.get_attribute("class")
    assert goods.get_attribute("aria-disabled") == "true"
    buttons = goods.locator("button")
    assert buttons.count() == 4
    for n in range(buttons.count()):
        assert buttons.nth(n).is_disabled()
    # The only office taking filings is chosen for the filer.
    assert page.input_value("#id_authority").startswith("AV-000000 ")
    page.fill("#id_approval_number", APPROVAL_NUMBER.lower())  # saved upper-case
    # "airport" lists 0101, 2233, 5141, 5317 (by code): one down is Pudong.
    pick(page, "id_entry_port", "airport", "2233 Shanghai Pudong International Airport", down=1)
    page.fill("#id_contact_name", "李四")
    page.fill("#id_contact_phone", "13800138000")
    shot(page, "01-new")
    submit(page, page.get_by_role("button", name="Save draft"))
    number = page.locator("h1").inner_text().strip()
    assert re.fullmatch(r"AV\d{10}", number), number
    assert page.locator("#status").inner_text() == "Draft"
    assert page.input_value("#id_approval_number") == APPROVAL_NUMBER
    # Saved, but goods and the attachment list are still missing.
    assert "Before submitting, still needed" in page.locator(".messages").inner_text()
    shot(page, "02-draft")

    # --- 2. One goods line by hand --------------------------------------------------------
    page.fill("#id_title_zh", "卡拉扬指挥柏林爱乐精选")
    page.fill("#id_title_original", "Karajan: Berliner Philharmoniker")
    pick(page, "id_carrier", "SACD", "SACD Super Audio CD (SACD)")
    page.fill("#id_language", "德语")
    pick(page, "id_country", "austria", "AT Austria")
    page.fill("#id_copyright_holder", "Universal Music")
    page.fill("#id_quantity", "120")
    page.fill("#id_unit", "张")
    pick(page, "id_currency", "EUR", "EUR Euro")
    page.fill("#id_unit_price", "9.90")
    # The total is quantity × unit price, filled in as the filer types.
    assert page.input_value("#id_total") == "1188.00"
    shot(page, "03-line-form")
    submit(page, page.locator("#goods button[name=form][value=line]"))
    rows = page.locator("#goods tr[data-line]")
    assert rows.count() == 1
    assert "1,188.00" in rows.first.inner_text()

    # --- 3. Two goods lines from the Excel template ---------------------------------------
    template = download(page, "Download the goods template", tmp_path)
    book = load_workbook(template)
    sheet = book.worksheets[0]
    assert sheet["A2"].value == "贝多芬第九交响曲"  # the example row, overwritten below
    lists = book["lists"]

    def listed(column, code):
        """The drop-down's entry for ``code``, as Excel would write it."""
        return next(c.value for c in lists[column] if str(c.value).startswith(code + " "))

    # Row 2 (the example, overwritten) mixes a drop-down entry with bare codes and text as a
    # filer might type them; row 3 reuses the example's own drop-down entries.
    carrier, country, currency = (sheet[f"{c}2"].value for c in "CEJ")
    rows_in = [
        [
            "蓝色星球（纪录片）",
            "Blue Planet",
            listed("A", "BD"),
            "英语",
            "GB 英国",
            "BBC Studios",
            30,
            "张",
            12.5,
            "GBP",
            375,
        ],
        [
            "贝多芬第九交响曲",
            "Symphony No. 9",
            carrier,
            "德语",
            country,
            "Deutsche Grammophon GmbH",
            500,
            "张",
            8.5,
            currency,
            4250,
        ],
    ]
    for r, values in enumerate(rows_in, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    filled = tmp_path / "goods.xlsx"
    book.save(filled)

    submit(page, page.get_by_role("link", name="Import from Excel"))
    page.set_input_files("main input[type=file]", str(filled))
    submit(page, page.get_by_role("button", name="Read the file"))
    assert page.locator("#rows-accepted").inner_text() == "2"
    assert page.locator("#rows-rejected").inner_text() == "0"
    assert page.locator("#accepted tbody tr").count() == 2
    shot(page, "04-import-preview")
    submit(page, page.get_by_role("button", name="Add 2 accepted rows"))  # confirm dialog
    assert "2 goods lines added." in page.locator(".messages").inner_text()
    rows = page.locator("#goods tr[data-line]")
    assert rows.count() == 3
    assert "Blue Planet" in rows.nth(1).inner_text()
    assert "4,250.00" in rows.nth(2).inner_text()

    # --- 4. The attachment list -----------------------------------------------------------
    template = download(page, "Download the attachment-list template", tmp_path)
    book = load_workbook(template)
    sheet = book.worksheets[0]
    for c, value in enumerate(
        ["版权授权书", "UM-2026-0042", "Universal Music", date(2026, 10, 8)], start=1
    ):
        sheet.cell(row=2, column=c, value=value)
    filled = tmp_path / "附件清单.xlsx"
    book.save(filled)
    page.set_input_files("#attachments input[type=file]", str(filled))
    submit(page, page.locator("#attachments button:has-text('Upload')"))
    assert "Uploaded." in page.locator(".messages").inner_text()
    assert page.locator("#attachments a:has-text('附件清单.xlsx')").count() == 1
    shot(page, "05-ready")

    # --- 5. Submit --------------------------------------------------------------------------
    submit(page, page.locator("form[action$='/submit/'] button"))  # confirm dialog
    assert page.locator("#status").inner_text() == "Pending review"
    shot(page, "06-submitted")
    submit(page, page.locator("nav form[action$='/logout/'] button"))  # sign out

    # --- 6. The reviewer approves in the back office -----------------------------------------
    reviewer = new_page(browser, page)
    reviewer.on("dialog", lambda dialog: dialog.accept())
    log_in(reviewer, "av-reviewer")
    reviewer.goto(reviewer.base + "/admin/av-import/todo/")
    row = reviewer.locator(f'#todo tr[data-number="{number}"]')
    assert APPROVAL_NUMBER in row.inner_text()
    shot(reviewer, "07-todo")
    submit(reviewer, row.get_by_role("link", name=number))
    assert reviewer.locator("#status").inner_text() == "Pending review"
    assert reviewer.locator("#goods tbody tr").count() == 3
    shot(reviewer, "08-review")
    reviewer.get_by_label("Approve: issue the approval document", exact=True).check()
    shot(reviewer, "09-decision")
    submit(reviewer, reviewer.locator("#decision button[name=decide]"))  # confirm dialog
    assert "Decision recorded." in reviewer.locator(".messages").inner_text()
    assert reviewer.locator(f'#todo tr[data-number="{number}"]').count() == 0
    shot(reviewer, "10-decided")
    reviewer.context.close()

    application = AvImportApplication.objects.get(number=number)
    assert application.status == "APPROVED"
    certificate = Certificate.objects.get(filing=application)
    assert certificate.number == APPROVAL_NUMBER

    # --- 7. The owner gets the approval document; anyone verifies it -------------------------
    log_in(page, "demo-owner")
    page.goto(page.base + f"/av-imports/{number}/")
    assert page.locator("#status").inner_text() == "Approved"
    assert page.locator("#certificate-number").inner_text() == APPROVAL_NUMBER
    shot(page, "11-approved")
    link = page.locator("#documents a[href$='/certificate/']")
    assert APPROVAL_NUMBER in link.inner_text()
    # The link opens the PDF (inline) in a new tab, in Chromium's viewer; the same request
    # with the owner's session gives the bytes to read.
    with page.expect_popup() as opened:
        link.click()
    viewer = opened.value
    viewer.wait_for_load_state()
    assert viewer.url == page.base + f"/av-imports/{number}/certificate/"
    response = page.request.get(viewer.url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    viewer.close()
    # Kept with the screenshots (the viewer draws too late for a screenshot of its own).
    pdf = SHOTS / "12-approval-document.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", pdf, pdf.with_suffix("")], check=False
        )
    reader = PdfReader(io.BytesIO(response.body()))
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert TITLE in text and APPROVAL_NUMBER in text
    code = VerificationCode.objects.get(
        content_type=ContentType.objects.get_for_model(Certificate),
        object_id=str(certificate.pk),
    ).code
    printed = re.search(r"Verification code：\s*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text)
    assert printed and printed.group(1).replace("-", "") == code.replace("-", ""), printed

    visitor = new_page(browser, page)
    visitor.goto(visitor.base + f"/verify/{code}/")
    main = visitor.locator("main").inner_text()
    assert "Genuine and current." in main
    assert APPROVAL_NUMBER in main
    shot(visitor, "13-verify")
    visitor.context.close()


def test_the_total_follows_quantity_and_unit_price(page, demo):
    """portal/av_imports/static/av_imports/line.js: the total is quantity × unit price,
    filled in as the filer types (the script waits for the page's forms)."""
    draft = AvImportApplication.objects.get(status="DRAFT")  # the demo draft
    log_in(page, "demo-owner")
    english(page)
    page.goto(page.base + f"/av-imports/{draft.number}/")
    page.fill("#id_quantity", "120")
    page.fill("#id_unit_price", "9.90")
    assert page.input_value("#id_total") == "1188.00"
    page.fill("#id_quantity", "150")
    assert page.input_value("#id_total") == "1485.00"
    # On a saved line's own form the total (matching the product) follows a new quantity.
    line = draft.goods_lines.first()
    page.goto(page.base + f"/av-imports/{draft.number}/lines/{line.pk}/")
    page.fill("#id_quantity", "10")
    assert page.input_value("#id_total") == f"{10 * line.unit_price:.2f}"
