"""Builders for audio-video import tests, through the services as every path uses them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from filings import registry
from portal.reference.models import (
    Authority,
    AuthorityKind,
    Carrier,
    Country,
    Currency,
    Module,
    Port,
)
from workflows import services

from .conftest import make_chain

#: The goods-line sheet's header row, as the AV import's template writes it.
LINE_SHEET_HEADERS = [
    "节目名称（中文）*",
    "节目名称（原文）*",
    "载体*",
    "语种*",
    "来源国家（地区）*",
    "版权所有者或出版者*",
    "数量*",
    "单位*",
    "单价*",
    "币制*",
    "总价*",
]

OFFICE = "AV-000000"


def system():
    return registry.get(Module.AV_IMPORT)


def office():
    return Authority.objects.get(code=OFFICE)


def other_office():
    """A second office (tests only): its approvers must never reach the first one's filings."""
    found, _created = Authority.objects.get_or_create(
        code="AV-310000",
        defaults={
            "kind": AuthorityKind.AV_IMPORT_OFFICE,
            "name_zh": "上海市进口音像审批（测试）",
            "province": "310000",
            "live": True,
        },
    )
    return found


def chains():
    """The office's reviewer (level 1) with settings saved; and another office's."""
    seats = make_chain(office(), "av", levels=(1,), system=Module.AV_IMPORT)
    other = make_chain(other_office(), "av-sh", levels=(1,), system=Module.AV_IMPORT)
    seats["other-l1"] = other[1]
    return seats


def header(authority=None, **overrides):
    values = {
        "approval_number": "AV-TEST-0001",
        "authority": authority or office(),
        "entry_port": Port.objects.get(code="2233"),
        "contact_name": "张三",
        "contact_phone": "13800138000",
    }
    values.update(overrides)
    return values


def line(**overrides):
    values = {
        "title_zh": "贝多芬第九交响曲",
        "title_original": "Symphony No. 9",
        "carrier": Carrier.objects.get(code="CD"),
        "language": "德语",
        "country": Country.objects.get(code="DE"),
        "copyright_holder": "Deutsche Grammophon GmbH",
        "quantity": 500,
        "unit": "张",
        "unit_price": "8.50",
        "currency": Currency.objects.get(code="EUR"),
        "total": "4250.00",
    }
    values.update(overrides)
    return values


def workbook(rows, header_row=None) -> bytes:
    book = Workbook()
    sheet = book.active
    if header_row:
        sheet.append(header_row)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attachment_list(rows=None, name="附件清单.xlsx"):
    rows = rows or [["版权授权书", "DG-2026-0117", "Deutsche Grammophon GmbH", "2026-10-08"]]
    content = workbook(rows, ["文件名称*", "文件编号*", "发证单位*", "发证日期*"])
    return SimpleUploadedFile(name, content)


def draft(owner, authority=None, **overrides):
    return services.create_draft(
        system=system(), actor=owner, values=header(authority, **overrides)
    )


def complete_draft(owner, authority=None, **overrides):
    filing = draft(owner, authority, **overrides)
    services.add_line(filing=filing, actor=owner, values=line())
    services.upload_attachment(
        filing=filing, actor=owner, attachment_type=None, uploaded_file=attachment_list()
    )
    return filing
