"""Excel in the exporter's language: golden header rows and sheet titles in Chinese (as the
seed has them, unchanged) and English for every export; a job keeps its creator's language."""

import io
import re

import pytest
from django.utils import translation
from openpyxl import load_workbook

from documents import jobs
from documents.models import DocumentJob
from filings import registry

from ..conftest import client_for
from ..drug_permit_helpers import decide_all

APPLICATIONS = DocumentJob.Kind.APPLICATION_EXPORT
CERTIFICATES = DocumentJob.Kind.CERTIFICATE_EXPORT

GOLDEN = {
    ("DRUG_PERMIT", APPLICATIONS): {
        "zh-hans": (
            "申请单",
            "申请单号 进出口 状态 申请单位 统一社会信用代码 审批机关 用途 药品名称 商品编码 剂型 "
            "数量合计 单位 口岸 申报时间 准许证号",
        ),
        "en": (
            "Applications",
            "Application number|Import or export|Status|Applicant|Unified social credit code|"
            "Approving authority|Purpose|Drug name|HS code|Dosage form|Total quantity|Unit|Port|"
            "Submitted|Permit number",
        ),
    },
    ("DRUG_PERMIT", CERTIFICATES): {
        "zh-hans": (
            "准许证数据统计表",
            "准许证号 申请单号 进出口 证书状态 单位名称 统一社会信用代码 序号 药品名称 英文名称 "
            "商品编码 剂型 规格 数量 单位 生产厂商 国家（地区） 发证日期 有效期至 发证机关",
        ),
        "en": (
            "Permit statistics",
            "Permit number|Application number|Import or export|Certificate status|"
            "Enterprise name|Unified social credit code|No.|Drug name|English name|HS code|"
            "Dosage form|Specification|Quantity|Unit|Manufacturer|Country (region)|Issue date|"
            "Valid until|Issuing authority",
        ),
    },
    ("AV_IMPORT", APPLICATIONS): {
        "zh-hans": (
            "批准单",
            "申请单号 批准单编号 状态 进口单位 统一社会信用代码 入境口岸 申报时间",
        ),
        "en": (
            "Approval documents",
            "Application number|Approval number|Status|Importing enterprise|"
            "Unified social credit code|Entry port|Submitted",
        ),
    },
    ("AV_IMPORT", CERTIFICATES): {
        "zh-hans": (
            "批准单数据统计表",
            "批准单编号 申请单号 状态 进口单位 统一社会信用代码 序号 节目名称 原名 载体 数量 单位 "
            "总价 币制 发证日期 有效期至",
        ),
        "en": (
            "Approval document statistics",
            "Approval number|Application number|Status|Importing enterprise|"
            "Unified social credit code|No.|Programme title|Original title|Carrier|Quantity|"
            "Unit|Total price|Currency|Issue date|Valid until",
        ),
    },
    ("AUTO_IMPORT_LICENCE", APPLICATIONS): {
        "zh-hans": ("自动进口许可证申请", "申请表序号 申请表号 状态 进口商 年度 商品代码 商品名称"),
        "en": (
            "Licence applications",
            "Application serial number|Bureau application number|Status|Importer|Year|"
            "Commodity code|Commodity name",
        ),
    },
    ("AUTO_IMPORT_LICENCE", CERTIFICATES): {
        "zh-hans": (
            "自动进口许可证",
            "许可证号 申请表序号 证书状态 进口商 商品代码 商品名称 规格 数量 单位 总值折美元 "
            "发证日期 有效截止日期",
        ),
        "en": (
            "Automatic import licences",
            "Licence number|Application serial number|Certificate status|Importer|"
            "Commodity code|Commodity name|Specification|Quantity|Unit|"
            "Total value in US dollars|Issue date|Expiry date",
        ),
    },
}


def headers(text: str, language: str) -> list[str]:
    return text.split(" ") if language == "zh-hans" else text.split("|")


def written(kind, owner, system, language) -> tuple[str, list]:
    out = io.BytesIO()
    jobs.write_export(kind, owner, system, {"filters": {}}, out, language=language)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    return sheet.title, [cell.value for cell in sheet[1]]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("system_key", "kind"), list(GOLDEN))
def test_header_rows_and_titles_in_the_exporters_language(owner, system_key, kind, language):
    # Written while the other language is active: only the exporter's counts.
    with translation.override("en" if language == "zh-hans" else "zh-hans"):
        title, header = written(kind, owner, registry.get(system_key), language)
    expected_title, expected = GOLDEN[(system_key, kind)][language]
    assert (title, header) == (expected_title, headers(expected, language))


@pytest.mark.django_db
def test_every_registered_export_has_english_headers(owner):
    for system in registry.all_systems():
        kinds = [APPLICATIONS] + ([CERTIFICATES] if system.certificate_export_columns else [])
        for kind in kinds:
            title, header = written(kind, owner, system, "en")
            assert not re.search(r"[\u4e00-\u9fff]", " ".join([title, *map(str, header)])), (
                system.key,
                kind,
            )


@pytest.mark.django_db
def test_inline_export_follows_the_request_and_values_are_localized(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    client = client_for(chain[1])
    client.cookies["django_language"] = "en"
    response = client.post("/admin/drug-permit/query/", {})
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("Application number", "Import or export", "Status")
    assert row[0] == application.number
    assert row[1] == "Import" and row[2] == "Approved"
    assert row[5] == application.authority.name_en, "reference names in English"


@pytest.mark.django_db
def test_a_job_keeps_its_creators_language(chain, owner, authority):
    decide_all(owner, chain, authority)
    system = registry.get("DRUG_PERMIT")
    with translation.override("en"):
        job = jobs.start(
            kind=CERTIFICATES, owner=chain[1], system=system, params={"filters": {}}, total=1
        )
    assert job.language == "en"
    with translation.override("zh-hans"):  # the worker runs in whatever language
        jobs.run_job.func(job.pk)
    job.refresh_from_db()
    assert job.state == DocumentJob.State.DONE
    sheet = load_workbook(job.file.open("rb")).active
    assert sheet.title == "Permit statistics"
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Permit number" and header[-1] == "Issuing authority"
    assert row[-1] == authority.name_en
    with translation.override("zh-hans"):
        chinese = jobs.start(
            kind=CERTIFICATES, owner=chain[1], system=system, params={"filters": {}}, total=1
        )
    assert chinese.language == "zh-hans"
