"""The filer's system-specific operations by API: goods lines from Excel and the
attachment-list template (where a system declares them), the automatic licence's
pre-check, contract and iron-ore tables and the key agricultural filing; each over
the page's form and service, and another enterprise's application a 404."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from filings.models import Attachment, Filing, StagedImport
from portal.auto_licences.models import ContractInfo, IronOreContract, KeyAgriculturalFiling
from tests import auto_licence_helpers as lic
from tests import av_import_helpers as av
from tests.conftest import USCC_BEIJING, USCC_SHANGHAI, make_enterprise

from .helpers import ApiClient

pytestmark = pytest.mark.django_db

AV = "/av-imports"
LIC = "/auto-licences"
HEADERS = av.LINE_SHEET_HEADERS


@pytest.fixture(scope="module")
def world(module_db, django_db_blocker):
    """Two enterprises; the first with an AV import draft and an iron-ore licence draft
    (one goods line).  Built once; each test's changes are undone after it."""
    with django_db_blocker.unblock():
        owner = make_enterprise(USCC_BEIJING, "owner-a", name_zh="甲公司").user
        other = make_enterprise(USCC_SHANGHAI, "owner-b", name_zh="乙公司").user
        av.chains()
        lic.chains()
        av_draft = av.draft(owner)
        licence = lic.draft(owner)
        lic.services.add_line(filing=licence, actor=owner, values=lic.line())
    return {"owner": owner, "other": other, "av": av_draft.number, "licence": licence.number}


def good_row(n=1):
    return [f"节目{n}", f"Programme {n}", "CD", "英语", "GB 英国", "BBC", 10, "张", 2.5, "USD", 25]


def xlsx(rows, header=HEADERS, name="goods.xlsx"):
    return SimpleUploadedFile(name, av.workbook(rows, header))


def lines_of(number):
    return Filing.objects.get(number=number).avimportapplication.goods_lines.count()


def test_goods_lines_from_excel_staged_then_confirmed(world):
    api = ApiClient(world["owner"])
    number = world["av"]
    template = api.get(f"{AV}/lines/template", language="en")
    assert template.status_code == 200
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert sheet["A1"].value.startswith("Programme title")  # the English headers

    staged = api.upload(
        f"{AV}/applications/{number}/line-imports", {"file": xlsx([good_row(1), good_row(2)])}
    )
    assert staged.status_code == 200, staged.content
    body = staged.json()
    assert (body["rows"], body["accepted"], body["rejected"]) == (2, 2, [])
    assert lines_of(number) == 0  # nothing until confirmed
    assert StagedImport.objects.filter(pk=body["id"]).exists()

    confirmed = api.post(body["confirm"])
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json()["added"] == 2 and lines_of(number) == 2
    assert not StagedImport.objects.exists()
    listed = api.get(f"{AV}/applications/{number}/lines").json()["results"]
    assert [r["title_zh"] for r in listed] == ["节目1", "节目2"] and listed[0]["carrier"] == "CD"
    # A staged import is confirmed once.
    assert api.post(body["confirm"]).status_code == 404


def test_one_call_with_confirm_adds_all_rows_or_none(world):
    api = ApiClient(world["owner"])
    number = world["av"]
    path = f"{AV}/applications/{number}/line-imports"
    bad = good_row(2)
    bad[6] = -5  # a negative quantity
    refused = api.upload(path, {"file": xlsx([good_row(1), bad]), "confirm": "true"})
    assert refused.status_code == 422, refused.content
    error = refused.json()
    assert error["code"] == "import_rejected"
    assert error["messages"]["en"][0].startswith("Some rows have problems: nothing was added")
    assert any(m.startswith("Row 3, Quantity:") for m in error["messages"]["en"])
    assert any(m.startswith("第 3 行") or "数量" in m for m in error["messages"]["zh"][1:])
    assert lines_of(number) == 0 and not StagedImport.objects.exists()

    added = api.upload(path, {"file": xlsx([good_row(1), good_row(2)]), "confirm": "true"})
    assert added.status_code == 201, added.content
    assert added.json()["added"] == 2 and lines_of(number) == 2


