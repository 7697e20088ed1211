"""Builders for automatic import licence tests, through the services as every path uses them."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from filings import registry
from portal.auto_licences import services as tables
from portal.reference.models import (
    Authority,
    AuthorityKind,
    Country,
    Currency,
    HSCode,
    Module,
    Port,
    Purpose,
    TradeMode,
)
from workflows import services

from .conftest import make_chain

BUREAU = "LB-000000"
IRON_ORE = "2601120000"


def system():
    return registry.get(Module.AUTO_IMPORT_LICENCE)


def bureau():
    return Authority.objects.get(code=BUREAU)


def other_bureau():
    found, _created = Authority.objects.get_or_create(
        code="LB-310000",
        defaults={
            "kind": AuthorityKind.LICENCE_BUREAU,
            "name_zh": "上海市商务委员会（测试）",
            "province": "310000",
            "live": True,
        },
    )
    return found


def chains():
    seats = make_chain(bureau(), "lb", levels=(1, 2), system=Module.AUTO_IMPORT_LICENCE)
    other = make_chain(other_bureau(), "lb-sh", levels=(1, 2), system=Module.AUTO_IMPORT_LICENCE)
    seats["other-l1"] = other[1]
    return seats


def header(authority=None, **overrides):
    values = {
        "year": timezone.localdate().year,
        "one_batch": True,
        "hs_code_1": HSCode.objects.get(code=IRON_ORE),
        "port_1": Port.objects.get(code="2233"),
        "authority": authority or bureau(),
        "handler": "王经理",
        "import_user_name": "甲公司",
        "import_user_code": "91110108MA01C2D3XY",
        "importer_name": "甲公司",
        "importer_code": "91110108MA01C2D3XY",
        "trade_mode": TradeMode.objects.get(code="0110"),
        "trade_country": Country.objects.get(code="AU"),
        "currency_source": "1",
        "origin_country": Country.objects.get(code="AU"),
        "purpose": Purpose.objects.get(code="OWN_USE"),
        "expected_arrival": timezone.localdate() + timedelta(days=30),
        "price_currency": Currency.objects.get(code="USD"),
    }
    values.update(overrides)
    return values


def line(**overrides):
    values = {
        "hs_code": HSCode.objects.get(code=IRON_ORE),
        "specification": "Fe 62%",
        "unit": "千克",
        "quantity": "1000",
        "unit_price": "0.1050",
        "total": "105.00",
    }
    values.update(overrides)
    return values


def draft(owner, authority=None, **overrides):
    return services.create_draft(
        system=system(), actor=owner, values=header(authority, **overrides)
    )


def contract_values(**overrides):
    values = {
        "enterprise_code": "MA01C2D3X",
        "enterprise_name": "甲公司",
        "uscc": "91110108MA01C2D3XY",
        "address": "北京市朝阳区建国路1号",
        "contact": "张三",
        "contact_phone": "13800138000",
        "contract_number": "HT-2026-001",
        "seller_name_zh": "澳大利亚矿业公司",
        "seller_name_en": "Australian Mining Pty Ltd",
        "signed_on": date(2026, 10, 1),
        "contract_valid_until": date(2027, 3, 31),
        "total_quantity": Decimal("1000"),
        "total_amount": Decimal("105.00"),
        "settlement_currency": Currency.objects.get(code="USD"),
        "payment_terms": "信用证",
        "end_user_name": "甲公司",
        "detailed_use": "炼钢原料",
        "expected_change": "FLAT",
    }
    values.update(overrides)
    return values


def iron_ore_values(**overrides):
    values = {
        "year": timezone.localdate().year,
        "importer_code": "91110108MA01C2D3XY",
        "importer_name": "甲公司",
        "origin": Country.objects.get(code="AU"),
        "trade_country": Country.objects.get(code="AU"),
        "contract_number": "HT-2026-001",
        "contract_type": "SPOT",
        "signed_on": date(2026, 10, 1),
        "period_from": date(2026, 10, 1),
        "period_to": date(2027, 3, 31),
        "enterprise_nature": "PRODUCER",
        "seller_name_zh": "澳大利亚矿业公司",
        "seller_name_en": "Australian Mining Pty Ltd",
        "unloading_port_1": "青岛港",
    }
    values.update(overrides)
    return values


IRON_ORE_ROW = {
    "kind": "FINES",
    "name": "PB粉",
    "grade": Decimal("61.50"),
    "quantity_kt": Decimal("1.000"),
    "unit_price": Decimal("105000.00"),
    "amount": Decimal("105000.00"),
}


def complete_draft(owner, authority=None, **overrides):
    filing = draft(owner, authority, **overrides)
    services.add_line(filing=filing, actor=owner, values=line())
    tables.save_contract(filing=filing, actor=owner, values=contract_values())
    if tables.needs_iron_ore(filing):
        tables.save_iron_ore(
            filing=filing, actor=owner, values=iron_ore_values(), rows=[dict(IRON_ORE_ROW)]
        )
    return filing


def issued(owner, chains, authority=None):
    filing = complete_draft(owner, authority)
    services.submit(filing=filing, actor=owner, second_factor_verified=True)
    services.decide(filing=filing, actor=chains[1], decision="first_pass")
    services.decide(filing=filing, actor=chains[2], decision="second_pass")
    filing.refresh_from_db()
    return filing
