"""The applications of every system, one router per system, generated from its
declaration: list (the system's filters, cursor pagination), retrieve, create,
update, delete, submit, withdraw, copy; goods lines; attachments.

Reads go through ``filings.selectors`` (the user's enterprise, the modules the user
holds: another enterprise's filing is a 404); input goes through the system's own
forms (the same messages as the pages) and every change through
``workflows.services`` (the same rules and transactions as the pages).
"""

import datetime
import mimetypes

from django.db import IntegrityError
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Header, Query, Router, Status, UploadedFile
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import CursorPagination, paginate
from pydantic import create_model

from filings import registry
from filings.filters import filing_filterset, regulator_filterset
from filings.selectors import (
    attachments_of,
    filer_membership,
    filing_for_filer,
    filings_for_authority,
    filings_for_filer,
    filings_for_regulator,
)
from filings.selectors import queue as seat_queue
from filings.transitions import available
from portal import files
from portal.accounts import second_factor
from portal.transactions import durable
from workflows import services

from . import certificates, extras, idempotency, review_actions, schemas
from .errors import BODY_ERRORS, COMMON_ERRORS, ApiError, ErrorOut, form_error, in_both, invalid

ZH = "zh-hans"


class IdCursorPagination(CursorPagination):
    """Ninja's cursor pagination on the id (newest first); a cursor that is not one of
    ours is a 422, never a 500."""

    def _find_position(self, queryset, cursor):
        if cursor.p is not None and not str(cursor.p).lstrip("-").isdigit():
            raise NinjaValidationError([{"loc": ["query", "cursor"], "msg": "Invalid cursor"}])
        return super()._find_position(queryset, cursor)


# --- values in and out -------------------------------------------------------------------


def _label(lazy) -> dict:
    both = in_both([lazy])
    return {"zh": both["zh"][0], "en": both["en"][0]}


def filing_body(system, filing, *, missing: bool = True) -> dict:
    """One application as the API gives it (JSON-ready); lists leave out what a draft
    still needs (its rules read attachments and lines: one application at a time)."""
    source = services.working_copy(filing)
    header = {
        name: schemas.value_out(system.model._meta.get_field(name), getattr(source, name))
        for name in system.header_fields
    }
    status = system.statuses(filing.status).label if system.statuses else filing.status
    still = {"zh": [], "en": []}
    if missing and filing.is_editable:
        # The rules run once; their messages are rendered in each language.
        found = in_both(services.still_missing(source, rendered=False))
        still = {short: list(dict.fromkeys(texts)) for short, texts in found.items()}
    body = {
        "number": filing.number,
        "system": system.key,
        "status": filing.status,
        "status_label": _label(status),
        "authority": filing.authority.code if filing.authority_id else None,
        "editable": filing.is_editable,
        "created_at": filing.created_at,
        "updated_at": filing.updated_at,
        "submitted_at": filing.submitted_at,
        "header": header,
        "still_missing": still,
    }
    return schemas.filing_out(system.key).model_validate(body).model_dump(mode="json")


def line_body(system, line) -> dict:
    values = {
        name: schemas.value_out(system.line_model._meta.get_field(name), getattr(line, name))
        for name in schemas.line_field_names(system)
    }
    body = {"id": line.pk, "line_number": line.line_number, **values}
    return schemas.line_out(system.key).model_validate(body).model_dump(mode="json")


def attachment_body(system, filing, attachment) -> dict:
    kind = attachment.attachment_type
    name = getattr(kind, "name_zh", None) if kind else None
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "size": attachment.size,
        "attachment_type": attachment.attachment_type_id,
        "attachment_type_name": (
            {"zh": name, "en": getattr(kind, "name_en", "") or name} if kind else None
        ),
        "uploaded_at": attachment.uploaded_at,
        "needs_resubmission": attachment.needs_resubmission,
        "download": f"/api/v1/{system.slug}/applications/{filing.number}"
        f"/attachments/{attachment.pk}",
    }


