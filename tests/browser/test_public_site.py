import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_visitor_reads_guidance_and_switches_language(page, demo):
    # The browser asks for English, but the portal is Chinese first.
    page.goto(page.base + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.click("nav >> text=办事指南")
    page.click("text=蛋白同化制剂、肽类激素进出口准许证申请指南")
    assert page.locator("h1").inner_text() == "蛋白同化制剂、肽类激素进出口准许证申请指南"
    assert page.locator("text=申请材料清单").is_visible()

    page.click("button[lang=en]")
    page.wait_for_load_state()
    assert page.url.endswith("/guidance/drug-permit/")
    assert (
        page.locator("h1").inner_text()
        == "Guide to import/export permits for anabolic agents and peptide hormones"
    )
    assert page.locator("nav >> text=Home").is_visible()
    assert page.locator("text=Document checklist").is_visible()

    # The choice sticks across pages, and switches back.
    page.click("nav >> text=Designated drug import ports")
    assert page.locator("#designated-ports").inner_text().count("Customs District") >= 1
    page.click("button[lang=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "药品进口指定口岸"


def test_visitor_searches_the_site(page, demo):
    page.goto(page.base + "/search/")
    page.fill("#q", "指定口岸")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    results = page.locator("main ul.list a").all_inner_texts()
    assert "药品进口指定口岸" in results
