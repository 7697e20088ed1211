import re

import pytest
from django.core.management import call_command

from portal.reference.models import CustomsDistrict, Port


@pytest.fixture(scope="module")
def site(module_db, django_db_blocker):
    """The demo's public pages, loaded once for the module; each test's changes roll back."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=open("/dev/null", "w"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/guidance/", "/guidance/drug-permit/", "/help/", "/designated-ports/"]
)
def test_public_pages_render_in_chinese_by_default(client, site, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "首页" in html and "English" in html  # the switch offers English


@pytest.mark.django_db
def test_language_switch_changes_ui_and_content(client, site):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/guidance/drug-permit/"}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/guidance/drug-permit/"
    assert "Guide to import/export permits" in html and "Home" in html
    assert "简体中文" in html  # and back


@pytest.mark.django_db
def test_guidance_download_is_served(client, site):
    html = client.get("/guidance/drug-permit/").content.decode()
    assert "申请材料清单" in html
    from portal.cms.models import GuidancePage

    document = GuidancePage.objects.get(slug="drug-permit").downloads.get().document
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_port_list_shows_live_designated_ports_by_district(client, site):
    district = CustomsDistrict.objects.get(code="2200")
    Port.objects.create(
        code="2298",
        name_zh="草稿港",
        customs_district=district,
        live=False,
        is_designated_drug_port=True,
    )
    Port.objects.create(code="2297", name_zh="普通港", customs_district=district, live=True)
    html = client.get("/designated-ports/").content.decode()
    assert "上海浦东国际机场" in html and "2200 上海关区" in html
    assert "草稿港" not in html and "普通港" not in html


@pytest.mark.django_db
def test_site_search_finds_chinese_inside_text(client, site):
    html = client.get("/search/", {"q": "指定的药品进口口岸"}).content.decode()
    assert "蛋白同化制剂、肽类激素进出口准许证申请指南" in html
    none = client.get("/search/", {"q": "不存在的词语"}).content.decode()
    assert "0 条" in none or "共 0" in none


@pytest.mark.django_db
def test_editors_changes_to_public_pages_need_moderation(site):
    from portal.accounts import services
    from portal.cms.models import GuidancePage

    editor = services.create_editor(username="page-editor", password=None)
    moderator = services.create_editor(username="page-moderator", password=None, moderator=True)
    guide = GuidancePage.objects.get(slug="drug-permit")
    assert guide.get_workflow().name == "Moderators approval"
    assert guide.permissions_for_user(editor).can_edit()
    assert not guide.permissions_for_user(editor).can_publish()
    assert guide.permissions_for_user(moderator).can_publish()


@pytest.mark.django_db
def test_site_search_pages_in_the_database(client, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.cms.models import GuidanceIndexPage, GuidancePage

    index = GuidanceIndexPage.objects.get()
    for n in range(23):
        index.add_child(
            instance=GuidancePage(
                title=f"分页测试指南{n:02d}", slug=f"paging-{n}", body="<p>分页测试</p>"
            )
        ).save_revision().publish()
    seen = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/search/", {"q": "分页测试", "page": number}).content.decode()
        seen += re.findall(r"分页测试指南\d\d", html)
        loads = [q["sql"] for q in queries if "分页测试" in q["sql"] and "COUNT" not in q["sql"]]
        assert loads and all(" LIMIT " in sql for sql in loads), "a page is loaded, not every hit"
    assert sorted(seen) == [f"分页测试指南{n:02d}" for n in range(23)]
    assert "23" in html
