"""Builders for drug permit tests, through the services as every path uses them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from filings import registry
from portal.reference.models import Country, DosageForm, HSCode, Module, Port, Purpose
from workflows import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def system():
    return registry.get(Module.DRUG_PERMIT)


def pdf(name="a.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def header(authority, **overrides):
    values = {
        "direction": "IMPORT",
        "authority": authority,
        "purpose": Purpose.objects.get(code="MEDICAL"),
        "collection_method": "ON_SITE",
        "import_port_1": Port.objects.get(code="2233"),
    }
    values.update(overrides)
    return values


def line(**overrides):
    values = {
        "hs_code": HSCode.objects.get(code="2937121000"),
        "drug_name_zh": "重组人胰岛素",
        "drug_name_en": "Recombinant human insulin",
        "dosage_form": DosageForm.objects.get(code="03"),
        "specification": "10ml:400IU",
        "quantity": "1000",
        "unit": "支",
        "manufacturer": "Novo Nordisk A/S",
        "country": Country.objects.get(code="DK"),
    }
    values.update(overrides)
    return values


def draft(owner, authority, **overrides):
    return services.create_draft(
        system=system(), actor=owner, values=header(authority, **overrides)
    )


def complete_draft(owner, authority, **overrides):
    application = draft(owner, authority, **overrides)
    services.add_line(filing=application, actor=owner, values=line())
    for attachment_type in application.purpose.attachment_types.filter(required=True):
        services.upload_attachment(
            filing=application,
            actor=owner,
            attachment_type=attachment_type,
            uploaded_file=pdf(f"{attachment_type.pk}.pdf"),
        )
    return application


def decide(application, actor, decision, **kwargs):
    return services.decide(filing=application, actor=actor, decision=decision, **kwargs)


def accept(application, actor, number="京药监受〔2026〕1号", opinion="材料齐全，予以受理"):
    return decide(application, actor, "accept", opinion=opinion, notice_number=number)


def decide_all(owner, chain, authority, *, final="approve"):
    """A complete draft submitted and taken through all four levels; returns the filing."""
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    accept(application, chain[1])
    decide(application, chain[2], "review_agree", opinion="同意")
    decide(application, chain[3], "review_agree", opinion="同意")
    if final == "approve":
        decide(application, chain[4], "approve", opinion="准予许可")
    else:
        decide(application, chain[4], "refuse", opinion="用途证明不足")
    application.refresh_from_db()
    return application
