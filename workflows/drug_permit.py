"""Services of the drug import/export permit (seeds 000 and 001).

Every status change goes through ``run_transition``: one transaction, the
permission and state checks of the django-fsm-2 transition, an optimistic
lock (a lost race is "already handled"), and an audit row.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from customs import services as customs
from documents import services as documents
from documents.models import (
    Attachment,
    Certificate,
    Direction,
    DrugPermitApplication,
    DrugPermitGoodsLine,
    is_filer,
)
from documents.models import DrugPermitStatus as S
from documents.selectors import attachments_of
from portal.reference.models import Module

from . import audit
from .numbering import next_number
from .selectors import approval_settings


class AlreadyHandled(Exception):
    """Someone else changed the filing first; this decision was not applied."""


def _settings_for(application):
    settings_obj = approval_settings(authority=application.authority, module=Module.DRUG_PERMIT)
    if settings_obj is None:
        raise ValidationError(_("This authority has not set its initial values yet."))
    return settings_obj


@transaction.atomic
def apply_transition(
    *,
    target,
    actor,
    name: str,
    opinion: str = "",
    notice_number: str = "",
    request=None,
    record_as: str | None = None,
    **kwargs,
):
    """Run one FSM transition of ``target`` and record it (any model with a protected FSM)."""
    method = getattr(target, name)
    if not can_proceed(method):
        raise AlreadyHandled(_("This application was already handled; refresh to see its status."))
    if not has_transition_perm(method, actor):
        raise PermissionDenied
    from_state = target.status
    method(**kwargs)
    try:
        target.save()
    except ConcurrentTransition as error:
        raise AlreadyHandled(
            _("This application was already handled; refresh to see its status.")
        ) from error
    audit.record(
        target=target,
        actor=actor,
        transition=record_as or name,
        from_state=from_state,
        to_state=target.status,
        opinion=opinion,
        notice_number=notice_number,
        request=request,
    )
    return target


def run_transition(*, application: DrugPermitApplication, **kwargs) -> DrugPermitApplication:
    return apply_transition(target=application, **kwargs)


def _with_notice(decision: str, *, application, actor, opinion: str, notice_number: str, **kwargs):
    """A decision that sends a notice: the transition and the notice in one transaction."""
    with transaction.atomic():
        run_transition(
            application=application,
            actor=actor,
            name=decision,
            opinion=opinion,
            notice_number=notice_number,
            **kwargs,
        )
        documents.issue_notice(
            application=application,
            actor=actor,
            kind=documents.NOTICE_KIND_FOR_DECISION[decision],
            number=notice_number,
            opinion=opinion,
        )
    return application


def new_application_number(authority) -> str:
    return next_number(f"DP{timezone.localdate().year}{authority.province[:2]}", width=6)


def missing_required_attachments(application) -> list:
    """Required attachment types of the purpose with no file uploaded yet."""
    uploaded = set(
        attachments_of(application)
        .exclude(attachment_type=None)
        .values_list("attachment_type_id", flat=True)
    )
    return [
        t for t in application.purpose.attachment_types.all() if t.required and t.pk not in uploaded
    ]


def attachment_download(application, attachment_id: int):
    """The file of one of this filing's attachments, as a download (404 otherwise)."""
    from django.http import FileResponse
    from django.shortcuts import get_object_or_404

    attachment = get_object_or_404(attachments_of(application), pk=attachment_id)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
    )


def check_complete(application) -> None:
    """Everything a filing needs before it goes to the authority, in the user's language."""
    errors = []
    _settings_for(application)
    if not application.goods_lines.exists():
        errors.append(_("Add at least one goods line."))
    if application.direction == Direction.IMPORT and not application.import_port_1:
        errors.append(_("Choose import port 1."))
    if application.direction == Direction.EXPORT and not application.export_port_1:
        errors.append(_("Enter export port 1."))
    missing = missing_required_attachments(application)
    if missing:
        errors.append(
            _("Upload the required attachments: %(names)s.")
            % {"names": "、".join(t.name_zh for t in missing)}
        )
    if errors:
        raise ValidationError(errors)


