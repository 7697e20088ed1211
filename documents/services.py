"""What filings produce: notices, verification codes, PDFs, print records, layouts.

The renderers (``pdf``, ``excel``) are pure; this module gathers what goes
into them from the database and records what was printed.  Callers have
already scoped the filing to the user through a selector.
"""

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.reference.models import Module
from workflows.models import AuditEntry
from workflows.selectors import approval_settings

from . import layout as layouts
from . import pdf
from .models import (
    Certificate,
    CertificateLayout,
    CertificateLine,
    Direction,
    DrugPermitApplication,
    Notice,
    NoticeKind,
    PrintRecord,
    VerificationCode,
)
from .selectors import attachments_of, authority_id_of

# Crockford's base32: no I, L, O or U to misread when typed from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits: not guessable, short enough to type


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    text = re.sub(r"[\s-]", "", text or "").upper()
    return text.translate(str.maketrans("OIL", "011"))


def issue_code(document, *, revision: int = 1) -> VerificationCode:
    return VerificationCode.objects.create(
        code=new_code(),
        content_type=ContentType.objects.get_for_model(document),
        object_id=str(document.pk),
        revision=revision,
    )


def code_for(document) -> VerificationCode | None:
    """The code of the document's current revision."""
    if document.pk is None:
        return None
    return (
        VerificationCode.objects.filter(
            content_type=ContentType.objects.get_for_model(document), object_id=str(document.pk)
        )
        .order_by("-revision")
        .first()
    )


