"""Demo data for ``make run``: the demo enterprise's drug permits in every state of the
state graph, each taken there through the services by the demo approvers (drug-l1…l4),
so every to-do list, notice and certificate a newcomer opens is real."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customs.demo import through_customs
from portal.reference.models import (
    Authority,
    Country,
    DosageForm,
    HSCode,
    Port,
    Purpose,
    PurposeAttachment,
)
from workflows import services

from .models import DrugPermitApplication

AUTHORITY = "DA-110000"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

DRUGS = [
    ("2937121000", "重组人胰岛素", "Recombinant human insulin", "10ml:400IU", "支", "DK"),
    ("2937110000", "重组人生长激素", "Somatropin", "4IU", "支", "DE"),
    ("2937121000", "门冬胰岛素注射液", "Insulin aspart injection", "3ml:300IU", "支", "DK"),
]


def _line(n: int) -> dict:
    code, name_zh, name_en, spec, unit, country = DRUGS[n % len(DRUGS)]
    return {
        "hs_code": HSCode.objects.get(code=code),
        "drug_name_zh": name_zh,
        "drug_name_en": name_en,
        "dosage_form": DosageForm.objects.order_by("code").first(),
        "specification": spec,
        "quantity": str(500 * (n + 1)),
        "unit": unit,
        "manufacturer": "Novo Nordisk A/S" if country == "DK" else "Merck KGaA",
        "country": Country.objects.get(code=country),
    }


def _complete(system, owner, authority, n: int):
    filing = services.create_draft(
        system=system,
        actor=owner,
        values={
            "direction": "IMPORT",
            "authority": authority,
            "purpose": Purpose.objects.get(code="MEDICAL"),
            "collection_method": "ON_SITE",
            "import_port_1": Port.objects.get(code="2233"),
        },
    )
    services.add_line(filing=filing, actor=owner, values=_line(n))
    for kind in filing.purpose.attachment_types.filter(required=True):
        services.upload_attachment(
            filing=filing,
            actor=owner,
            attachment_type=kind,
            uploaded_file=SimpleUploadedFile(f"{kind.pk}.pdf", PDF, "application/pdf"),
        )
    return filing


def _notice(word: str, n: int) -> str:
    return f"京药监{word}〔{timezone.localdate().year}〕{n}号"


# Demo only: a country editors flagged as having no import licensing regime for these
# drugs (production leaves every flag to the editors).
NO_LICENSING_COUNTRY = "KE"


def _export_without_licensing(system, owner, authority):
    """An export to the flagged country, with the proof and the importing authority's
    consent attached, submitted: the approvers' detail shows the alternative given."""
    from .system import AUTHORITY_CONSENT, NO_LICENCE_PROOF

    filing = services.create_draft(
        system=system,
        actor=owner,
        values={
            "direction": "EXPORT",
            "authority": authority,
            "purpose": Purpose.objects.get(code="MEDICAL"),
            "collection_method": "ON_SITE",
            "export_port_1": "天津新港",
        },
    )
    services.add_line(
        filing=filing,
        actor=owner,
        values={**_line(0), "country": Country.objects.get(code=NO_LICENSING_COUNTRY)},
    )
    kinds = [
        *filing.purpose.attachment_types.filter(required=True),
        *PurposeAttachment.objects.conditional(NO_LICENCE_PROOF, AUTHORITY_CONSENT),
    ]
    for kind in kinds:
        services.upload_attachment(
            filing=filing,
            actor=owner,
            attachment_type=kind,
            uploaded_file=SimpleUploadedFile(f"{kind.pk}.pdf", PDF, "application/pdf"),
        )
    services.submit(filing=filing, actor=owner, second_factor_verified=True)


