"""Goods from Excel and the attachment list: the template round trip, a 10,000-row file
with bad rows, and files that are refused whole (zip bomb, renamed, too large)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from filings.models import StagedImport

from .. import av_import_helpers as av
from ..conftest import client_for

pytestmark = pytest.mark.django_db

HEADERS = av.LINE_SHEET_HEADERS


@pytest.fixture
def filing(owner, seeded):
    av.chains()
    return av.draft(owner)


def url(name, *args):
    return reverse(f"av_imports:{name}", args=args)


def good_row(n=1):
    return [f"节目{n}", f"Programme {n}", "CD", "英语", "GB 英国", "BBC", 10, "张", 2.5, "USD", 25]


def upload(client, filing, content, name="goods.xlsx"):
    return client.post(
        url("import-lines", filing.number), {"file": SimpleUploadedFile(name, content)}
    )


def test_template_round_trip(owner, filing):
    client = client_for(owner)
    response = client.get(url("line-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["A2"].value == "贝多芬第九交响曲"  # the example row
    lists = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation
    }
    assert {"C2", "E2", "J2"} <= set(lists)  # carrier, country, currency: drop-downs
    carriers = [c.value for c in book["lists"]["A"]]
    assert "CD 激光唱盘（CD）" in carriers
    # Fill it as a filer would: overwrite the example, add two more rows.
    for r, row in enumerate([good_row(1), good_row(2), good_row(3)], start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    sheet["C3"] = "BD 蓝光光盘（BD）"  # as the drop-down writes it
    out = io.BytesIO()
    book.save(out)
    response = upload(client, filing, out.getvalue())
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert 'id="rows-accepted">3<' in preview and 'id="rows-rejected">0<' in preview
    assert not filing.goods_lines.exists()  # nothing until confirmed
    response = client.post(response["Location"], {"action": "confirm"})
    assert response.status_code == 302
    lines = list(filing.goods_lines.order_by("line_number"))
    assert [g.title_zh for g in lines] == ["节目1", "节目2", "节目3"]
    assert lines[1].carrier.code == "BD" and str(lines[0].total) == "25.00"
    assert not StagedImport.objects.exists()


def test_the_untouched_example_row_is_skipped(owner, filing):
    client = client_for(owner)
    template = client.get(url("line-template")).content
    response = upload(client, filing, template)
    assert response.status_code == 200
    assert "文件表头下没有商品数据行" in response.content.decode()


def test_ten_thousand_rows_with_bad_ones(owner, filing):
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    bad = {
        101: (2, "XX 不存在"),  # unknown carrier
        2002: (0, None),  # missing title
        3003: (6, -5),  # negative quantity
        4004: (10, 99),  # wrong total
        5005: (6, "十个"),  # not a number
    }
    for n in range(1, 10_001):
        row = good_row(n)
        if n in bad:
            column, value = bad[n]
            row[column] = value
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    client = client_for(owner)
    response = upload(client, filing, out.getvalue())
    assert response.status_code == 302, response.content.decode()[:2000]
    staged = StagedImport.objects.get()
    assert staged.rows == 10_000 and len(staged.accepted) == 9_995
    rejected = {row: (column, reason) for row, column, reason in staged.rejected}
    # Sheet row = data row + 1 (the header is row 1).
    assert set(rejected) == {102, 2003, 3004, 4005, 5006}
    assert rejected[102][0] == "载体" and "不在参数列表中" in rejected[102][1]
    assert rejected[2003][0] == "节目名称（中文）"
    assert rejected[4005][0] == "总价"
    preview = client.get(url("import-preview", filing.number, staged.pk)).content.decode()
    assert "9995" in preview and "第 1 页" in preview and "不在参数列表中" in preview
    client.post(url("import-preview", filing.number, staged.pk), {"action": "confirm"})
    assert filing.goods_lines.count() == 9_995
    detail = client.get(url("detail", filing.number)).content.decode()
    assert detail.count("<tr data-line=") == 50 and "共 200 页" in detail


def _zip(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            _zip(
                {
                    "[Content_Types].xml": "<x/>",
                    "xl/workbook.xml": "<x/>",
                    "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024),
                }
            ),
            "压缩炸弹",
        ),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "不是 Excel 工作簿"),
        ("节目名称,载体\n贝多芬,CD\n".encode(), "不是 Excel 工作簿"),
        (_zip({"readme.txt": "hello"}), "不是 Excel 工作簿"),
        (_zip({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "not xml"}), "已损坏"),
        (b"PK" + b"\x01" * (11 * 1024 * 1024), "文件超过 10 MB"),
    ],
    ids=["zip-bomb", "renamed-pdf", "renamed-csv", "other-zip", "damaged", "too-large"],
)
def test_refused_files_import_nothing_and_say_why(owner, filing, content, message):
    client = client_for(owner)
    response = upload(client, filing, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StagedImport.objects.exists() and not filing.goods_lines.exists()


def test_a_missing_column_is_named(owner, filing):
    content = av.workbook([good_row()[:5]], HEADERS[:5])
    response = upload(client_for(owner), filing, content)
    assert "表头缺少以下列" in response.content.decode() and "币制" in response.content.decode()


def test_cancel_adds_nothing_and_others_never_see_the_preview(owner, other_owner, filing):
    client = client_for(owner)
    response = upload(client, filing, av.workbook([good_row()], HEADERS))
    preview = response["Location"]
    assert client_for(other_owner).get(preview).status_code == 404
    client.post(preview, {"action": "cancel"})
    assert not StagedImport.objects.exists() and not filing.goods_lines.exists()


def test_the_attachment_list_is_checked_row_by_row(owner, filing):
    av.services.add_line(filing=filing, actor=owner, values=av.line())
    client = client_for(owner)
    template = load_workbook(io.BytesIO(client.get(url("attachment-template")).content))
    assert [c.value for c in template.worksheets[0][1]] == [
        "文件名称*",
        "文件编号*",
        "发证单位*",
        "发证日期*",
    ]
    upload_url = url("upload-free", filing.number)
    bad = av.attachment_list(
        [["授权书", "", "某公司", "2026-13-01"], ["合同", "1", "乙", "2026-10-01"]]
    )
    html = client.post(upload_url, {"file": bad}, follow=True).content.decode()
    assert "第 2 行，文件编号" in html and "第 2 行，发证日期" in html
    renamed = SimpleUploadedFile("附件.xlsx", b"%PDF-1.4\n%%EOF\n")
    html = client.post(upload_url, {"file": renamed}, follow=True).content.decode()
    assert "不是 Excel 工作簿" in html
    assert not filing.attachments.exists()
    client.post(upload_url, {"file": av.attachment_list()})
    assert filing.attachments.count() == 1