def _pk_of(model, code):
    pk = model.objects.filter(code=str(code)).values_list("pk", flat=True).first()
    # An unknown code is an id nothing has: the form refuses it with its own message.
    return pk if pk is not None else -1


def _form_value(field, value):
    """A JSON value as the system's form reads it from posted data."""
    if value is None:
        return ""
    if field is not None and field.many_to_many:
        related = field.related_model
        return [_pk_of(related, v) if schemas.has_code(related) else v for v in value]
    if field is not None and field.is_relation and schemas.has_code(field.related_model):
        return _pk_of(field.related_model, value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _initial_data(form) -> dict:
    """What a page would post unchanged: each enabled field's starting value."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None:
            value = ""
        elif isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        elif isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        data[name] = value
    return data


def _posted(model, form, values: dict) -> dict:
    data = _initial_data(form)
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a name the model lacks is no form field either
            continue
        data[name] = _form_value(field, value)
    return data


def _params(system, values: dict) -> dict:
    """The fields chosen once at creation, as the page's query string carries them."""
    params = {}
    for name in system.create_only_fields:
        if name in values:
            value = values.pop(name)
            if isinstance(value, bool):
                value = "1" if value else "0"
            params[name] = "" if value is None else str(value)
    return params


# --- the router of one system ------------------------------------------------------------


def _filing(request, system, number):
    return filing_for_filer(request.user, system.key, number)


def _may_file(request, system):
    membership = filer_membership(request.user, system.key)
    if membership is None:
        raise ApiError(
            403, "module_not_granted", _("Your account does not hold this filing system.")
        )
    if system.entry_block(membership):
        raise ApiError(
            403,
            "cannot_file_yet",
            _("Your enterprise cannot file in this system yet: see the system's page."),
        )
    return membership


def _run(call):
    """A service under the Chinese catalogue (its own messages are looked up for English
    by the error handler)."""
    with translation.override(ZH):
        return call()


ERR = COMMON_ERRORS
ERR_409 = {**COMMON_ERRORS, 409: ErrorOut}
#: Operations that read a body (JSON or multipart) also answer 400 when it is unreadable.
ERR_BODY = BODY_ERRORS
ERR_BODY_409 = {**BODY_ERRORS, 409: ErrorOut}


def router_for(system) -> Router:
    key = system.key
    op = key.lower()
    router = Router(tags=[str(system.label)])
    Out = schemas.filing_out(key)
    CreateIn = schemas.header_in(key, creating=True)
    UpdateIn = schemas.header_in(key, creating=False)
    filterset_class = filing_filterset(key, "filer")
    Filters = query_schema(f"{CreateIn.__name__}Filters", filterset_class)

    @router.get(
        "applications",
        response={200: list[Out], **ERR},
        operation_id=f"{op}_list",
        summary=f"List {key} applications",
    )
    @paginate(IdCursorPagination, ordering=("-id",), page_size=20, max_page_size=100)
    def list_applications(request, filters: Query[Filters]):
        qs = filings_for_filer(request.user, key).select_related("authority")
        return _filtered(system, filterset_class, request, qs)

    @router.post(
        "applications",
        response={201: Out, **ERR_BODY},
        operation_id=f"{op}_create",
        summary=f"Create a {key} application (a draft)",
    )
    def create(
        request,
        payload: CreateIn,
        idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    ):
        values = payload.model_dump(exclude_unset=True, mode="json")
        key_ = idempotency.check_key(idempotency_key)
        request_hash = idempotency.digest(request, values)
        stored = idempotency.replay(request.user, key_, request_hash)
        if stored is not None:
            return Status(stored.status_code, stored.response)
        membership = _may_file(request, system)
        params = _params(system, values)
        enterprise = membership.enterprise
        prefill = system.prefill_values(enterprise)
        blank = system.header_form(enterprise=enterprise, params=params, initial=prefill)
        form = system.header_form(
            _posted(system.model, blank, values),
            enterprise=enterprise,
            params=params,
            initial=prefill,
        )
        if not form.is_valid():
            raise form_error(form)

        def work():
            with durable():
                filing = services.create_draft.within(
                    system=system, actor=request.user, values=form.values()
                )
                body = filing_body(system, filing)
                idempotency.remember(request.user, key_, request_hash, 201, body)
            return body

        try:
            body = _run(work)
        except IntegrityError:
            stored = idempotency.replay(request.user, key_, request_hash)
            if stored is None:
                raise
            return Status(stored.status_code, stored.response)
        return Status(201, body)

    @router.get(
        "applications/{number}",
        response={200: Out, **ERR},
        operation_id=f"{op}_retrieve",
        summary=f"One {key} application",
    )
    def retrieve(request, number: str):
        return filing_body(system, _filing(request, system, number))

    @router.patch(
        "applications/{number}",
        response={200: Out, **ERR_BODY},
        operation_id=f"{op}_update",
        summary="Change the header of a draft (or of one returned for supplement)",
    )
    def update(request, number: str, payload: UpdateIn):
        filing = _filing(request, system, number)
        values = payload.model_dump(exclude_unset=True, mode="json")
        enterprise = filing.enterprise
        source = services.working_copy(filing)
        blank = system.header_form(instance=source, enterprise=enterprise)
        form = system.header_form(
            _posted(system.model, blank, values), instance=source, enterprise=enterprise
        )
        if not form.is_valid():
            raise form_error(form)
        _run(lambda: services.update_draft(filing=filing, actor=request.user, values=form.values()))
        filing.refresh_from_db()
        return filing_body(system, filing)

    @router.delete(
        "applications/{number}",
        response={204: None, **ERR},
        operation_id=f"{op}_delete",
        summary="Delete a draft",
    )
    def delete(request, number: str):
        filing = _filing(request, system, number)
        _run(lambda: services.delete_draft(filing=filing, actor=request.user))
        return Status(204, None)

    second_factor_note = (
        " This system asks for the second factor: send a current code of the user's "
        "authenticator in X-Second-Factor."
        if system.submit_needs_second_factor
        else ""
    )

    @router.post(
        "applications/{number}/submit",
        response={200: Out, **ERR_409},
        operation_id=f"{op}_submit",
        summary="Submit (or resubmit after a supplement)",
        description="Runs the system's submit rules and its declared transition."
        + second_factor_note,
    )
    def submit(
        request,
        number: str,
        idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
        x_second_factor: str | None = Header(None, alias="X-Second-Factor"),
    ):
        key_ = idempotency.check_key(idempotency_key)
        request_hash = idempotency.digest(request, {})
        stored = idempotency.replay(request.user, key_, request_hash)
        if stored is not None:
            return Status(stored.status_code, stored.response)
        filing = _filing(request, system, number)
        verified = None
        if system.submit_needs_second_factor:
            if not (x_second_factor and second_factor.check_code(request.user, x_second_factor)):
                raise ApiError(
                    403,
                    "second_factor_required",
                    _(
                        "Submitting in this system needs a current code of your "
                        "authenticator in the X-Second-Factor header."
                    ),
                )
            verified = True
        produced = {}

        def then(done):
            produced["body"] = filing_body(system, done)
            idempotency.remember(request.user, key_, request_hash, 200, produced["body"])

        try:
            _run(
                lambda: services.submit(
                    filing=filing, actor=request.user, second_factor_verified=verified, then=then
                )
            )
        except IntegrityError:
            stored = idempotency.replay(request.user, key_, request_hash)
            if stored is None:
                raise
            return Status(stored.status_code, stored.response)
        return Status(200, produced["body"])

    @router.post(
        "applications/{number}/withdraw",
        response={200: Out, **ERR_409},
        operation_id=f"{op}_withdraw",
        summary="Withdraw (as the system declares it)",
    )
    def withdraw(request, number: str):
        filing = _filing(request, system, number)
        _run(lambda: services.withdraw(filing=filing, actor=request.user))
        filing.refresh_from_db()
        return filing_body(system, filing)

    @router.post(
        "applications/{number}/copy",
        response={201: list[Out], **ERR_BODY},
        operation_id=f"{op}_copy",
        summary="Copy into new drafts",
    )
    def copy(request, number: str, payload: schemas.CopyIn):
        filing = _filing(request, system, number)
        copies = _run(
            lambda: services.copy_filing(filing=filing, actor=request.user, times=payload.times)
        )
        return Status(201, [filing_body(system, c) for c in copies])

    if system.line_model is not None and system.line_form is not None:
        _line_routes(router, system, op)
    if system.attachments:
        _attachment_routes(router, system, op)
    if system.decisions:
        _review_routes(router, system, op)
    _document_routes(router, system, op)
    certificates.add_routes(router, system, op)
    review_actions.add_routes(router, system, op)
    extras.add_routes(router, system, op)
    if system.regulator_reads:
        _regulator_routes(router, system, op)
    return router


# Query parameters the API itself reads; the rest belong to the system's filter set.
_PAGING = ("cursor", "page_size")


def query_schema(name: str, filters, **own):
    """A list's query parameters: every field of its filter set or form (``filters``: a
    FilterSet or Form class; optional text, cleaned by it as on the page), plus the
    list's ``own``."""
    names = getattr(filters, "base_filters", None) or filters.base_fields
    fields = {field: (str | None, None) for field in names}
    return create_model(name, **own, **fields)


def filtered(filterset_class, request, qs, *, own=()):
    """``qs`` through a list's filter set as the page filters it; a bad value is a 422
    naming its field."""
    data = request.GET.copy()
    for name in (*_PAGING, *own):
        data.pop(name, None)
    filterset = filterset_class(data or None, queryset=qs)
    if filterset.is_bound and not filterset.is_valid():
        raise form_error(filterset.form)
    return filterset.qs


def _filtered(system, filterset_class, request, qs, *, own=()):
    """Applications through the system's filter set, as API bodies."""
    found = filtered(filterset_class, request, qs, own=own)
    return Bodies(found, lambda obj: filing_body(system, obj, missing=False))


class Bodies:
    """A queryset the paginator slices, giving API bodies made by ``make`` (one query
    per page)."""

    def __init__(self, qs, make):
        self.qs, self.make = qs, make

    def order_by(self, *order):
        return type(self)(self.qs.order_by(*order), self.make)

    def filter(self, **kwargs):
        return type(self)(self.qs.filter(**kwargs), self.make)

    def __getitem__(self, item):
        found = []
        for obj in self.qs[item]:
            row = _Row(self.make(obj))
            row.id = obj.pk  # the paginator's position
            found.append(row)
        return found


class _Row(dict):
    id: int


def _line_routes(router, system, op):
    LineIn = schemas.line_in(system.key)
    LineOut = schemas.line_out(system.key)
    lines_of = system.lines_of

    def first_other(filing, line=None):
        others = lines_of(filing)
        if line is not None:
            others = others.exclude(pk=line.pk)
            if not others.filter(line_number__lt=line.line_number).exists():
                return None
        return others.order_by("line_number").first()

    @router.get(
        "applications/{number}/lines",
        response={200: list[LineOut], **ERR},
        operation_id=f"{op}_lines",
        summary="Goods lines",
    )
    @paginate(IdCursorPagination, ordering=("id",), page_size=50, max_page_size=500)
    def lines(request, number: str):
        filing = _filing(request, system, number)
        return Bodies(lines_of(filing), lambda line: line_body(system, line))

    @router.post(
        "applications/{number}/lines",
        response={201: LineOut, **ERR_BODY},
        operation_id=f"{op}_line_add",
        summary="Add a goods line",
    )
    def add_line(request, number: str, payload: LineIn):
        filing = _filing(request, system, number)
        values = payload.model_dump(exclude_unset=True, mode="json")
        first = first_other(filing)
        blank = system.line_form(filing=filing, first_line=first)
        form = system.line_form(
            _posted(system.line_model, blank, values), filing=filing, first_line=first
        )
        if not form.is_valid():
            raise form_error(form)
        line = _run(
            lambda: services.add_line(filing=filing, actor=request.user, values=form.values())
        )
        return Status(201, line_body(system, line))

    @router.patch(
        "applications/{number}/lines/{line_id}",
        response={200: LineOut, **ERR_BODY},
        operation_id=f"{op}_line_update",
        summary="Change a goods line",
    )
    def update_line(request, number: str, line_id: int, payload: LineIn):
        filing = _filing(request, system, number)
        line = get_object_or_404(lines_of(filing), pk=line_id)
        values = payload.model_dump(exclude_unset=True, mode="json")
        first = first_other(filing, line)
        blank = system.line_form(instance=line, filing=filing, first_line=first)
        form = system.line_form(
            _posted(system.line_model, blank, values),
            instance=line,
            filing=filing,
            first_line=first,
        )
        if not form.is_valid():
            raise form_error(form)
        values = form.values()
        line = _run(
            lambda: services.update_line(
                filing=filing, actor=request.user, line=line, values=values
            )
        )
        return line_body(system, line)

    @router.delete(
        "applications/{number}/lines/{line_id}",
        response={204: None, **ERR},
        operation_id=f"{op}_line_delete",
        summary="Delete a goods line",
    )
    def delete_line(request, number: str, line_id: int):
        filing = _filing(request, system, number)
        line = get_object_or_404(lines_of(filing), pk=line_id)
        _run(lambda: services.delete_line(filing=filing, actor=request.user, line=line))
        return Status(204, None)


def download_response() -> dict:
    """The documented 200 of a file download: the content types it may have."""
    return {
        "responses": {
            "200": {
                "description": "The file, with the type of its content",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in _download_types()
                },
            }
        }
    }