def verify_url(code: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/verify/{code}/"


# --- notices -----------------------------------------------------------------

NOTICE_KIND_FOR_DECISION = {
    "accept": NoticeKind.ACCEPTANCE,
    "not_accept": NoticeKind.NON_ACCEPTANCE,
    "request_supplement": NoticeKind.SUPPLEMENT,
    "send_refusal_notice": NoticeKind.REFUSAL,
}


def issue_notice(*, application, actor, kind: str, number: str, opinion: str) -> Notice:
    """Create the notice that goes with a decision, inside the decision's transaction."""
    notice = Notice.objects.create(
        application=application,
        authority_id=application.authority_id,
        kind=kind,
        number=number.strip(),
        opinion=opinion.strip(),
        issued_on=timezone.localdate(),
        issued_by=actor,
    )
    issue_code(notice)
    return notice


def issue_certificate_code(certificate: Certificate) -> VerificationCode:
    return issue_code(certificate, revision=certificate.revision)


# --- what goes on the documents ------------------------------------------------


def chinese_date(value) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def quantity(value: Decimal) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def _authority_block(application) -> dict:
    """The authority's names and contacts as its settings give them."""
    settings_obj = approval_settings(authority=application.authority, module=Module.DRUG_PERMIT)
    return {
        "name": settings_obj.name_zh if settings_obj else application.authority.name_zh,
        "name_en": settings_obj.name_en if settings_obj else application.authority.name_en,
        "settings": settings_obj,
    }


def permit_title(filing) -> str:
    """The permit's title for an application or a certificate (both have a direction)."""
    direction = "进口" if filing.direction == Direction.IMPORT else "出口"
    return f"蛋白同化制剂、肽类激素{direction}准许证"


def _lines(application):
    return list(application.goods_lines.select_related("hs_code", "dosage_form", "country"))


def _verification(document) -> dict:
    if document.pk is None:
        return {"code": "", "url": "", "qr": ""}
    # Documents issued before codes existed get theirs on first print.
    code = code_for(document) or issue_code(document, revision=getattr(document, "revision", 1))
    url = verify_url(code.code)
    return {"code": format_code(code.code), "url": url, "qr": pdf.qr_data_uri(url)}


def notice_context(notice: Notice, *, preview: bool = False) -> dict:
    application = notice.application
    marked = []
    if notice.kind == NoticeKind.SUPPLEMENT:
        marked = [
            a.attachment_type.name_zh if a.attachment_type else a.original_name
            for a in attachments_of(application).select_related("attachment_type")
            if a.needs_resubmission
        ]
    return {
        "notice": notice,
        "title": notice.get_kind_display().split("(")[-1].rstrip(")"),
        "application": application,
        "permit_title": permit_title(application),
        "authority": _authority_block(application),
        "submitted": chinese_date(application.submitted_at),
        "issued": chinese_date(notice.issued_on),
        "marked_attachments": marked,
        "verification": {} if preview else _verification(notice),
        "preview": preview,
    }


def notice_pdf(notice: Notice) -> bytes:
    return pdf.render("documents/notice.html", notice_context(notice))


def preview_notice(*, application, actor, decision: str, number: str, opinion: str) -> Notice:
    """An unsaved notice showing what ``decision`` would send."""
    return Notice(
        application=application,
        authority_id=application.authority_id,
        kind=NOTICE_KIND_FOR_DECISION[decision],
        number=number,
        opinion=opinion,
        issued_on=timezone.localdate(),
        issued_by=actor,
    )


def certificate_from_application(*, application, number, issue_date, valid_until, actor):
    """The certificate as its own record: holder, ports and lines copied at issue."""
    enterprise = application.enterprise
    if application.direction == Direction.IMPORT:
        ports = [p.name_zh for p in (application.import_port_1, application.import_port_2) if p]
    else:
        ports = [p for p in (application.export_port_1, application.export_port_2) if p]
    certificate = Certificate.objects.create(
        application=application,
        number=number,
        authority_id=application.authority_id,
        direction=application.direction,
        holder_name=enterprise.name_zh,
        holder_uscc=enterprise.uscc,
        holder_address=enterprise.address,
        purpose_name=application.purpose.name_zh,
        ports="、".join(ports),
        remarks=application.remarks,
        issue_date=issue_date,
        valid_until=valid_until,
        issued_by=actor,
    )
    CertificateLine.objects.bulk_create(
        CertificateLine(
            certificate=certificate,
            line_number=line.line_number,
            hs_code=line.hs_code.code,
            drug_name_zh=line.drug_name_zh,
            drug_name_en=line.drug_name_en,
            dosage_form=line.dosage_form.name_zh,
            specification=line.specification,
            quantity=line.quantity,
            unit=line.unit,
            manufacturer=line.manufacturer,
            country=line.country.name_zh,
            country_code=line.country.code,
        )
        for line in _lines(application)
    )
    return certificate


def authority_name(authority) -> str:
    settings_obj = approval_settings(authority=authority, module=Module.DRUG_PERMIT)
    return settings_obj.name_zh if settings_obj else authority.name_zh


def certificate_values(certificate: Certificate) -> dict:
    """Every value printed on the certificate, by layout field name."""
    lines = list(certificate.lines.all())
    first = lines[0] if lines else None
    countries = list(dict.fromkeys(line.country for line in lines))
    return {
        "certificate_number": certificate.number,
        "enterprise_name": certificate.holder_name,
        "enterprise_address": certificate.holder_address,
        "drug_name": (
            f"{first.drug_name_zh}（{first.drug_name_en}）"
            if first and first.drug_name_en
            else (first.drug_name_zh if first else "")
        ),
        "hs_code": first.hs_code if first else "",
        "dosage_form": first.dosage_form if first else "",
        "goods": [
            f"{line.specification}　{quantity(line.quantity)} {line.unit}　{line.manufacturer}"
            for line in lines
        ],
        "country": "、".join(countries),
        "ports": certificate.ports,
        "purpose": certificate.purpose_name,
        "valid_until": chinese_date(certificate.valid_until),
        "remarks": certificate.remarks,
        "authority": authority_name(certificate.authority),
        "issue_date": chinese_date(certificate.issue_date),
    }


def certificate_layout(authority) -> dict:
    saved = CertificateLayout.objects.filter(authority=authority).first()
    return layouts.resolve(saved.fields if saved else None)


def save_certificate_layout(*, authority, actor, values: dict) -> dict:
    """Apply (应用) an authority's positions; later prints use them."""
    if authority_id_of(actor) != authority.pk:
        raise PermissionDenied
    cleaned = {}
    errors = []
    for name, field in layouts.DEFAULT_LAYOUT.items():
        cleaned[name] = {}
        for key in ("x", "y", "size"):
            raw = values.get(f"{name}-{key}", "")
            try:
                number = round(float(raw), 1)
            except (TypeError, ValueError):
                errors.append(_("%(field)s: enter a number.") % {"field": field[0]})
                continue
            low, high = layouts.LIMITS[key]
            if not low <= number <= high:
                errors.append(
                    _("%(field)s: must be between %(low)s and %(high)s.")
                    % {"field": field[0], "low": low, "high": high}
                )
                continue
            cleaned[name][key] = number
    if errors:
        raise ValidationError(errors)
    CertificateLayout.objects.update_or_create(
        authority=authority, defaults={"fields": cleaned, "updated_by": actor}
    )
    return layouts.resolve(cleaned)


def certificate_context(certificate: Certificate, *, layout: dict | None = None) -> dict:
    values = certificate_values(certificate)
    layout = layout or certificate_layout(certificate.authority)
    return {
        "certificate": certificate,
        "permit_title": permit_title(certificate),
        "values": values,
        "placed": [
            {"name": name, "value": values.get(name, ""), **spec} for name, spec in layout.items()
        ],
        "verification": _verification(certificate),
        "void": certificate.is_void,
    }


CERTIFICATE_TEMPLATES = {
    PrintRecord.Mode.FULL: "documents/certificate.html",
    PrintRecord.Mode.OVERLAY: "documents/certificate_overlay.html",
}


def certificate_pdf(certificate: Certificate, *, mode=PrintRecord.Mode.FULL, layout=None) -> bytes:
    context = certificate_context(certificate, layout=layout)
    return pdf.render(CERTIFICATE_TEMPLATES[mode], context)


LEVEL_NAMES = {1: "受理", 2: "初审", 3: "复审", 4: "审定"}


def sign_off_context(application: DrugPermitApplication) -> dict:
    entries = [
        entry
        for entry in AuditEntry.objects.for_object(application).select_related("actor")
        if entry.seat_level
    ]
    rows = [
        {
            "stage": LEVEL_NAMES.get(entry.seat_level, ""),
            "reviewer": (entry.actor.get_full_name() or entry.actor.get_username())
            if entry.actor
            else "",
            "decision": entry.action_label,
            "opinion": entry.opinion,
            "notice_number": entry.notice_number,
            "time": timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
        }
        for entry in entries
    ]
    lines = _lines(application)
    return {
        "application": application,
        "permit_title": permit_title(application),
        "authority": _authority_block(application),
        "submitted": timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
        if application.submitted_at
        else "",
        "first_line": lines[0] if lines else None,
        "lines": lines,
        "rows": rows,
        "certificate": getattr(application, "certificate", None),
        "printed": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


def sign_off_pdf(application: DrugPermitApplication) -> bytes:
    return pdf.render("documents/sign_off.html", sign_off_context(application))


def application_form_context(application: DrugPermitApplication) -> dict:
    lines = _lines(application)
    return {
        "application": application,
        "enterprise": application.enterprise,
        "permit_title": permit_title(application),
        "authority": _authority_block(application),
        "lines": [(line, quantity(line.quantity)) for line in lines],
        "attachments": attachments_of(application).select_related("attachment_type"),
        "created": chinese_date(application.created_at),
        "is_draft": application.status == "DRAFT",
    }


def application_form_pdf(application: DrugPermitApplication) -> bytes:
    return pdf.render("documents/application_form.html", application_form_context(application))


def record_print(*, kind: str, document, actor, mode: str = PrintRecord.Mode.FULL) -> PrintRecord:
    return PrintRecord.objects.create(
        kind=kind, object_id=str(document.pk), mode=mode, printed_by=actor
    )


# --- public verification --------------------------------------------------------


@dataclass
class Verification:
    kind: str  # "notice" or "certificate"
    document: object
    status: str  # "current", "void" or "superseded"
    code: str
    revision: int
    rows: list  # (label, value) pairs printed on the document itself


def verify(code_text: str) -> Verification | None:
    """What the printed code vouches for, or None when no document carries it."""
    code = (
        VerificationCode.objects.filter(code=normalise_code(code_text))
        .select_related("content_type")
        .first()
    )
    if code is None:
        return None
    document = code.document
    if document is None:
        return None
    if isinstance(document, Notice):
        application = document.application
        rows = [
            ("文书 Document", document.get_kind_display()),
            ("文号 Number", document.number),
            ("申请单号 Application", application.number),
            ("申请单位 Applicant", application.enterprise.name_zh),
            ("发文机关 Authority", _authority_block(application)["name"]),
            ("日期 Date", chinese_date(document.issued_on)),
        ]
        return Verification("notice", document, "current", code.code, 1, rows)
    if isinstance(document, Certificate):
        values = certificate_values(document)
        rows = [
            ("证书 Document", permit_title(document)),
            ("准许证号 Certificate number", document.number),
            ("单位 Holder", values["enterprise_name"]),
            ("药品名称 Drug", values["drug_name"]),
            ("发证机关 Authority", values["authority"]),
            ("发证日期 Issued", values["issue_date"]),
            ("有效期至 Valid until", values["valid_until"]),
        ]
        if document.is_void:
            status = "void"
        elif code.revision < document.revision:
            status = "superseded"
        else:
            status = "current"
        return Verification("certificate", document, status, code.code, code.revision, rows)
    return None
