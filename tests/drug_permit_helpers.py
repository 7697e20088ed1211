"""Builders for drug permit tests."""

from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import DrugPermitApplication
from portal.reference.models import Country, DosageForm, HSCode, Port, Purpose
from workflows import drug_permit as dp

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


def complete_draft(owner, authority) -> DrugPermitApplication:
    application = dp.create_draft(actor=owner, values=header(authority))
    dp.add_goods_line(application=application, actor=owner, values=line())
    for attachment_type in application.purpose.attachment_types.filter(required=True):
        dp.upload_attachment(
            application=application,
            actor=owner,
            attachment_type=attachment_type,
            uploaded_file=pdf(f"{attachment_type.pk}.pdf"),
        )
    return application


def decide_all(owner, chain, authority, *, final="approve"):
    """A complete draft submitted and taken through all four levels; returns the filing."""
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    dp.accept(
        application=application,
        actor=chain[1],
        opinion="材料齐全，予以受理",
        notice_number="京药监受〔2026〕1号",
    )
    dp.review(application=application, actor=chain[2], agree=True, opinion="同意")
    dp.review(application=application, actor=chain[3], agree=True, opinion="同意")
    if final == "approve":
        dp.approve(application=application, actor=chain[4], opinion="准予许可")
    else:
        dp.refuse(application=application, actor=chain[4], opinion="用途证明不足")
    application.refresh_from_db()
    return application
