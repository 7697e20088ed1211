"""The export drug archive (出口药品档案, seed 002) in a real browser: the manufacturer fills a
record and submits it, changes it (变更) and submits the change; a district regulator reads
both versions, sees what changed and exports every version to Excel.

Screenshots of the key steps go to /tmp/archive-shots/.
"""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from portal.accounts.models import User

from .conftest import sign_out
from .test_av_import_flow import log_in, new_page, pick, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path("/tmp/archive-shots")
APPROVAL = "国药准字H20261234"


def add_country(page, text, expected):
    """The multiple picker: type, the first match is highlighted, Enter adds it as a chip."""
    box = page.locator("#id_export_countries")
    box.click()
    box.press_sequentially(text, delay=20)
    first = page.locator("#id_export_countries_listbox:not([hidden]) [role=option]").first
    first.wait_for()
    assert first.inner_text() == expected
    box.press("Enter")
    assert box.input_value() == ""  # ready for the next one
    chips = page.locator(".ref-picker__chip span").all_inner_texts()
    assert expected in chips, chips


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_fill_submit_change_and_the_regulator_reads_both_versions(browser, page, demo, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.on("dialog", lambda dialog: dialog.accept())

    # --- the manufacturer fills a record --------------------------------------------------
    log_in(page, "demo-owner")
    submit(page, page.locator("button[lang=en]"))
    page.goto(page.base + "/export-drug-archives/new/")
    enterprise = User.objects.get(username="demo-owner").membership.enterprise
    # Filled from the enterprise's details, editable.
    assert page.input_value("#id_mah_name") == enterprise.name_zh
    assert page.input_value("#id_production_address") == enterprise.production_address
    page.fill("#id_generic_name_zh", "头孢克肟片")
    page.fill("#id_generic_name_en", "Cefixime Tablets")
    page.fill("#id_approval_number", APPROVAL)
    pick(page, "id_dosage_form", "01", "01 Tablet")
    page.fill("#id_specification", "0.1g")
    page.fill("#id_packaging", "6片/盒")
    pick(
        page,
        "id_hs_code",
        "3004310000",
        "3004310000 Medicaments containing insulin, in measured doses or retail packing",
    )
    add_country(page, "germany", "DE Germany")
    add_country(page, "FR", "FR France")
    # A chip's × removes it (France was a mistake).
    page.get_by_role("button", name="Remove FR France").click()
    assert page.locator(".ref-picker__chip").count() == 1
    shot(page, "01-new")
    submit(page, page.get_by_role("button", name="Save draft"))
    number = page.locator("h1").inner_text().split()[0]
    assert number.startswith("EA")
    assert page.locator("#status").inner_text() == "Draft"

    submit(page, page.get_by_role("button", name="Submit", exact=True))
    assert page.locator("#status").inner_text() == "Submitted"
    assert page.locator("#versions tr[data-version]").count() == 1
    shot(page, "02-submitted")

    # --- change (变更): a new draft version while version 1 stays in force -----------------
    submit(page, page.get_by_role("button", name="Change", exact=True))
    assert page.locator("#status").inner_text() == "Submitted, change in progress"
    page.fill("#id_specification", "0.2g")
    add_country(page, "kenya", "KE Kenya")
    submit(page, page.get_by_role("button", name="Save the change"))
    shot(page, "03-changing")
    submit(page, page.get_by_role("button", name="Submit the change"))
    assert page.locator("#status").inner_text() == "Submitted"
    assert page.locator("#versions tr[data-version]").count() == 2
    submit(page, page.get_by_role("link", name="What changed in the latest version"))
    diff = page.locator("table.comparison").inner_text()
    assert "0.1g" in diff and "0.2g" in diff and "Kenya" in diff
    shot(page, "04-compare")
    sign_out(page)

    # --- the district regulator reads both versions and exports them -------------------
    regulator = new_page(browser, page)
    regulator.on("dialog", lambda dialog: dialog.accept())
    log_in(regulator, "regulator-haidian")
    regulator.goto(regulator.base + "/admin/export-drug-archive/regulator/")
    regulator.fill("#id_approval_number", APPROVAL)
    submit(regulator, regulator.get_by_role("button", name="Search"))
    rows = regulator.locator("#records tbody tr[data-number]")
    assert rows.count() == 1
    shot(regulator, "05-regulator-query")
    submit(regulator, rows.first.get_by_role("link", name=number))
    assert "Version 2 of 2" in regulator.locator("#shown-version").inner_text()
    assert "0.2g" in regulator.locator("dl.portal-facts").inner_text()
    changes = regulator.locator("#changes").inner_text()
    assert "0.1g" in changes and "0.2g" in changes
    shot(regulator, "06-regulator-record")
    submit(regulator, regulator.locator("#versions tr[data-version='1']").get_by_role("link"))
    assert "0.1g" in regulator.locator("dl.portal-facts").inner_text()

    regulator.goto(regulator.base + "/admin/export-drug-archive/regulator/")
    regulator.check("input[name=versions][value=all]")
    with regulator.expect_download() as info:
        regulator.get_by_role("button", name="Export to Excel").click()
    target = tmp_path / "archive.xlsx"
    info.value.save_as(target)
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    ours = [row for row in values if number in row]
    assert sorted(row[0] for row in ours) == [1, 2]  # one row per submitted version
    assert any("0.1g" in row for row in ours) and any("0.2g" in row for row in ours)
