import pytest

from portal.reference.models import Port

from .conftest import sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def submit_with(page, selector):
    """Press a button that lives in the admin's collapsed action menu."""
    with page.expect_navigation():
        page.eval_on_selector(selector, "b => b.form.requestSubmit(b)")


def test_editor_adds_a_port_that_goes_live_after_moderation(page, demo):
    sign_in(page, "editor")
    assert page.url.endswith("/admin/")
    page.goto(page.base + "/admin/snippets/reference/port/add/")
    page.fill("#id_code", "2249")
    page.fill("#id_name_zh", "上海外高桥港区")
    page.fill("#id_name_en", "Shanghai Waigaoqiao Port Area")
    # The searchable picker: type Chinese, arrow down, Enter to choose.
    picker = page.locator("#id_customs_district")
    options = page.locator("#id_customs_district_listbox:not([hidden]) [role=option]")
    picker.focus()
    picker.press(" ")  # Space on the empty field lists everything, from the first code
    assert options.first.inner_text().startswith("0100 ")
    picker.fill("sh")  # pinyin initials / word starts: 上海, 汕头, 沈阳…
    assert options.first.get_attribute("aria-selected") == "true"
    picker.press("ArrowDown")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    assert picker.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    picker.press("ArrowUp")
    assert options.first.get_attribute("aria-selected") == "true"
    picker.press("Escape")
    assert picker.get_attribute("aria-expanded") == "false"
    picker.fill("上海")
    assert options.first.inner_text() == "2200 上海关区"
    picker.press("Enter")
    assert picker.input_value() == "2200 上海关区"
    page.check("#id_is_designated_drug_port")
    page.screenshot(path="var/screenshots/editor-add-port.png", full_page=True)
    submit_with(page, "button[name=action-submit]")

    port = Port.objects.get(code="2249")
    assert not port.live
    assert port.customs_district.code == "2200"
    page.goto(page.base + "/designated-ports/")
    assert "上海外高桥港区" not in page.locator("#designated-ports").inner_text()
    sign_out(page)

    # The moderator approves from the snippet's edit view.
    sign_in(page, "admin")
    page.goto(page.base + f"/admin/snippets/reference/port/edit/{port.pk}/")
    page.click("footer .w-dropdown__toggle, footer [data-w-dropdown-target=toggle]")
    page.click("[data-workflow-action-name=approve]")
    for _ in range(100):  # the approval posts in the background, then reloads
        port.refresh_from_db()
        if port.live:
            break
        page.wait_for_timeout(100)
    assert port.live
    page.goto(page.base + "/designated-ports/")
    table = page.locator("#designated-ports").inner_text()
    assert "上海外高桥港区" in table and "2249" in table