def _download_types() -> list[str]:
    """The content types ``files.stored_download`` gives: those of the kinds uploads are
    recognised as (by their first bytes), or octet-stream."""
    suffixes = {suffix for _signatures, suffix in files.SIGNATURES.values()} | {".jpeg"}
    found = {mimetypes.guess_type(f"x{suffix}")[0] for suffix in suffixes} - {None}
    return sorted(found | {"application/octet-stream"})


def _attachment_routes(router, system, op):
    @router.get(
        "applications/{number}/attachments",
        response={200: list[schemas.AttachmentOut], **ERR},
        operation_id=f"{op}_attachments",
        summary="Attachments",
    )
    def attachments(request, number: str):
        filing = _filing(request, system, number)
        found = attachments_of(filing).select_related("attachment_type").order_by("id")
        return [attachment_body(system, filing, a) for a in found]

    @router.post(
        "applications/{number}/attachments",
        response={201: schemas.AttachmentOut, **ERR_BODY},
        operation_id=f"{op}_attachment_upload",
        summary="Upload an attachment (multipart: file, and attachment_type when the "
        "system lists types)",
    )
    def upload(
        request,
        number: str,
        file: File[UploadedFile],
        attachment_type: Form[int | None] = None,
    ):
        filing = _filing(request, system, number)
        kind = None
        if attachment_type is not None:
            kinds = system.attachment_types(filing) or []
            kind = next((t for t in kinds if t.pk == attachment_type), None)
            if kind is None:
                raise invalid(attachment_type=[_("Not an attachment type of this application.")])
        attachment = _run(
            lambda: services.upload_attachment(
                filing=filing, actor=request.user, attachment_type=kind, uploaded_file=file
            )
        )
        return Status(201, attachment_body(system, filing, attachment))

    @router.get(
        "applications/{number}/attachments/{attachment_id}",
        response=ERR,
        operation_id=f"{op}_attachment_download",
        summary="Download an attachment",
        openapi_extra=download_response(),
    )
    def download(request, number: str, attachment_id: int):
        filing = _filing(request, system, number)
        attachment = get_object_or_404(attachments_of(filing), pk=attachment_id)
        return files.stored_download(attachment.file, attachment.original_name)

    @router.delete(
        "applications/{number}/attachments/{attachment_id}",
        response={204: None, **ERR},
        operation_id=f"{op}_attachment_delete",
        summary="Delete an attachment",
    )
    def delete_attachment(request, number: str, attachment_id: int):
        filing = _filing(request, system, number)
        attachment = get_object_or_404(attachments_of(filing), pk=attachment_id)
        _run(
            lambda: services.delete_attachment(
                filing=filing, actor=request.user, attachment=attachment
            )
        )
        return Status(204, None)


