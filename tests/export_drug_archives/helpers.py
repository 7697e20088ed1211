"""Builders for export drug archive tests, through the services as every path uses them."""

from filings import registry
from portal.accounts.models import Enterprise
from portal.reference.models import Country, DosageForm, HSCode, Module
from workflows import services


def system():
    return registry.get(Module.EXPORT_DRUG_ARCHIVE)


def complete_enterprise(user) -> None:
    """The details seed 002 asks for before anything is filled in."""
    Enterprise.objects.filter(members__user=user).update(
        legal_representative="王法人",
        drug_manufacturing_licence="京20260001",
        production_address="北京市大兴区生物医药基地天富街1号",
    )


def values(**overrides) -> dict:
    found = {
        "generic_name_zh": "阿莫西林胶囊",
        "generic_name_en": "Amoxicillin Capsules",
        "trade_name_zh": "",
        "trade_name_en": "",
        "approval_number": "国药准字H20260001",
        "dosage_form": DosageForm.objects.order_by("code").first(),
        "specification": "0.25g",
        "packaging": "24粒/盒",
        "mah_name": "甲公司",
        "manufacturer_name": "甲公司",
        "production_address": "北京市大兴区生物医药基地天富街1号",
        "hs_code": HSCode.objects.filter(code__startswith="30").order_by("code").first(),
        "export_countries": list(Country.objects.filter(code__in=["DE", "FR"])),
        "remarks": "",
    }
    found.update(overrides)
    return found


def draft(owner, **overrides):
    return services.create_draft(system=system(), actor=owner, values=values(**overrides))


def submitted(owner, **overrides):
    filing = draft(owner, **overrides)
    services.submit(filing=filing, actor=owner, second_factor_verified=True)
    filing.refresh_from_db()
    return filing


def submitted_by_complete(owner, **overrides):
    """A submitted record of an enterprise that completed its details (its pages open)."""
    complete_enterprise(owner)
    return submitted(owner, **overrides)
