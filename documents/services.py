"""What filings produce: notices, certificates, verification codes, PDFs, print records.

The renderers (``pdf``, ``excel``) are pure; this module gathers what goes
into them from the database (asking the filing's system for its own content)
and records what was printed.  Callers have already scoped the filing or the
document to the user through a selector.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import audit, registry
from filings.compare import compare
from filings.selectors import approval_settings, attachments_of, authority_id_for
from portal.transactions import top_level

from . import layout as layouts
from . import pdf
from .models import (
    Certificate,
    CertificateLayout,
    CertificateLine,
    KeptDocument,
    Notice,
    NoticeKind,
    PrintRecord,
    VerificationCode,
)

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
    """The code of a newly issued revision; its PDF is rendered and kept after commit."""
    code = VerificationCode.objects.create(
        code=new_code(),
        content_type=ContentType.objects.get_for_model(document),
        object_id=str(document.pk),
        revision=revision,
    )
    enqueue_keep(document, revision=revision)
    return code


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


def chinese_date(value) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def quantity(value) -> str:
    """A quantity as printed: no trailing zeros (a whole count or a measured decimal)."""
    if value is None:
        return ""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def person(user) -> str:
    """A person as documents name them: the real name, else the account name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def authority_block(authority, system: str) -> dict:
    """The authority's names and contacts as its settings for ``system`` give them
    (blank for a system filed to nobody, such as the export drug archive)."""
    if authority is None:
        return {"name": "", "name_en": "", "settings": None}
    settings_obj = approval_settings(authority=authority, system=system)
    return {
        "name": settings_obj.name_zh if settings_obj else authority.name_zh,
        "name_en": settings_obj.name_en if settings_obj else authority.name_en,
        "settings": settings_obj,
    }


def _verification(document) -> dict:
    if document.pk is None:
        return {"code": "", "url": "", "qr": ""}
    # Documents issued before codes existed get theirs on first print.
    code = code_for(document) or issue_code(document, revision=getattr(document, "revision", 1))
    url = verify_url(code.code)
    return {"code": format_code(code.code), "url": url, "qr": pdf.qr_data_uri(url)}


# --- notices ----------------------------------------------------------------------------


def issue_notice(*, filing, actor, kind: str, number: str, opinion: str) -> Notice:
    """Create the notice that goes with a decision, inside the decision's transaction."""
    notice = Notice.objects.create(
        filing=filing,
        authority_id=filing.authority_id,
        kind=kind,
        number=number.strip(),
        opinion=opinion.strip(),
        issued_on=timezone.localdate(),
        issued_by=actor,
    )
    notice.save_revision(user=actor, clean=False)
    issue_code(notice)
    return notice


def preview_notice(*, filing, actor, kind: str, number: str, opinion: str) -> Notice:
    """An unsaved notice showing what a decision would send."""
    return Notice(
        filing=filing,
        authority_id=filing.authority_id,
        kind=kind,
        number=number,
        opinion=opinion,
        issued_on=timezone.localdate(),
        issued_by=actor,
    )


def notice_context(notice: Notice, *, preview: bool = False) -> dict:
    filing = notice.filing.specific
    system = filing.declaration
    marked = []
    if notice.kind == NoticeKind.SUPPLEMENT:
        marked = [
            a.attachment_type.name_zh if a.attachment_type else a.original_name
            for a in attachments_of(filing).select_related("attachment_type")
            if a.needs_resubmission
        ]
    return {
        "notice": notice,
        "title": notice.get_kind_display().split("(")[-1].rstrip(")"),
        "application": filing,
        "permit_title": system.title(filing),
        "authority": authority_block(filing.authority, filing.system),
        "submitted": chinese_date(filing.submitted_at),
        "issued": chinese_date(notice.issued_on),
        "marked_attachments": marked,
        "verification": {} if preview else _verification(notice),
        "preview": preview,
    }


def render_notice_pdf(notice: Notice) -> bytes:
    return pdf.render("documents/notice.html", notice_context(notice))


def notice_pdf(notice: Notice) -> bytes:
    """The notice as issued: its kept bytes (a preview, never saved, is rendered)."""
    if notice.pk is None:
        return render_notice_pdf(notice)
    return kept_pdf(notice)


# --- certificates ------------------------------------------------------------------------