def submit(*, application, actor, request=None):
    """申报: a complete draft goes to the authority's acceptance level."""
    check_complete(application)
    with transaction.atomic():
        application.submitted_at = timezone.now()
        return run_transition(application=application, actor=actor, name="submit", request=request)


def resubmit(*, application, actor, request=None):
    """重新申报 after 补正材料: every marked attachment must have been replaced."""
    check_complete(application)
    if attachments_of(application).filter(needs_resubmission=True).exists():
        raise ValidationError(
            _("Delete each attachment marked for resubmission and upload its replacement.")
        )
    with transaction.atomic():
        application.submitted_at = timezone.now()
        return run_transition(
            application=application, actor=actor, name="resubmit", request=request
        )


def request_withdrawal(*, application, actor, request=None):
    return run_transition(
        application=application, actor=actor, name="request_withdrawal", request=request
    )


def _require_notice(notice_number: str, opinion: str) -> None:
    errors = {}
    if not notice_number.strip():
        errors["notice_number"] = _("Enter the notice number.")
    if not opinion.strip():
        errors["opinion"] = _("Enter the opinion.")
    if errors:
        raise ValidationError(errors)


def accept(*, application, actor, opinion: str, notice_number: str, request=None):
    """受理: with the acceptance notice's number; on to the next configured level."""
    _require_notice(notice_number, opinion)
    next_level = _settings_for(application).next_level(1)
    return _with_notice(
        "accept",
        application=application,
        actor=actor,
        next_level=next_level,
        opinion=opinion,
        notice_number=notice_number,
        request=request,
    )


def not_accept(*, application, actor, opinion: str, notice_number: str, request=None):
    """不予受理: with the non-acceptance notice; closed."""
    _require_notice(notice_number, opinion)
    return _with_notice(
        "not_accept",
        application=application,
        actor=actor,
        opinion=opinion,
        notice_number=notice_number,
        request=request,
    )


def request_supplement(*, application, actor, opinion: str, notice_number: str = "", request=None):
    """补正材料: the supplement notice (number and opinion) goes out only the first time."""
    with transaction.atomic():
        first_time = not application.supplement_notice_sent
        if not first_time:
            return run_transition(
                application=application,
                actor=actor,
                name="request_supplement",
                opinion=opinion,
                request=request,
            )
        _require_notice(notice_number, opinion)
        application.supplement_notice_sent = True
        return _with_notice(
            "request_supplement",
            application=application,
            actor=actor,
            opinion=opinion,
            notice_number=notice_number,
            request=request,
        )


def mark_attachment(*, application, attachment: Attachment, actor) -> None:
    """The acceptance level marks one attachment "needs resubmission" (greyed once set)."""
    seat = getattr(actor, "approver_seat", None)
    if (
        seat is None
        or seat.level != 1
        or seat.authority_id != application.authority_id
        or application.status != S.PENDING_ACCEPTANCE
        or attachment.object_id != str(application.pk)
    ):
        raise PermissionDenied
    Attachment.objects.filter(pk=attachment.pk).update(needs_resubmission=True)


def review(*, application, actor, agree: bool, opinion: str, request=None):
    """初审 / 复审: agree or disagree with an opinion; it passes on either way."""
    if not opinion.strip():
        raise ValidationError({"opinion": _("Enter the opinion.")})
    level = actor.approver_seat.level if hasattr(actor, "approver_seat") else None
    if level not in (2, 3):
        raise PermissionDenied
    next_level = _settings_for(application).next_level(level)
    return run_transition(
        application=application,
        actor=actor,
        name="review",
        next_level=next_level,
        opinion=opinion,
        request=request,
        record_as="review_agree" if agree else "review_disagree",
    )