def _review_routes(router, system, op):
    """The approvers' side: what was filed to the seat's authority, its to-do queues, and
    the decisions of its level (``workflows.services.decide``: the same checks, notice,
    certificate and audit row as the page)."""
    key = system.key
    Out = schemas.filing_out(key)
    Review = create_model(
        f"{Out.__name__}Review",
        __base__=Out,
        decisions=(list[schemas.Decision], ...),
    )
    Decided = create_model(
        f"{Out.__name__}Decided",
        __base__=schemas.DecisionOut,
        application=(Review, ...),
    )
    filterset_class = filing_filterset(key, "authority")
    Filters = query_schema(
        f"{Out.__name__}ReviewFilters", filterset_class, queue=(str | None, None)
    )

    def review_body(filing, user) -> dict:
        body = filing_body(system, filing, missing=False)
        body["decisions"] = [
            {"name": t.name, "label": _label(t.custom.get("label", t.name))}
            for t in available(filing, user, "approver")
        ]
        return body

    @router.get(
        "review/applications",
        response={200: list[Out], **ERR},
        operation_id=f"{op}_review_list",
        summary="What was filed to your authority (queue=todo|withdrawals: your level's)",
    )
    @paginate(IdCursorPagination, ordering=("-id",), page_size=20, max_page_size=100)
    def review_list(request, filters: Query[Filters]):
        name = filters.queue
        if name is not None and name not in ("todo", "withdrawals"):
            raise invalid(queue=[_("Choose todo or withdrawals.")])
        qs = (
            seat_queue(request.user, key, name)
            if name
            else filings_for_authority(request.user, key)
        )
        return _filtered(
            system, filterset_class, request, qs.select_related("authority"), own=("queue",)
        )

    @router.get(
        "review/applications/{number}",
        response={200: Review, **ERR},
        operation_id=f"{op}_review_retrieve",
        summary="One application filed to your authority, with the decisions you may take",
    )
    def review_retrieve(request, number: str):
        filing = get_object_or_404(filings_for_authority(request.user, key), number=number)
        return review_body(filing, request.user)

    @router.post(
        "review/applications/{number}/decide",
        response={200: Decided, **ERR_BODY_409},
        operation_id=f"{op}_decide",
        summary="Take a decision of your level (audited as on the page)",
    )
    def decide(request, number: str, payload: schemas.DecisionIn):
        filing = get_object_or_404(filings_for_authority(request.user, key), number=number)
        produced = _run(
            lambda: services.decide(
                filing=filing,
                actor=request.user,
                decision=payload.decision,
                opinion=payload.opinion,
                notice_number=payload.notice_number,
                expected_status=payload.expected_status,
            )
        )
        filing.refresh_from_db()
        notice, certificate = produced.get("notice"), produced.get("certificate")
        return {
            "application": review_body(filing, request.user),
            "notice": notice.pk if notice else None,
            "certificate": certificate.number if certificate else None,
        }