def issue_certificate(*, filing, actor) -> Certificate:
    """The certificate as its own record: holder, content and lines copied at issue."""
    system = filing.declaration
    today = timezone.localdate()
    content = system.certificate_content(filing)
    certificate = Certificate.objects.create(
        filing=filing,
        system=filing.system,
        number=system.certificate_number(filing),
        authority_id=filing.authority_id,
        holder_name=content["holder_name"],
        holder_uscc=content["holder_uscc"],
        holder_address=content.get("holder_address", ""),
        ports=content.get("ports", ""),
        content=content.get("content", {}),
        remarks=content.get("remarks", ""),
        issue_date=today,
        valid_until=system.certificate_validity(
            filing,
            issue_date=today,
            settings=approval_settings(authority=filing.authority, system=filing.system),
        ),
        issued_by=actor,
    )
    CertificateLine.objects.bulk_create(
        CertificateLine(certificate=certificate, **line) for line in content["lines"]
    )
    certificate.save_revision(user=actor, clean=False)
    issue_code(certificate, revision=certificate.revision)
    return certificate


def authority_name(authority, system: str) -> str:
    return authority_block(authority, system)["name"]


def certificate_values(certificate: Certificate) -> dict:
    """Every value printed on the certificate, by layout field name."""
    lines = list(certificate.lines.all())
    system = registry.get(certificate.system)
    return {
        "certificate_number": certificate.number,
        "enterprise_name": certificate.holder_name,
        "enterprise_address": certificate.holder_address,
        "ports": certificate.ports,
        "valid_until": chinese_date(certificate.valid_until),
        "remarks": certificate.remarks,
        "authority": authority_name(certificate.authority, certificate.system),
        "issue_date": chinese_date(certificate.issue_date),
        **system.certificate_values(certificate, lines),
    }


def certificate_layout(authority, system: str) -> dict:
    saved = CertificateLayout.objects.filter(authority=authority, system=system).first()
    return layouts.resolve(registry.get(system).certificate_layout, saved.fields if saved else None)


@top_level
def save_certificate_layout(*, authority, system: str, actor, values: dict) -> dict:
    """Apply (应用) an authority's positions; later prints use them."""
    if authority_id_for(actor, system) != authority.pk:
        raise PermissionDenied
    defaults = registry.get(system).certificate_layout
    cleaned = {}
    errors = []
    for name, field in defaults.items():
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
        authority=authority, system=system, defaults={"fields": cleaned, "updated_by": actor}
    )
    return layouts.resolve(defaults, cleaned)


def _placed(values: dict, layout: dict) -> list[dict]:
    placed = []
    for name, spec in layout.items():
        value = values.get(name, "")
        text = "\n".join(value) if isinstance(value, list) else str(value)
        size = (
            spec["size"]
            if name == "verification"
            else layouts.fit(text, spec["size"], spec["w"], spec["h"])
        )
        placed.append({"name": name, "value": value, **spec, "size": size})
    return placed


def certificate_context(certificate: Certificate, *, layout: dict | None = None) -> dict:
    values = certificate_values(certificate)
    layout = layout or certificate_layout(certificate.authority, certificate.system)
    return {
        "certificate": certificate,
        "permit_title": registry.get(certificate.system).title(certificate),
        "values": values,
        "lines": list(certificate.lines.all()),
        "placed": _placed(values, layout),
        "verification": _verification(certificate),
        "void": certificate.is_void,
    }


def certificate_template(certificate, mode) -> str:
    if mode == PrintRecord.Mode.OVERLAY:
        return "documents/certificate_overlay.html"
    return registry.get(certificate.system).template("certificate", "documents/certificate.html")


def render_certificate_pdf(
    certificate: Certificate, *, mode=PrintRecord.Mode.FULL, layout=None
) -> bytes:
    context = certificate_context(certificate, layout=layout)
    return pdf.render(certificate_template(certificate, mode), context)


def certificate_pdf(certificate: Certificate, *, mode=PrintRecord.Mode.FULL, layout=None) -> bytes:
    """The full certificate is the kept document of its current revision.  An overlay
    print (套打) on pre-printed paper is a print of the kept data, not a kept document:
    it is rendered on demand, as is a layout being tried."""
    if mode == PrintRecord.Mode.FULL and layout is None:
        return kept_pdf(certificate)
    return render_certificate_pdf(certificate, mode=mode, layout=layout)


