"""Demo data for ``make run``: the licence bureau's first and second reviewers and two
filings of the demo enterprise (a draft, and one issued with its electronic licence)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customs.demo import through_customs
from filings.selectors import approval_settings
from portal.accounts import services as accounts
from portal.reference.models import (
    Authority,
    Country,
    Currency,
    HSCode,
    Module,
    Port,
    Purpose,
    TradeMode,
)
from workflows import services

from . import services as tables

DEMO_PASSWORD = "demo-pass-2026"
BUREAU = "LB-000000"


def header(bureau, enterprise) -> dict:
    return {
        "year": timezone.localdate().year,
        "one_batch": True,
        "hs_code_1": HSCode.objects.get(code="2601120000"),
        "port_1": Port.objects.filter(code="2233").first(),
        "authority": bureau,
        "handler": "王经理",
        "import_user_name": enterprise.name_zh,
        "import_user_code": enterprise.uscc,
        "importer_name": enterprise.name_zh,
        "importer_code": enterprise.uscc,
        "trade_mode": TradeMode.objects.get(code="0110"),
        "trade_country": Country.objects.get(code="AU"),
        "currency_source": "1",
        "origin_country": Country.objects.get(code="AU"),
        "purpose": Purpose.objects.get(code="OWN_USE"),
        "expected_arrival": timezone.localdate() + timedelta(days=45),
        "price_currency": Currency.objects.get(code="USD"),
    }


def line() -> dict:
    return {
        "hs_code": HSCode.objects.get(code="2601120000"),
        "specification": "Fe 62%",
        "unit": "千克",
        "quantity": "1000000",
        "unit_price": "0.1050",
        "total": "105000.00",
    }


IRON_ORE_ROW = {
    "kind": "FINES",
    "name": "PB粉",
    "grade": Decimal("61.50"),
    "quantity_kt": Decimal("1.000"),
    "unit_price": Decimal("105000.00"),
    "amount": Decimal("105000.00"),
}


def contract(filing) -> dict:
    today = timezone.localdate()
    return {
        **tables.contract_initial(filing),
        "contract_number": "DEMO-HT-2026-01",
        "seller_name_zh": "示范澳洲矿业有限公司",
        "seller_name_en": "Demo Australian Mining Pty Ltd",
        "signed_on": today - timedelta(days=20),
        "contract_valid_until": today + timedelta(days=160),
        "total_quantity": Decimal("1000000"),
        "total_amount": Decimal("105000.00"),
        "settlement_currency": Currency.objects.get(code="USD"),
        "payment_terms": "信用证",
        "end_user_name": filing.enterprise.name_zh,
        "detailed_use": "炼钢原料",
        "expected_change": "FLAT",
    }


def iron_ore(filing) -> dict:
    today = timezone.localdate()
    return {
        "year": filing.year,
        "importer_code": filing.importer_code,
        "importer_name": filing.importer_name,
        "origin": Country.objects.get(code="AU"),
        "trade_country": Country.objects.get(code="AU"),
        "contract_number": "DEMO-HT-2026-01",
        "contract_type": "SPOT",
        "signed_on": today - timedelta(days=20),
        "period_from": today - timedelta(days=20),
        "period_to": today + timedelta(days=160),
        "enterprise_nature": "TRADER",
        "seller_name_zh": "示范澳洲矿业有限公司",
        "seller_name_en": "Demo Australian Mining Pty Ltd",
        "unloading_port_1": "青岛港",
    }


def load(system, *, owner) -> None:
    bureau = Authority.objects.get(code=BUREAU)
    reviewers = {
        level: accounts.create_approver(
            username=f"licence-l{level}",
            password=DEMO_PASSWORD,
            authority=bureau,
            system=Module.AUTO_IMPORT_LICENCE,
            level=level,
            first_name=name,
        ).user
        for level, name in ((1, "孙初审"), (2, "钱复审"))
    }
    admin = accounts.create_authority_admin(
        username="licence-admin", password=DEMO_PASSWORD, authority=bureau, first_name="郑管理"
    )
    if not approval_settings(authority=bureau, system=Module.AUTO_IMPORT_LICENCE):
        services.save_approval_settings(
            actor=admin.user,
            authority=bureau,
            system=Module.AUTO_IMPORT_LICENCE,
            values={
                "name_zh": bureau.name_zh,
                "name_en": bureau.name_en,
                "phone": "010-55550200",
                "address": "北京市东城区示范路2号",
                "postcode": "100000",
                "contact": "许可证事务处",
            },
        )
    enterprise = owner.membership.enterprise
    if system.model.objects.filter(enterprise=enterprise).exists():
        return
    issued = services.create_draft(system=system, actor=owner, values=header(bureau, enterprise))
    services.add_line(filing=issued, actor=owner, values=line())
    tables.save_contract(filing=issued, actor=owner, values=contract(issued))
    tables.save_iron_ore(
        filing=issued, actor=owner, values=iron_ore(issued), rows=[dict(IRON_ORE_ROW)]
    )
    services.submit(filing=issued, actor=owner, second_factor_verified=True)
    services.decide(filing=issued, actor=reviewers[1], decision="first_pass")
    services.decide(filing=issued, actor=reviewers[2], decision="second_pass")
    issued.refresh_from_db()
    # Customs accepted it and wrote part of it off (the licence's remainder shows).
    through_customs(issued.certificate, actor=reviewers[2], written_off=250000)
    draft = services.create_draft(system=system, actor=owner, values=header(bureau, enterprise))
    services.add_line(filing=draft, actor=owner, values=line())
    # One application waiting or stopped at every other step, so both reviewers' to-do
    # lists and the filer's list show each state of the seed.
    plans = {
        "FIRST_REVIEW": [],
        "SECOND_REVIEW": [(1, "first_pass", "")],
        "FIRST_REJECTED": [(1, "first_reject", "合同金额与申请表不一致，请核对后重新申请。")],
        "SECOND_REJECTED": [
            (1, "first_pass", ""),
            (2, "second_reject", "铁矿石合同信息表的卸货港与申请表不符。"),
        ],
        "REVOKED": "revoke",
    }
    for steps in plans.values():
        filing = services.create_draft(
            system=system, actor=owner, values=header(bureau, enterprise)
        )
        services.add_line(filing=filing, actor=owner, values=line())
        tables.save_contract(filing=filing, actor=owner, values=contract(filing))
        tables.save_iron_ore(
            filing=filing, actor=owner, values=iron_ore(filing), rows=[dict(IRON_ORE_ROW)]
        )
        services.submit(filing=filing, actor=owner, second_factor_verified=True)
        filing.refresh_from_db()
        if steps == "revoke":
            services.withdraw(filing=filing, actor=owner)
            continue
        for level, decision, opinion in steps:
            services.decide(
                filing=filing, actor=reviewers[level], decision=decision, opinion=opinion
            )
            filing.refresh_from_db()
    # One issued licence voided before customs had it.
    voided = services.create_draft(system=system, actor=owner, values=header(bureau, enterprise))
    services.add_line(filing=voided, actor=owner, values=line())
    tables.save_contract(filing=voided, actor=owner, values=contract(voided))
    tables.save_iron_ore(
        filing=voided, actor=owner, values=iron_ore(voided), rows=[dict(IRON_ORE_ROW)]
    )
    services.submit(filing=voided, actor=owner, second_factor_verified=True)
    services.decide(filing=voided, actor=reviewers[1], decision="first_pass")
    services.decide(filing=voided, actor=reviewers[2], decision="second_pass")
    voided.refresh_from_db()
    services.void_certificate(
        certificate=voided.certificate, actor=reviewers[2], reason="企业申请注销，许可证作废。"
    )