def _pdf(data, name):
    from documents.views import pdf_response

    return pdf_response(data, name)


PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _document_routes(router, system, op):
    """What the authority sent: notices (and their PDFs) and the certificate."""
    from documents import selectors as documents
    from documents import services as document_services

    base = f"/api/v1/{system.slug}/applications"

    def notice_body(filing, notice) -> dict:
        return {
            "id": notice.pk,
            "kind": notice.kind,
            "kind_label": _label(notice.get_kind_display()),
            "number": notice.number,
            "issued_on": notice.issued_on,
            "pdf": f"{base}/{filing.number}/notices/{notice.pk}/pdf",
        }

    @router.get(
        "applications/{number}/notices",
        response={200: list[schemas.NoticeOut], **ERR},
        operation_id=f"{op}_notices",
        summary="The notices the authority sent",
    )
    def notices(request, number: str):
        filing = _filing(request, system, number)
        return [notice_body(filing, n) for n in documents.notices_of(filing).order_by("id")]

    @router.get(
        "applications/{number}/notices/{notice_id}/pdf",
        response=ERR,
        operation_id=f"{op}_notice_pdf",
        summary="A notice as PDF",
        openapi_extra=PDF_RESPONSE,
    )
    def notice_pdf(request, number: str, notice_id: int):
        filing = _filing(request, system, number)
        notice = get_object_or_404(documents.notices_of(filing), pk=notice_id)
        return _pdf(document_services.notice_pdf(notice), f"notice-{notice.pk}.pdf")

    if not system.issues_certificate:
        return

    def certificate_of(request, number):
        certificate = getattr(_filing(request, system, number), "certificate", None)
        if certificate is None:
            raise ApiError(404, "not_found", _("No certificate was issued on this application."))
        return certificate

    @router.get(
        "applications/{number}/certificate",
        response={200: certificates.CertificateDetail, **ERR},
        operation_id=f"{op}_certificate",
        summary="The certificate issued on the application",
    )
    def certificate(request, number: str):
        return certificates.certificate_detail(system, certificate_of(request, number))

    @router.get(
        "applications/{number}/certificate/pdf",
        response=ERR,
        operation_id=f"{op}_certificate_pdf",
        summary="The certificate as PDF",
        openapi_extra=PDF_RESPONSE,
    )
    def certificate_pdf(request, number: str):
        found = certificate_of(request, number)
        return _pdf(document_services.certificate_pdf(found), f"{found.number}.pdf")


