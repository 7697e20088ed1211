"""The approvers' actions beside the decisions, for every system that has them (decided
from its declaration as the back office is): the attachments (list, download, mark for
resubmission), the notice a decision would send (preview), the history, the notices and
the application form, case notes, and the certificate on the authority's side (with its
customs ledger: send, correct, void).

Every read goes through ``filings_for_authority`` (another authority's application, or
an enterprise's token, is a 404) and every change through the service the page calls
(``workflows.services``, ``workflows.case_notes``, ``customs.services``): the same
rules, the same transaction, the same audit row.
"""

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from ninja import File, Form, Query, Schema, Status, UploadedFile
from pydantic import Field

from .certificates import CertificateDetail, WriteOffOut, certificate_detail, write_off_body
from .errors import ApiError, form_error
from .schemas import AttachmentOut, BodyIn, Label, NoticeOut

# --- schemas ------------------------------------------------------------------------------


class ReviewAttachmentOut(AttachmentOut):
    may_mark: bool = Field(
        description="Whether you may mark it now (the level that may ask for a supplement)."
    )


class NoticePreviewIn(BodyIn):
    decision: str = Field(description="The decision whose notice to preview (see `decisions`).")
    opinion: str = ""
    notice_number: str = ""


class HistoryEntryOut(Schema):
    created_at: datetime.datetime
    action: str
    action_label: Label
    level: int | None = None
    level_label: Label
    from_state: str
    to_state: str
    opinion: str
    notice_number: str
    actor: str


class CaseNoteFileOut(Schema):
    id: int
    name: str
    size: int
    download: str


class CaseNoteOut(Schema):
    id: int
    author: str
    seat_level: int
    text: str
    created_at: datetime.datetime
    attachments: list[CaseNoteFileOut]


class CustomsMessageOut(Schema):
    message_id: str
    kind: str
    revision: int
    state: str
    created_at: datetime.datetime
    receipt_result: str
    receipt_reason: str


class ConflictOut(Schema):
    id: int
    kind: str
    recorded: dict[str, Any]
    incoming: dict[str, Any]
    created_at: datetime.datetime


class CertificateActions(Schema):
    send: bool
    correct: bool
    void: bool
    resolve: bool = Field(description="Whether you may resolve its open customs conflicts.")


class ReviewCertificateOut(CertificateDetail):
    """The holder's detail of the certificate (its lines with what customs wrote off), and
    what the authority keeps of it."""

    write_offs: list[WriteOffOut]
    conflicts: list[ConflictOut] = Field(description="Open conflicts with customs' data.")
    customs_messages: list[CustomsMessageOut]
    actions: CertificateActions = Field(description="What you may do with it now.")


class CorrectableValue(Schema):
    name: str
    label: Label
    value: str


class CorrectionOut(Schema):
    fields: list[CorrectableValue] = Field(
        description="Every value a correction may change, with its current value: header "
        "fields by name, line fields as `line-<line number>-<field>`."
    )


class CorrectIn(BodyIn):
    values: dict[str, str] = Field(
        default_factory=dict,
        description="The values to change (names as in the correction's `fields`); those "
        "left out keep their current value.",
    )
    reason: str = Field(default="", description="Why (required, as on the page).")


class VoidIn(BodyIn):
    reason: str = Field(default="", description="Why (required, as on the page).")


class ResolveIn(BodyIn):
    decision: str = Field(default="", description="`keep` the recorded data or `replace` it.")
    reason: str = Field(default="", description="Why (required, as on the page).")


class SentOut(Schema):
    certificate: ReviewCertificateOut
    message_id: str


# --- helpers ------------------------------------------------------------------------------


def _both(call) -> Label:
    """``call()`` rendered in Chinese and in English."""
    found = {}
    for short, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            found[short] = str(call())
    return found


def _check_text(values: dict, limits: dict | None = None) -> None:
    """Texts a database can keep: no NUL character, within the field's length (Django's
    own validators and messages); a 422 naming the field."""
    errors = {}
    for name, value in values.items():
        checks = [ProhibitNullCharactersValidator()]
        if (limits or {}).get(name):
            checks.append(MaxLengthValidator(limits[name]))
        for check in checks:
            try:
                check(value.strip())
            except ValidationError as error:
                errors.setdefault(name, []).extend(error.error_list)
    if errors:
        raise ValidationError(errors)


