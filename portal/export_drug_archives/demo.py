"""Demo data for ``make run``: the demo manufacturer's archive records, through the
services: a draft, a submitted record, and one changed once (two versions) with a
second change in progress."""

from portal.accounts.models import Enterprise
from portal.reference.models import Country, DosageForm, HSCode
from workflows import services

DETAILS = {
    "legal_representative": "李示范",
    "drug_manufacturing_licence": "京20260088",
    "production_address": "北京市大兴区示范生物医药基地天华街8号",
}


def _values(name_zh, name_en, number, spec, countries, **extra) -> dict:
    return {
        "generic_name_zh": name_zh,
        "generic_name_en": name_en,
        "approval_number": number,
        "dosage_form": DosageForm.objects.order_by("code").first(),
        "specification": spec,
        "packaging": "10片/板×2板/盒",
        "mah_name": extra.pop("mah_name", ""),
        "manufacturer_name": extra.pop("manufacturer_name", ""),
        "production_address": DETAILS["production_address"],
        "hs_code": HSCode.objects.filter(code__startswith="30").order_by("code").first(),
        "export_countries": list(Country.objects.filter(code__in=countries)),
        **extra,
    }


def load(system, *, owner) -> None:
    enterprise = owner.membership.enterprise
    # Seed 002: the enterprise completes its details before filling anything in.
    Enterprise.objects.filter(pk=enterprise.pk).update(
        **{k: v for k, v in DETAILS.items() if not getattr(enterprise, k)}
    )
    if system.model.objects.filter(enterprise=enterprise).exists():
        return
    name = enterprise.name_zh
    kept = dict(mah_name=name, manufacturer_name=name)
    services.create_draft(
        system=system,
        actor=owner,
        values=_values("布洛芬缓释胶囊", "", "国药准字H20260103", "0.3g", ["VN"], **kept),
    )
    once = services.create_draft(
        system=system,
        actor=owner,
        values=_values(
            "阿莫西林胶囊",
            "Amoxicillin Capsules",
            "国药准字H20260101",
            "0.25g",
            ["DE", "FR"],
            **kept,
        ),
    )
    services.submit(filing=once, actor=owner, second_factor_verified=True)
    changed = services.create_draft(
        system=system,
        actor=owner,
        values=_values(
            "盐酸二甲双胍片",
            "Metformin Hydrochloride Tablets",
            "国药准字H20260102",
            "0.5g",
            ["PK", "NG"],
            **kept,
        ),
    )
    services.submit(filing=changed, actor=owner, second_factor_verified=True)
    for spec, countries in (
        ("0.5g；0.85g", ["PK", "NG", "KE"]),
        ("0.85g", ["PK", "NG", "KE", "EG"]),
    ):
        changed.refresh_from_db()
        services.start_change(filing=changed, actor=owner)
        changed.refresh_from_db()
        services.update_draft(
            filing=changed,
            actor=owner,
            values={
                "specification": spec,
                "export_countries": list(Country.objects.filter(code__in=countries)),
            },
        )
        if spec == "0.85g":
            break  # the second change stays in progress
        changed.refresh_from_db()
        services.submit(filing=changed, actor=owner, second_factor_verified=True)