def test_rejected_rows_are_listed_in_both_languages_and_cannot_be_confirmed(world):
    api = ApiClient(world["owner"])
    number = world["av"]
    bad = good_row(2)
    bad[2] = "XX 不存在"  # no such carrier
    staged = api.upload(
        f"{AV}/applications/{number}/line-imports", {"file": xlsx([good_row(1), bad])}
    )
    assert staged.status_code == 200
    body = staged.json()
    assert body["accepted"] == 1 and body["rejected_rows"] == 1
    (problem,) = body["rejected"]
    assert problem["row"] == 3
    assert problem["column"] == {"zh": "载体", "en": "Carrier"}
    assert "not in the list" in problem["reason"]["en"] and "不在" in problem["reason"]["zh"]
    refused = api.post(body["confirm"])
    assert refused.status_code == 422 and refused.json()["code"] == "import_rejected"
    assert lines_of(number) == 0
    cancelled = api.delete(f"{AV}/applications/{number}/line-imports/{body['id']}")
    assert cancelled.status_code == 204 and not StagedImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "english"),
    [
        (b"hello, not a workbook", "not an Excel workbook"),
        (av.workbook([["a", "b"]], ["Name", "Other"]), "Columns missing from the header row"),
        (av.workbook([], HEADERS), "no goods rows"),
    ],
    ids=["not-xlsx", "wrong-columns", "no-rows"],
)
def test_a_file_refused_whole_is_a_422_on_file_and_writes_nothing(world, content, english):
    api = ApiClient(world["owner"])
    number = world["av"]
    for confirm in ("false", "true"):
        response = api.upload(
            f"{AV}/applications/{number}/line-imports",
            {"file": SimpleUploadedFile("goods.xlsx", content), "confirm": confirm},
        )
        assert response.status_code == 422, response.content
        body = response.json()
        assert body["code"] == "validation_error"
        assert english in body["fields"]["file"]["en"][0]
        assert body["fields"]["file"]["zh"][0] != body["fields"]["file"]["en"][0]
    assert lines_of(number) == 0 and not StagedImport.objects.exists()


def test_the_attachment_list_template_and_a_bad_list_refused(world):
    api = ApiClient(world["owner"])
    number = world["av"]
    template = api.get(f"{AV}/attachments/template")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["文件名称*", "文件编号*", "发证单位*", "发证日期*"]
    assert api.get(f"{AV}/attachments/template", language="xx").status_code == 422
    # The list is uploaded as the attachment (after the goods): its rows are checked.
    api.upload(
        f"{AV}/applications/{number}/line-imports", {"file": xlsx([good_row(1)]), "confirm": "true"}
    )
    bad = av.attachment_list([["版权授权书", "DG-1", "DG", "not a date"]])
    refused = api.upload(f"{AV}/applications/{number}/attachments", {"file": bad})
    assert refused.status_code == 422 and refused.json()["fields"]["file"]["zh"]
    assert not Attachment.objects.filter(filing__number=number).exists()
    assert (
        api.upload(
            f"{AV}/applications/{number}/attachments", {"file": av.attachment_list()}
        ).status_code
        == 201
    )
    # No goods-line import or list template where the system declares none.
    paths = api.client.get("/api/schema/").json()["paths"]
    assert "/api/v1/av-imports/lines/template" in paths
    assert "/api/v1/drug-permits/lines/template" not in paths
    assert "/api/v1/drug-permits/attachments/template" not in paths
    assert "/api/v1/drug-permits/applications/{number}/line-imports" not in paths