def certificate_changes(certificate: Certificate) -> list[dict]:
    """Each correction (改错) compared with the revision before it, newest first."""
    system = registry.get(certificate.system)
    revisions = list(certificate.revisions.order_by("created_at", "pk"))
    reasons = {
        entry.revision_id: entry
        for entry in audit.history(certificate).filter(transition="correct")
    }
    corrections = []
    for before, after in zip(revisions, revisions[1:], strict=False):
        entry = reasons.get(after.pk)
        corrections.append(
            {
                "revision": after,
                "number": len(corrections) + 2,
                "reason": entry.opinion if entry else "",
                "by": person(entry.actor) if entry else person(after.user),
                "at": after.created_at,
                "comparison": compare(
                    before.as_object(),
                    after.as_object(),
                    columns=system.certificate_columns,
                    line_columns=system.certificate_line_columns,
                    lines_of=lambda c: c.lines.all(),
                ),
            }
        )
    return corrections[::-1]


# --- the sign-off sheet and the application form ------------------------------------------


def sign_off_context(filing) -> dict:
    filing = filing.specific
    system = filing.declaration
    rows = [
        {
            "stage": entry.level_label,
            "reviewer": person(entry.actor),
            "decision": entry.action_label,
            "opinion": entry.opinion,
            "notice_number": entry.notice_number,
            "time": timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
        }
        for entry in audit.history(filing)
        if entry.seat_level and entry.transition not in audit.INTERNAL
    ]
    return {
        "application": filing,
        "permit_title": system.title(filing),
        "authority": authority_block(filing.authority, filing.system),
        "summary": [(c.label, c.of(filing)) for c in getattr(system, "summary_columns", ())],
        "submitted": timezone.localtime(filing.submitted_at).strftime("%Y-%m-%d %H:%M")
        if filing.submitted_at
        else "",
        "rows": rows,
        "certificate": getattr(filing, "certificate", None),
        "printed": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


def sign_off_pdf(filing) -> bytes:
    return pdf.render("documents/sign_off.html", sign_off_context(filing))


def application_form_context(filing) -> dict:
    filing = filing.specific
    system = filing.declaration
    lines = list(system.lines_of(filing))
    return {
        "application": filing,
        "enterprise": filing.enterprise,
        "permit_title": system.title(filing),
        "authority": authority_block(filing.authority, filing.system),
        "header": [(c.label, c.of(filing)) for c in system.header_columns if c.applies(filing)],
        "line_columns": [c.label for c in system.line_columns],
        "line_rows": [[c.of(line) for c in system.line_columns] for line in lines],
        "lines": [(line, quantity(getattr(line, "quantity", None))) for line in lines],
        "attachments": attachments_of(filing).select_related("attachment_type"),
        "created": chinese_date(filing.created_at),
        "is_draft": filing.status == system.draft_state,
        **system.application_form_context(filing),
    }


def _application_form_template(filing) -> str:
    return filing.declaration.template("application_form", "documents/application_form.html")


def application_form_pdf(filing) -> bytes:
    return pdf.render(_application_form_template(filing), application_form_context(filing))


def application_forms_pdf(filings) -> bytes:
    """批量打印: the application forms of several filings, one after another, in one PDF."""
    return pdf.render_many(
        (_application_form_template(f), application_form_context(f)) for f in filings
    )


def record_print(*, kind: str, document, actor, mode: str = PrintRecord.Mode.FULL) -> PrintRecord:
    """Record one print; the filing is the document itself or the one it belongs to."""
    filing_id = getattr(document, "filing_id", None) or (
        document.pk
        if kind in (PrintRecord.Kind.SIGN_OFF, PrintRecord.Kind.APPLICATION_FORM)
        else None
    )
    return PrintRecord.objects.create(
        kind=kind, object_id=str(document.pk), filing_id=filing_id, mode=mode, printed_by=actor
    )


# --- public verification --------------------------------------------------------------------


@dataclass
class Verification:
    kind: str  # "notice" or "certificate"
    document: object
    status: str  # "current", "void" or "superseded"
    code: str
    revision: int
    rows: list  # (label, value) pairs printed on the document itself
    sha256: str = ""  # of the kept PDF of this revision ("" while it is being prepared)


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
        filing = document.filing.specific
        rows = [
            ("文书 Document", document.get_kind_display()),
            ("文号 Number", document.number),
            ("申请单号 Application", filing.number),
            ("申请单位 Applicant", filing.enterprise.name_zh),
            ("发文机关 Authority", authority_name(filing.authority, filing.system)),
            ("日期 Date", chinese_date(document.issued_on)),
        ]
        kept = kept_for(document, 1)
        return Verification(
            "notice", document, "current", code.code, 1, rows, kept.sha256 if kept else ""
        )
    if isinstance(document, Certificate):
        names = list(document.lines.values_list("name", flat=True)[:6])
        more = document.lines.count() - 5 if len(names) > 5 else 0
        goods = "、".join(names[:5]) + (f" 等{len(names[:5]) + more}项" if more else "")
        rows = [
            ("证书 Document", registry.get(document.system).title(document)),
            ("证书编号 Certificate number", document.number),
            ("单位 Holder", document.holder_name),
            ("商品 Goods", goods),
            ("发证机关 Authority", authority_name(document.authority, document.system)),
            ("发证日期 Issued", chinese_date(document.issue_date)),
            ("有效期至 Valid until", chinese_date(document.valid_until)),
            ("来源 Source", document.get_source_display()),
        ]
        if document.is_void:
            status = "void"
        elif code.revision < document.revision:
            status = "superseded"
        else:
            status = "current"
        kept = kept_for(document, code.revision)
        return Verification(
            "certificate",
            document,
            status,
            code.code,
            code.revision,
            rows,
            kept.sha256 if kept else "",
        )
    return None


# --- kept documents: rendered once when issued, served as those bytes ever after ------------


def _kept_row(document, revision: int) -> KeptDocument | None:
    return KeptDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(document),
        object_id=str(document.pk),
        revision=revision,
    ).first()