@transaction.atomic
def approve(*, application, actor, opinion: str, request=None) -> Certificate:
    """审定通过: the certificate is issued with a number and the authority's validity."""
    if not opinion.strip():
        raise ValidationError({"opinion": _("Enter the opinion.")})
    settings_obj = _settings_for(application)
    run_transition(
        application=application, actor=actor, name="approve", opinion=opinion, request=request
    )
    days = (
        settings_obj.import_validity_days
        if application.direction == Direction.IMPORT
        else settings_obj.export_validity_days
    )
    today = timezone.localdate()
    certificate = documents.certificate_from_application(
        application=application,
        number=next_number(f"ZZ{today.year}{application.authority.province[:2]}", width=5),
        issue_date=today,
        valid_until=today + timedelta(days=days),
        actor=actor,
    )
    documents.issue_certificate_code(certificate)
    return certificate


def void_certificate(*, certificate: Certificate, actor, reason: str, request=None) -> Certificate:
    """作废 with a reason, after issue or after sending; verification shows it void."""
    if not reason.strip():
        raise ValidationError({"reason": _("Enter the reason for voiding.")})
    with transaction.atomic():
        certificate.void_reason = reason.strip()
        certificate.voided_at = timezone.now()
        apply_transition(
            target=certificate,
            actor=actor,
            name="void",
            opinion=reason.strip(),
            request=request,
            record_as="void_certificate",
        )
        customs.queue_void(certificate=certificate, actor=actor)
    return certificate


def refuse(*, application, actor, opinion: str, request=None):
    """审定不通过: levels 1-3 then send the refusal decision."""
    if not opinion.strip():
        raise ValidationError({"opinion": _("Enter the opinion.")})
    return run_transition(
        application=application, actor=actor, name="refuse", opinion=opinion, request=request
    )


def send_refusal_notice(*, application, actor, opinion: str, notice_number: str, request=None):
    """不予许可决定书: number and opinion; the enterprise sees the refusal."""
    _require_notice(notice_number, opinion)
    return _with_notice(
        "send_refusal_notice",
        application=application,
        actor=actor,
        opinion=opinion,
        notice_number=notice_number,
        request=request,
    )


def approve_withdrawal(*, application, actor, opinion: str = "", request=None):
    with transaction.atomic():
        application.submitted_at = None
        return run_transition(
            application=application,
            actor=actor,
            name="approve_withdrawal",
            opinion=opinion,
            request=request,
        )


def reject_withdrawal(*, application, actor, opinion: str = "", request=None):
    return run_transition(
        application=application,
        actor=actor,
        name="reject_withdrawal",
        opinion=opinion,
        request=request,
    )


# --- drafts: header, goods lines, attachments --------------------------------

EDITABLE = (S.DRAFT, S.SUPPLEMENT_REQUIRED)
HEADER_FIELDS = (
    "direction",
    "authority",
    "applicant_name_en",
    "applicant_address_en",
    "is_agent",
    "principal_uscc",
    "principal_name",
    "purpose",
    "collection_method",
    "mail_address",
    "import_port_1",
    "import_port_2",
    "export_port_1",
    "export_port_2",
    "remarks",
)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _require_filer(application, actor) -> None:
    if not is_filer(application, actor):
        raise PermissionDenied


def _require_editable(application) -> None:
    if application.status not in EDITABLE:
        raise ValidationError(_("Only drafts and applications returned for supplement can change."))


@transaction.atomic
def create_draft(*, actor, values: dict) -> DrugPermitApplication:
    """暂存 a new application: it gets its number now."""
    membership = actor.membership
    application = DrugPermitApplication(
        enterprise=membership.enterprise,
        created_by=actor,
        number=new_application_number(values["authority"]),
        **{k: v for k, v in values.items() if k in HEADER_FIELDS},
    )
    _require_filer(application, actor)
    application.full_clean(exclude=["status"])
    application.save()
    return application


@transaction.atomic
def update_draft(*, application, actor, values: dict) -> DrugPermitApplication:
    _require_filer(application, actor)
    _require_editable(application)
    changed = [k for k in values if k in HEADER_FIELDS]
    if "authority" in changed and application.status != S.DRAFT:
        raise ValidationError(_("The authority cannot change once the application was filed."))
    for name in changed:
        setattr(application, name, values[name])
    application.full_clean(exclude=["status"])
    application.save(update_fields=[*changed, "updated_at"])
    return application