def add_routes(router, system, op) -> None:
    if not system.decisions:
        return
    _routes(router, system, op)


def _routes(router, system, op) -> None:  # noqa: C901 - one closure per operation
    from documents import pdf as pdf_render
    from documents import selectors as documents
    from documents import services as document_services
    from documents.models import Certificate, CertificateStatus, PrintRecord
    from filings import audit
    from filings.selectors import attachments_of, filings_for_authority
    from filings.transitions import available
    from portal import files
    from portal.accounts.selectors import seat_of
    from workflows import case_notes, services
    from workflows.forms import DecisionForm

    from . import filings as api

    key = system.key
    ERR, ERR_BODY, ERR_409 = api.ERR, api.ERR_BODY, api.ERR_409
    ERR_BODY_409 = api.ERR_BODY_409
    base = f"/api/v1/{system.slug}/review/applications"

    def reviewed(request, number):
        return get_object_or_404(filings_for_authority(request.user, key), number=number)

    def forbidden(message):
        return ApiError(403, "forbidden", message)

    # --- attachments -------------------------------------------------------------------

    if system.attachments:

        def attachment_body(filing, attachment, may_mark) -> dict:
            body = api.attachment_body(system, filing, attachment)
            body["download"] = f"{base}/{filing.number}/attachments/{attachment.pk}"
            body["may_mark"] = may_mark and not attachment.needs_resubmission
            return body

        @router.get(
            "review/applications/{number}/attachments",
            response={200: list[ReviewAttachmentOut], **ERR},
            operation_id=f"{op}_review_attachments",
            summary="The attachments of an application filed to your authority",
        )
        def review_attachments(request, number: str):
            filing = reviewed(request, number)
            may_mark = services.can_mark(filing, request.user)
            found = attachments_of(filing).select_related("attachment_type").order_by("id")
            return [attachment_body(filing, a, may_mark) for a in found]

        @router.get(
            "review/applications/{number}/attachments/{attachment_id}",
            response=ERR,
            operation_id=f"{op}_review_attachment_download",
            summary="Download an attachment of an application filed to your authority",
            openapi_extra=api.download_response(),
        )
        def review_attachment_download(request, number: str, attachment_id: int):
            filing = reviewed(request, number)
            attachment = get_object_or_404(attachments_of(filing), pk=attachment_id)
            return files.stored_download(attachment.file, attachment.original_name)

        @router.post(
            "review/applications/{number}/attachments/{attachment_id}/mark",
            response={200: ReviewAttachmentOut, **ERR},
            operation_id=f"{op}_review_attachment_mark",
            summary="Mark an attachment: the enterprise must resubmit it",
            description="Whoever may ask for a supplement now may mark the attachments it "
            "concerns (`workflows.services.mark_attachment`, as on the page); the supplement "
            "notice lists them.",
        )
        def review_attachment_mark(request, number: str, attachment_id: int):
            filing = reviewed(request, number)
            attachment = get_object_or_404(attachments_of(filing), pk=attachment_id)
            try:
                api._run(
                    lambda: services.mark_attachment(
                        filing=filing, actor=request.user, attachment=attachment
                    )
                )
            except PermissionDenied:
                raise forbidden(
                    _("Only the level that may ask for a supplement now may mark attachments.")
                ) from None
            attachment.refresh_from_db()
            return attachment_body(filing, attachment, services.can_mark(filing, request.user))

    # --- the notice a decision would send ----------------------------------------------

    @router.post(
        "review/applications/{number}/notice-preview",
        response=ERR_BODY,
        operation_id=f"{op}_review_notice_preview",
        summary="The notice a decision would send, as PDF, before deciding (nothing is saved)",
        openapi_extra=api.PDF_RESPONSE,
    )
    def notice_preview(request, number: str, payload: NoticePreviewIn):
        filing = reviewed(request, number)
        choices = [(t.name, t.custom["label"]) for t in available(filing, request.user, "approver")]
        form = DecisionForm(payload.model_dump(), choices=choices)
        if not form.is_valid():
            raise form_error(form)
        data = form.cleaned_data
        notice = services.preview_notice(
            filing=filing,
            actor=request.user,
            decision=data["decision"],
            opinion=data["opinion"],
            notice_number=data["notice_number"],
        )
        if notice is None:
            raise ApiError(
                422,
                "no_notice",
                _("This decision sends no notice."),
                fields={"decision": [_("This decision sends no notice.")]},
            )
        context = document_services.notice_context(notice, preview=True)
        with translation.override(api.ZH):
            rendered = pdf_render.render("documents/notice.html", context)
        return api._pdf(rendered, "preview.pdf")

    # --- what the page shows beside: history, notices, application form ---------------

    @router.get(
        "review/applications/{number}/history",
        response={200: list[HistoryEntryOut], **ERR},
        operation_id=f"{op}_review_history",
        summary="The review history (审批记录), as approvers see it",
    )
    def review_history(request, number: str):
        filing = reviewed(request, number)
        return [
            {
                "created_at": e.created_at,
                "action": e.transition,
                "action_label": _both(lambda e=e: e.action_label),
                "level": e.seat_level,
                "level_label": _both(lambda e=e: e.level_label),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "opinion": e.opinion,
                "notice_number": e.notice_number,
                "actor": e.actor_name,
            }
            for e in audit.history(filing)
        ]

    @router.get(
        "review/applications/{number}/notices",
        response={200: list[NoticeOut], **ERR},
        operation_id=f"{op}_review_notices",
        summary="The notices sent on an application filed to your authority",
    )
    def review_notices(request, number: str):
        filing = reviewed(request, number)
        return [
            {
                "id": n.pk,
                "kind": n.kind,
                "kind_label": api._label(n.get_kind_display()),
                "number": n.number,
                "issued_on": n.issued_on,
                "pdf": f"{base}/{filing.number}/notices/{n.pk}/pdf",
            }
            for n in documents.notices_of(filing).order_by("id")
        ]

    @router.get(
        "review/applications/{number}/notices/{notice_id}/pdf",
        response=ERR,
        operation_id=f"{op}_review_notice_pdf",
        summary="A notice as PDF (a print is recorded, as on the page)",
        openapi_extra=api.PDF_RESPONSE,
    )
    def review_notice_pdf(request, number: str, notice_id: int):
        filing = reviewed(request, number)
        notice = get_object_or_404(
            documents.notices_for_authority(request.user, key).filter(filing_id=filing.pk),
            pk=notice_id,
        )
        document_services.record_print(
            kind=PrintRecord.Kind.NOTICE, document=notice, actor=request.user
        )
        return api._pdf(document_services.notice_pdf(notice), f"notice-{notice.pk}.pdf")

    @router.get(
        "review/applications/{number}/application-form",
        response=ERR,
        operation_id=f"{op}_review_application_form",
        summary="The application form (申请表) as the enterprise filed it, as PDF",
        openapi_extra=api.PDF_RESPONSE,
    )
    def review_application_form(request, number: str):
        filing = reviewed(request, number)
        return api._pdf(
            document_services.application_form_pdf(filing), f"application-{filing.number}.pdf"
        )

    # --- case notes ------------------------------------------------------------------------

    def note_body(filing, note) -> dict:
        return {
            "id": note.pk,
            "author": note.author_display,
            "seat_level": note.seat_level,
            "text": note.text,
            "created_at": note.created_at,
            "attachments": [
                {
                    "id": a.pk,
                    "name": a.original_name,
                    "size": a.size,
                    "download": f"{base}/{filing.number}/case-notes/attachments/{a.pk}",
                }
                for a in note.attachments.all()
            ],
        }

    @router.get(
        "review/applications/{number}/case-notes",
        response={200: list[CaseNoteOut], **ERR},
        operation_id=f"{op}_review_case_notes",
        summary="Internal case notes (never shown to the enterprise)",
    )
    def review_case_notes(request, number: str):
        filing = reviewed(request, number)
        return [note_body(filing, n) for n in case_notes.notes_for(filing, request.user)]

    @router.post(
        "review/applications/{number}/case-notes",
        response={201: CaseNoteOut, **ERR_BODY},
        operation_id=f"{op}_review_case_note_add",
        summary="Add an internal case note (multipart: text, and up to 5 PDFs as files)",
        description="Approvers of the application's authority, any level "
        "(`workflows.case_notes.add_case_note`: audited, nobody is notified).",
    )
    def review_case_note_add(
        request,
        number: str,
        text: Form[str] = "",
        files: File[list[UploadedFile]] = None,
    ):
        filing = reviewed(request, number)
        try:
            note = api._run(
                lambda: case_notes.add_case_note(
                    filing=filing,
                    actor=request.user,
                    text=text,
                    attachments=files or [],
                    request=request,
                )
            )
        except PermissionDenied:
            raise forbidden(
                _("Only approvers of this authority add case notes, once it was submitted.")
            ) from None
        return Status(201, note_body(filing, note))

    @router.get(
        "review/applications/{number}/case-notes/attachments/{attachment_id}",
        response=ERR,
        operation_id=f"{op}_review_case_note_attachment",
        summary="A case note's PDF",
        openapi_extra=api.PDF_RESPONSE,
    )
    def review_case_note_attachment(request, number: str, attachment_id: int):
        filing = reviewed(request, number)
        attachment = case_notes.attachment_for(filing, request.user, attachment_id)
        if attachment is None:
            raise ApiError(404, "not_found", _("No such attachment of a case note."))
        return files.stored_download(attachment.file, attachment.original_name)

    # --- the certificate on the authority's side --------------------------------------------

    if not system.issues_certificate:
        return

    from customs import conflicts
    from customs import services as customs

    def certificate_of(request, number):
        filing = reviewed(request, number)
        found = (
            documents.certificates_for_authority(request.user, key)
            .filter(filing_id=filing.pk)
            .first()
        )
        if found is None:
            raise ApiError(404, "not_found", _("No certificate was issued on this application."))
        return found

    def certificate_body(request, certificate) -> dict:
        certificate.refresh_from_db()
        seat = seat_of(request.user, key) is not None
        messages = certificate.customs_messages.order_by("-created_at", "-pk")
        write_offs = certificate.write_offs.select_related("certificate", "line").order_by(
            "-declaration_date", "-pk"
        )
        return {
            **certificate_detail(system, certificate),
            "write_offs": [write_off_body(w) for w in write_offs],
            "conflicts": [
                {
                    "id": c.pk,
                    "kind": c.kind,
                    "recorded": c.recorded,
                    "incoming": c.incoming,
                    "created_at": c.created_at,
                }
                for c in conflicts.open_conflicts(certificate)
            ],
            "customs_messages": [
                {
                    "message_id": m.message_id,
                    "kind": m.kind,
                    "revision": m.revision,
                    "state": m.state,
                    "created_at": m.created_at,
                    "receipt_result": m.receipt_result,
                    "receipt_reason": m.receipt_reason,
                }
                for m in messages
            ],
            "actions": {
                "send": seat and system.sends_to_customs and can_proceed(certificate.send),
                "correct": seat and can_proceed(certificate.correct),
                "void": seat and certificate.status == CertificateStatus.ISSUED,
                "resolve": conflicts.may_resolve(certificate, request.user),
            },
            "pdf": f"{base}/{certificate.filing.number}/certificate/pdf",
        }

    def may_act(request, message):
        if seat_of(request.user, key) is None:
            raise forbidden(message)

    @router.get(
        "review/applications/{number}/certificate",
        response={200: ReviewCertificateOut, **ERR},
        operation_id=f"{op}_review_certificate",
        summary="The certificate issued on the application, with its customs ledger",
    )
    def review_certificate(request, number: str):
        return certificate_body(request, certificate_of(request, number))

    @router.get(
        "review/applications/{number}/certificate/pdf",
        response=ERR,
        operation_id=f"{op}_review_certificate_pdf",
        summary="The certificate as PDF (a print is recorded, as on the page)",
        openapi_extra=api.PDF_RESPONSE,
    )
    def review_certificate_pdf(
        request, number: str, mode: Query[Literal["FULL", "OVERLAY"]] = "FULL"
    ):
        found = certificate_of(request, number)
        document_services.record_print(
            kind=PrintRecord.Kind.CERTIFICATE, document=found, actor=request.user, mode=mode
        )
        return api._pdf(document_services.certificate_pdf(found, mode=mode), f"{found.number}.pdf")

    if system.sends_to_customs:

        @router.post(
            "review/applications/{number}/certificate/send",
            response={200: SentOut, **ERR_409},
            operation_id=f"{op}_review_certificate_send",
            summary="Complete and send (or send again) to customs",
            description="`customs.services.send_certificate`, as the page: the status and "
            "the outbound message in one transaction; `409 already_handled` when it cannot "
            "be sent now.",
        )
        def review_certificate_send(request, number: str):
            found = certificate_of(request, number)
            try:
                message = api._run(
                    lambda: customs.send_certificate(
                        certificate=found, actor=request.user, request=request
                    )
                )
            except PermissionDenied:
                raise forbidden(_("Only an approver of this authority may send it.")) from None
            return {
                "certificate": certificate_body(request, found),
                "message_id": message.message_id,
            }

    @router.get(
        "review/applications/{number}/certificate/correction",
        response={200: CorrectionOut, **ERR},
        operation_id=f"{op}_review_certificate_correctable",
        summary="What a correction (改错) may change, with the current values",
    )
    def review_certificate_correctable(request, number: str):
        found = certificate_of(request, number)
        may_act(request, _("Only an approver of this authority may correct it."))
        labels = {**system.correctable_fields}
        for line in found.lines.all():
            for field, label in system.correctable_line_fields.items():
                labels[f"line-{line.line_number}-{field}"] = label
        return {
            "fields": [
                {"name": name, "label": api._label(labels[name]), "value": value}
                for name, value in customs.correctable_values(found).items()
            ]
        }

    @router.post(
        "review/applications/{number}/certificate/correct",
        response={200: ReviewCertificateOut, **ERR_BODY_409},
        operation_id=f"{op}_review_certificate_correct",
        summary="Correct the certificate (改错): a new revision, to send to customs again",
        description="`customs.services.correct_certificate`, as the page: the same checks "
        "(dates, quantities not below what customs wrote off, a reason) and audit row.",
    )
    def review_certificate_correct(request, number: str, payload: CorrectIn):
        found = certificate_of(request, number)
        may_act(request, _("Only an approver of this authority may correct it."))
        current = customs.correctable_values(found)
        unknown = sorted(set(payload.values) - set(current))
        if unknown:
            raise ApiError(
                422,
                "validation_error",
                _("Check the values marked."),
                fields={
                    f"values.{name}": [_("Not a value a correction may change.")]
                    for name in unknown
                },
            )
        _check_text(
            {**{f"values.{k}": v for k, v in payload.values.items()}, "reason": payload.reason},
            limits={
                f"values.{name}": Certificate._meta.get_field(name).max_length
                for name in system.correctable_fields
            },
        )
        values = {**current, **payload.values}
        try:
            api._run(
                lambda: customs.correct_certificate(
                    certificate=found,
                    actor=request.user,
                    values=values,
                    reason=payload.reason,
                    request=request,
                )
            )
        except PermissionDenied:
            raise forbidden(_("Only an approver of this authority may correct it.")) from None
        return certificate_body(request, found)

    @router.post(
        "review/applications/{number}/certificate/void",
        response={200: ReviewCertificateOut, **ERR_BODY_409},
        operation_id=f"{op}_review_certificate_void",
        summary="Void the certificate (作废) with a reason",
        description="`customs.services.void_certificate`, as the page (this call is the "
        "confirmation): at once if customs never had it, else a void message goes to "
        "customs and the certificate waits for its answer (`VOID_REQUESTED`).",
    )
    def review_certificate_void(request, number: str, payload: VoidIn):
        found = certificate_of(request, number)
        _check_text({"reason": payload.reason})
        try:
            api._run(
                lambda: services.void_certificate(
                    certificate=found, actor=request.user, reason=payload.reason, request=request
                )
            )
        except PermissionDenied:
            raise forbidden(_("Only an approver of this authority may void it.")) from None
        return certificate_body(request, found)

    @router.post(
        "review/applications/{number}/certificate/conflicts/{conflict_id}/resolve",
        response={200: ReviewCertificateOut, **ERR_BODY},
        operation_id=f"{op}_review_certificate_conflict_resolve",
        summary="Resolve a conflict with customs' data: keep the recorded data or replace it",
        description="`customs.conflicts.resolve`, as the page (this call is the "
        'confirmation): `{"decision": "keep"|"replace", "reason"}`, one audit row.',
    )
    def review_certificate_conflict_resolve(
        request, number: str, conflict_id: int, payload: ResolveIn
    ):
        found = certificate_of(request, number)
        conflict = get_object_or_404(found.customs_conflicts, pk=conflict_id)
        _check_text({"reason": payload.reason})
        try:
            api._run(
                lambda: conflicts.resolve(
                    conflict=conflict,
                    actor=request.user,
                    decision=payload.decision,
                    reason=payload.reason,
                    request=request,
                )
            )
        except PermissionDenied:
            raise forbidden(_("Only an approver of this authority may resolve it.")) from None
        return certificate_body(request, found)
