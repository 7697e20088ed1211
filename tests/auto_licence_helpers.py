"""Builders for automatic import licence tests, through the services as every path uses them."""

from datetime import timedelta

from django.utils import timezone

from filings import registry
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


def complete_draft(owner, authority=None, **overrides):
    filing = draft(owner, authority, **overrides)
    services.add_line(filing=filing, actor=owner, values=line())
    return filing


def issued(owner, chains, authority=None):
    filing = complete_draft(owner, authority)
    services.submit(filing=filing, actor=owner)
    services.decide(filing=filing, actor=chains[1], decision="first_pass")
    services.decide(filing=filing, actor=chains[2], decision="second_pass")
    filing.refresh_from_db()
    return filing