@transaction.atomic
def add_goods_line(*, application, actor, values: dict) -> DrugPermitGoodsLine:
    """At most four lines; the drug of the first line (HS code, names, form) binds the rest."""
    _require_filer(application, actor)
    _require_editable(application)
    lines = list(application.goods_lines.select_for_update())
    if len(lines) >= DrugPermitGoodsLine.MAX_LINES:
        raise ValidationError(_("An application has at most four goods lines."))
    if lines:
        first = lines[0]
        for name in DrugPermitGoodsLine.LOCKED_AFTER_FIRST:
            if getattr(first, name) != values.get(name):
                raise ValidationError({name: _("Must be the same as on the first goods line.")})
    line = DrugPermitGoodsLine(
        application=application,
        line_number=max((g.line_number for g in lines), default=0) + 1,
        **values,
    )
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def delete_goods_line(*, application, actor, line: DrugPermitGoodsLine) -> None:
    _require_filer(application, actor)
    _require_editable(application)
    if line.application_id != application.pk:
        raise PermissionDenied
    line.delete()


def is_pdf(uploaded_file) -> bool:
    """PDF by content, not by name: the file starts with the PDF header."""
    uploaded_file.seek(0)
    head = uploaded_file.read(1024)
    uploaded_file.seek(0)
    return b"%PDF-" in head[:1024] and head.lstrip().startswith(b"%PDF-")


@transaction.atomic
def upload_attachment(*, application, actor, attachment_type, uploaded_file) -> Attachment:
    """One PDF per attachment type; replacing one means deleting the old one first."""
    _require_filer(application, actor)
    _require_editable(application)
    if uploaded_file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("An attachment may be at most 10 MB."))
    if not is_pdf(uploaded_file):
        raise ValidationError(_("Only PDF files can be attached; this file is not a PDF."))
    if attachment_type is not None:
        if attachment_type.purpose_id != application.purpose_id:
            raise ValidationError(_("This attachment type belongs to another purpose."))
        if attachments_of(application).filter(attachment_type=attachment_type).exists():
            raise ValidationError(_("Delete the uploaded file of this type before replacing it."))
    return Attachment.objects.create(
        filing=application,
        attachment_type=attachment_type,
        file=uploaded_file,
        original_name=uploaded_file.name[:255],
        size=uploaded_file.size,
        uploaded_by=actor,
    )


@transaction.atomic
def delete_attachment(*, application, actor, attachment: Attachment) -> None:
    """Drafts: any attachment.  After 补正材料: only those the approver marked."""
    _require_filer(application, actor)
    _require_editable(application)
    if attachment.object_id != str(application.pk):
        raise PermissionDenied
    if application.status == S.SUPPLEMENT_REQUIRED and not attachment.needs_resubmission:
        raise ValidationError(_("Only attachments marked for resubmission can be replaced."))
    attachment.file.delete(save=False)
    attachment.delete()


@transaction.atomic
def delete_draft(*, application, actor) -> None:
    """Irreversible: only drafts."""
    _require_filer(application, actor)
    if application.status != S.DRAFT:
        raise ValidationError(_("Only drafts can be deleted."))
    for attachment in attachments_of(application):
        attachment.file.delete(save=False)
        attachment.delete()
    application.goods_lines.all().delete()
    DrugPermitApplication.objects.filter(pk=application.pk).delete()


@transaction.atomic
def copy_application(*, application, actor) -> DrugPermitApplication:
    """复制: a new draft with the same header and goods lines, from any status."""
    _require_filer(application, actor)
    values = {name: getattr(application, name) for name in HEADER_FIELDS}
    copy = create_draft(actor=actor, values=values)
    DrugPermitGoodsLine.objects.bulk_create(
        DrugPermitGoodsLine(
            application=copy,
            **{
                f.name: getattr(line, f.name)
                for f in DrugPermitGoodsLine._meta.concrete_fields
                if f.name not in ("id", "application")
            },
        )
        for line in application.goods_lines.all()
    )
    return copy
