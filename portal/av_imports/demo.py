"""Demo data for ``make run``: the AV import office's reviewer and four filings of the demo
enterprise (a draft, one pending, one approved with its approval document, one rejected)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from filings.selectors import approval_settings
from portal.accounts import services as accounts
from portal.reference.models import Authority, Carrier, Country, Currency, Module, Port
from workflows import services

DEMO_PASSWORD = "demo-pass-2026"
OFFICE = "AV-000000"


def attachment_list() -> SimpleUploadedFile:
    """A filled attachment list, as a filer would upload it."""
    book = Workbook()
    sheet = book.active
    sheet.append(["文件名称*", "文件编号*", "发证单位*", "发证日期*"])
    sheet.append(["版权授权书", "DG-2026-0117", "Deutsche Grammophon GmbH", "2026-10-08"])
    sheet.append(["进口合同", "HT-2026-088", "北京示范医药进出口有限公司", "2026-10-20"])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("附件清单.xlsx", out.getvalue())


def line(n: int, **overrides) -> dict:
    values = {
        "title_zh": ["贝多芬第九交响曲", "卡拉扬指挥柏林爱乐精选", "蓝色星球（纪录片）"][n % 3],
        "title_original": ["Symphony No. 9", "Karajan: Berliner Philharmoniker", "Blue Planet"][
            n % 3
        ],
        "carrier": Carrier.objects.get(code=["CD", "SACD", "BD"][n % 3]),
        "language": ["德语", "德语", "英语"][n % 3],
        "country": Country.objects.get(code=["DE", "AT", "GB"][n % 3]),
        "copyright_holder": ["Deutsche Grammophon GmbH", "Universal Music", "BBC Studios"][n % 3],
        "quantity": 200 * (n + 1),
        "unit": "张",
        "unit_price": "8.50",
        "currency": Currency.objects.get(code="EUR"),
    }
    values["total"] = f"{values['quantity'] * 8.5:.2f}"
    values.update(overrides)
    return values


def load(system, *, owner) -> None:
    office = Authority.objects.get(code=OFFICE)
    reviewer = accounts.create_approver(
        username="av-reviewer",
        password=DEMO_PASSWORD,
        authority=office,
        system=Module.AV_IMPORT,
        level=1,
        first_name="周审核",
    ).user
    admin = accounts.create_authority_admin(
        username="av-admin", password=DEMO_PASSWORD, authority=office, first_name="吴管理"
    )
    if not approval_settings(authority=office, system=Module.AV_IMPORT):
        services.save_approval_settings(
            actor=admin.user,
            authority=office,
            system=Module.AV_IMPORT,
            values={
                "name_zh": office.name_zh,
                "name_en": office.name_en,
                "phone": "010-55550100",
                "address": "北京市西城区示范街1号",
                "postcode": "100000",
                "contact": "进口音像审批处",
            },
        )
    if system.model.objects.filter(enterprise=owner.membership.enterprise).exists():
        return
    port = Port.objects.get(code="0101") if Port.objects.filter(code="0101").exists() else None
    made = []
    for n, approval in enumerate(("DEMO-AV-2026-0001", "DEMO-AV-2026-0002", "DEMO-AV-2026-0003")):
        filing = services.create_draft(
            system=system,
            actor=owner,
            values={
                "approval_number": approval,
                "authority": office,
                "entry_port": port,
                "contact_name": "王经理",
                "contact_phone": "010-62345678",
            },
        )
        for i in range(n + 1):
            services.add_line(filing=filing, actor=owner, values=line(i))
        services.upload_attachment(
            filing=filing, actor=owner, attachment_type=None, uploaded_file=attachment_list()
        )
        services.submit(filing=filing, actor=owner, second_factor_verified=True)
        made.append(filing)
    services.decide(filing=made[1], actor=reviewer, decision="approve", opinion="同意进口")
    services.decide(
        filing=made[2],
        actor=reviewer,
        decision="reject",
        opinion="版权授权文件已过期，请补充有效授权后重新申请。",
        notice_number="音审〔2026〕3号",
    )
    draft = services.create_draft(
        system=system,
        actor=owner,
        values={"authority": office, "contact_name": "王经理", "contact_phone": "010-62345678"},
    )
    services.add_line(filing=draft, actor=owner, values=line(2))
    # One approved and then voided (作废): the approval was issued in error.
    voided = services.create_draft(
        system=system,
        actor=owner,
        values={
            "approval_number": "DEMO-AV-2026-0004",
            "authority": office,
            "entry_port": port,
            "contact_name": "王经理",
            "contact_phone": "010-62345678",
        },
    )
    services.add_line(filing=voided, actor=owner, values=line(0))
    services.upload_attachment(
        filing=voided, actor=owner, attachment_type=None, uploaded_file=attachment_list()
    )
    services.submit(filing=voided, actor=owner, second_factor_verified=True)
    services.decide(filing=voided, actor=reviewer, decision="approve", opinion="同意进口")
    voided.refresh_from_db()
    services.void_certificate(
        certificate=voided.certificate, actor=reviewer, reason="批准单编号填报有误，予以作废。"
    )