def _render_issued(document) -> bytes:
    if isinstance(document, Notice):
        return render_notice_pdf(document)
    return render_certificate_pdf(document)


def keep(document) -> KeptDocument:
    """Render the document's current revision once, store it and record its SHA-256.

    Idempotent: a revision already kept is returned as it is; of two racing renders the
    first row wins and the other's file is removed, so a revision has one kept file."""
    revision = getattr(document, "revision", 1)
    existing = _kept_row(document, revision)
    if existing is not None:
        return existing
    data = _render_issued(document)
    digest = hashlib.sha256(data).hexdigest()
    label = document._meta.model_name
    wanted = f"kept/{label}/{document.pk}/r{revision}-{digest[:16]}.pdf"
    name = default_storage.save(wanted, ContentFile(data))
    try:
        with transaction.atomic():
            kept = KeptDocument.objects.create(
                content_type=ContentType.objects.get_for_model(document),
                object_id=str(document.pk),
                revision=revision,
                file_name=name,
                sha256=digest,
                size=len(data),
            )
            _audit_kept(document, kept)
    except IntegrityError:
        default_storage.delete(name)
        return _kept_row(document, revision)
    return kept


def _audit_kept(document, kept: KeptDocument) -> None:
    """A new, append-only audit row: this revision was issued as these bytes."""
    # A notice has no state of its own: its row is on the filing, with the notice number.
    is_notice = isinstance(document, Notice)
    target = document.filing if is_notice else document
    audit.record_fact(
        target=target,
        notice_number=document.number if is_notice else "",
        actor=None,
        transition=audit.DOCUMENT_ISSUED,
        state=target.status,
        filing=getattr(document, "filing", None),
        sha256=kept.sha256,
    )


def kept_pdf(document) -> bytes:
    """The kept bytes of the document's current revision (kept now if not yet: issued
    before this change, or its task still pending)."""
    kept = keep(document)
    with default_storage.open(kept.file_name, "rb") as handle:
        return handle.read()


def kept_for(document, revision: int | None = None) -> KeptDocument | None:
    if document is None or document.pk is None:
        return None
    return _kept_row(document, revision or getattr(document, "revision", 1))


@task()
@top_level(atomic=False)
def keep_document(model: str, pk: str, revision: int) -> None:
    document = {"notice": Notice, "certificate": Certificate}[model].objects.filter(pk=pk).first()
    # A later correction already replaced this revision's data: only the current one is kept.
    if document is None or getattr(document, "revision", 1) != revision:
        return
    keep(document)


def enqueue_keep(document, *, revision: int) -> None:
    """After the issuing transaction commits, render and keep the revision in a task."""
    model = document._meta.model_name
    if model not in ("notice", "certificate"):
        return
    transaction.on_commit(lambda: keep_document.enqueue(model, str(document.pk), revision))