def test_the_licence_precheck(world):
    api = ApiClient(world["owner"])
    answer = api.post(f"{LIC}/precheck", {"hs_code_1": lic.IRON_ORE, "port_1": "2233"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["eligible"] is True and body["problems"] == {"zh": [], "en": []}
    assert body["create"]["hs_code_1"] == lic.IRON_ORE and body["create"]["one_batch"] is True
    same_port = api.post(
        f"{LIC}/precheck", {"hs_code_1": lic.IRON_ORE, "port_1": "2233", "port_2": "2233"}
    ).json()
    assert same_port["eligible"] is False
    assert same_port["problems"]["en"] == ["Declaration port 2 must differ from port 1."]
    missing = api.post(f"{LIC}/precheck", {"port_1": "2233"})
    assert missing.status_code == 422 and "hs_code_1" in missing.json()["fields"]


def test_the_contract_table_read_and_saved_through_the_page_rules(world):
    api = ApiClient(world["owner"])
    path = f"{LIC}/applications/{world['licence']}/contract"
    prefill = api.get(path).json()
    assert prefill["saved"] is False and prefill["editable"] is True
    assert prefill["values"]["enterprise_code"] == "MA01C2D3X"  # from the profile
    values = {
        "contract_number": "HT-2026-001",
        "seller_name_zh": "澳大利亚矿业公司",
        "signed_on": "2026-10-01",
        "contract_valid_until": "2026-09-01",  # before it was signed
        "total_quantity": "1000",
        "total_amount": "105.00",
        "settlement_currency": "USD",
        "payment_terms": "信用证",
        "end_user_name": "甲公司",
        "detailed_use": "炼钢原料",
        "expected_change": "FLAT",
    }
    refused = api.client.put(f"/api/v1{path}", values, content_type="application/json")
    assert refused.status_code == 422, refused.content
    assert refused.json()["fields"]["contract_valid_until"]["en"] == [
        "The contract cannot end before it was signed."
    ]
    assert not ContractInfo.objects.exists()
    bad_currency = api.client.put(
        f"/api/v1{path}", {**values, "settlement_currency": "XXX"}, content_type="application/json"
    )
    assert (
        bad_currency.status_code == 422 and "settlement_currency" in bad_currency.json()["fields"]
    )
    saved = api.client.put(
        f"/api/v1{path}",
        {**values, "contract_valid_until": "2027-03-31"},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["saved"] is True and body["values"]["settlement_currency"] == "USD"
    assert body["values"]["contact"] == "张三"  # the prefill kept
    assert ContractInfo.objects.get().contract_valid_until.isoformat() == "2027-03-31"


def put(api, path, data):
    return api.client.put(f"/api/v1{path}", data, content_type="application/json")


ORE_ROW = {
    "kind": "FINES",
    "name": "PB粉",
    "grade": "61.50",
    "quantity_kt": "1.000",
    "unit_price": "105000.00",
    "amount": "105000.00",
}
ORE = {
    "contract_number": "HT-2026-001",
    "contract_type": "SPOT",
    "signed_on": "2026-10-01",
    "period_from": "2026-10-01",
    "period_to": "2027-03-31",
    "enterprise_nature": "PRODUCER",
    "seller_name_zh": "澳大利亚矿业公司",
    "seller_name_en": "Australian Mining Pty Ltd",
    "unloading_port_1": "青岛港",
}


def test_the_iron_ore_table_and_its_rows(world):
    api = ApiClient(world["owner"])
    path = f"{LIC}/applications/{world['licence']}/iron-ore"
    prefill = api.get(path).json()
    assert prefill["saved"] is False and prefill["required"] is True and prefill["rows"] == []
    assert prefill["values"]["origin"] == "AU" and prefill["values"]["importer_name"] == "甲公司"

    no_rows = put(api, path, {**ORE, "rows": []})
    assert no_rows.status_code == 422
    assert any("at least one goods row" in m for m in no_rows.json()["messages"]["en"])
    bad_grade = put(api, path, {**ORE, "rows": [{**ORE_ROW, "grade": "61.555"}]})
    assert bad_grade.status_code == 422, bad_grade.content
    assert "decimal places" in bad_grade.json()["fields"]["rows.0.grade"]["en"][0]
    wrong = put(api, path, {**ORE, "rows": [ORE_ROW, {**ORE_ROW, "amount": "1.00"}]})
    assert wrong.status_code == 422, wrong.content
    assert wrong.json()["fields"]["rows.1.amount"]["en"] == [
        "Row 2: the amount must be the quantity × the unit price (105000.00)."
    ]
    assert not IronOreContract.objects.exists()

    saved = put(api, path, {**ORE, "rows": [ORE_ROW]})
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["saved"] is True and len(body["rows"]) == 1 and body["rows"][0]["kind"] == "FINES"
    assert IronOreContract.objects.get().rows.count() == 1


def test_the_key_agricultural_filing_is_the_callers_enterprise(world):
    api = ApiClient(world["owner"])
    path = f"{LIC}/key-agricultural"
    prefill = api.get(path).json()
    assert prefill["saved"] is False and prefill["values"]["enterprise_name"] == "甲公司"
    values = {
        "customs_number": "1101234567",
        "business_number": "110000000000001",
        "registered_capital": "500",
    }
    bad_phone = put(api, path, {**values, "phone": "12"})
    assert bad_phone.status_code == 422 and "phone" in bad_phone.json()["fields"]
    assert not KeyAgriculturalFiling.objects.exists()
    reported = put(api, path, values)
    assert reported.status_code == 200, reported.content
    body = reported.json()
    assert body["saved"] is True and body["shown"]["enterprise_code"] == "1101MA01C2D3X"
    # Another enterprise sees its own (none), never this one.
    theirs = ApiClient(world["other"]).get(path).json()
    assert theirs["saved"] is False and theirs["values"]["enterprise_name"] == "乙公司"


def test_another_enterprise_gets_404_on_every_application_operation(world):
    mine = ApiClient(world["owner"])
    staged = mine.upload(
        f"{AV}/applications/{world['av']}/line-imports", {"file": xlsx([good_row(1)])}
    ).json()
    api = ApiClient(world["other"])
    av_base = f"{AV}/applications/{world['av']}"
    lic_base = f"{LIC}/applications/{world['licence']}"
    calls = {
        "import": lambda: api.upload(f"{av_base}/line-imports", {"file": xlsx([good_row(1)])}),
        "confirm": lambda: api.post(f"{av_base}/line-imports/{staged['id']}/confirm"),
        "cancel": lambda: api.delete(f"{av_base}/line-imports/{staged['id']}"),
        "contract": lambda: api.get(f"{lic_base}/contract"),
        "contract_save": lambda: put(api, f"{lic_base}/contract", {"fax": "1"}),
        "iron_ore": lambda: api.get(f"{lic_base}/iron-ore"),
        "iron_ore_save": lambda: put(api, f"{lic_base}/iron-ore", {**ORE, "rows": [ORE_ROW]}),
    }
    for name, call in calls.items():
        response = call()
        assert response.status_code == 404, (name, response.status_code, response.content)
        assert response.json()["code"] == "not_found"
    assert StagedImport.objects.filter(pk=staged["id"]).exists()
    assert lines_of(world["av"]) == 0 and not ContractInfo.objects.exists()


def test_an_id_beyond_any_integer_is_a_404_not_a_500(world):
    api = ApiClient(world["owner"])
    base = f"{AV}/applications/{world['av']}/line-imports/{2**70}"
    assert api.post(f"{base}/confirm").status_code == 404
    assert api.delete(base).status_code == 404