def load(system, *, owner) -> None:
    from portal.accounts.models import User

    Country.objects.filter(code=NO_LICENSING_COUNTRY).update(no_drug_import_licensing=True)
    if DrugPermitApplication.objects.filter(enterprise=owner.membership.enterprise).exists():
        return
    authority = Authority.objects.get(code=AUTHORITY)
    l1, l2, l3, l4 = (User.objects.get(username=f"drug-l{level}") for level in (1, 2, 3, 4))

    def decide(filing, actor, decision, opinion="", number=""):
        services.decide(
            filing=filing, actor=actor, decision=decision, opinion=opinion, notice_number=number
        )
        filing.refresh_from_db()

    # target state -> the steps after submitting that take a filing there
    plans = [
        ("DRAFT", []),
        ("PENDING_ACCEPTANCE", []),
        ("FIRST_REVIEW", [(l1, "accept", "材料齐全，予以受理", _notice("受", 11))]),
        (
            "SECOND_REVIEW",
            [(l1, "accept", "材料齐全，予以受理", _notice("受", 12)), (l2, "review_agree", "同意")],
        ),
        (
            "FINAL_DECISION",
            [
                (l1, "accept", "材料齐全，予以受理", _notice("受", 13)),
                (l2, "review_agree", "同意"),
                (l3, "review_agree", "同意，报审定"),
            ],
        ),
        (
            "SUPPLEMENT_REQUIRED",
            [(l1, "request_supplement", "请补充进口药品注册证书复印件。", _notice("补", 3))],
        ),
        (
            "NOT_ACCEPTED",
            [(l1, "not_accept", "申请事项不属于本机关职权范围。", _notice("不受", 2))],
        ),
        (
            "REFUSED",
            [
                (l1, "accept", "材料齐全，予以受理", _notice("受", 14)),
                (l2, "review_agree", "同意"),
                (l3, "review_agree", "同意"),
                (l4, "refuse", "用途证明不足，不予许可。"),
                (l1, "send_refusal_notice", "用途证明不足，不予许可。", _notice("不许", 1)),
            ],
        ),
        (
            "REFUSED_PENDING_NOTICE",
            [
                (l1, "accept", "材料齐全，予以受理", _notice("受", 15)),
                (l2, "review_agree", "同意"),
                (l3, "review_agree", "同意"),
                (l4, "refuse", "进口数量与用途不符。"),
            ],
        ),
        (
            "APPROVED",
            [
                (l1, "accept", "材料齐全，予以受理", _notice("受", 16)),
                (l2, "review_agree", "同意"),
                (l3, "review_agree", "同意"),
                (l4, "approve", "准予许可"),
            ],
        ),
    ]
    for n, (state, steps) in enumerate(plans):
        filing = _complete(system, owner, authority, n)
        if state == "DRAFT":
            continue
        services.submit(filing=filing, actor=owner, second_factor_verified=True)
        filing.refresh_from_db()
        for actor, decision, opinion, *number in steps:
            decide(filing, actor, decision, opinion, number[0] if number else "")
    # One waiting for the authority to review its withdrawal (撤回待审).
    filing = _complete(system, owner, authority, 1)
    services.submit(filing=filing, actor=owner, second_factor_verified=True)
    filing.refresh_from_db()
    services.withdraw(filing=filing, actor=owner)
    # One approved and then voided (作废) before customs had it.
    filing = _complete(system, owner, authority, 2)
    services.submit(filing=filing, actor=owner, second_factor_verified=True)
    filing.refresh_from_db()
    for actor, decision, opinion, *number in plans[-1][1]:
        decide(filing, actor, decision, opinion, number[0] if number else "")
    services.void_certificate(
        certificate=filing.certificate, actor=l4, reason="企业申请注销，准许证作废。"
    )
    # And one sent to customs, accepted and partly written off (customs/demo.py).
    filing = _complete(system, owner, authority, 0)
    services.submit(filing=filing, actor=owner, second_factor_verified=True)
    filing.refresh_from_db()
    for actor, decision, opinion, *number in plans[-1][1]:
        decide(filing, actor, decision, opinion, number[0] if number else "")
    through_customs(filing.certificate, actor=l4, written_off=200)
    _export_without_licensing(system, owner, authority)