def _regulator_routes(router, system, op):
    """Regulators read the submitted records of enterprises in their jurisdiction, with
    the read right for the system (``filings_for_regulator``); drafts never."""
    key = system.key
    Out = schemas.filing_out(key)
    filterset_class = regulator_filterset(key)
    Filters = query_schema(f"{Out.__name__}RegulatedFilters", filterset_class)

    @router.get(
        "regulated/applications",
        response={200: list[Out], **ERR},
        operation_id=f"{op}_regulated_list",
        summary="Records a regulator reads (its jurisdiction, with the read right)",
    )
    @paginate(IdCursorPagination, ordering=("-id",), page_size=20, max_page_size=100)
    def regulated_list(request, filters: Query[Filters]):
        qs = filings_for_regulator(request.user, key).select_related("authority")
        return _filtered(system, filterset_class, request, qs)

    @router.get(
        "regulated/applications/{number}",
        response={200: Out, **ERR},
        operation_id=f"{op}_regulated_retrieve",
        summary="One record a regulator reads",
    )
    def regulated_retrieve(request, number: str):
        filing = get_object_or_404(filings_for_regulator(request.user, key), number=number)
        return filing_body(system, filing, missing=False)


def add_routers(api_or_router) -> None:
    for system in registry.all_systems():
        api_or_router.add_router(f"/{system.slug}/", router_for(system))
