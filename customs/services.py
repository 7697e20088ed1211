"""The customs exchange: send, deliver, receive, correct, void.

Sending writes the outbound message in the same transaction as the
certificate's status change; ``deliver_due`` (run by the outbox worker,
``manage.py outbox``) claims due messages, POSTs them with the message id as
idempotency key and retries with exponential backoff.  Inbound receipts and
write-offs are verified (HMAC), validated (XSD) and applied exactly once.
Every filing system's certificates travel the same way.
"""

import os
import urllib.error
import urllib.request
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from documents import services as documents
from documents.models import Certificate, CertificateStatus, CustomsStatus
from filings import audit, registry
from filings.runner import AlreadyHandled, already_handled, run_transition
from portal.languages import formatted
from portal.outbox import claim_due, fresh_start, retry_at
from portal.transactions import durable, top_level

from . import conflicts, xml
from .models import InboundMessage, MessageKind, OutboundMessage, WriteOff

LEASE_SECONDS = float(os.environ.get("PORTAL_CUSTOMS_LEASE_SECONDS", "30"))


def certificate_data(certificate: Certificate) -> dict:
    return {
        "system": certificate.system,
        "number": certificate.number,
        "revision": certificate.revision,
        "authority_code": certificate.authority.code,
        "holder_name": certificate.holder_name,
        "holder_uscc": certificate.holder_uscc,
        "holder_address": certificate.holder_address,
        "ports": certificate.ports,
        "issue_date": certificate.issue_date,
        "valid_until": certificate.valid_until,
        "remarks": certificate.remarks,
        "content": certificate.content,
        "lines": [
            {
                "line_number": line.line_number,
                "hs_code": line.hs_code,
                "name": line.name,
                "quantity": line.quantity,
                "unit": line.unit,
                "details": line.details,
            }
            for line in certificate.lines.all()
        ],
    }


def _save(certificate: Certificate) -> None:
    try:
        certificate.save()
    except ConcurrentTransition as error:
        raise already_handled(certificate) from error


def queue_message(*, certificate: Certificate, kind: str, actor, void_reason="") -> OutboundMessage:
    """Write one message to the outbox; it leaves after the surrounding transaction commits."""
    message_id = xml.new_message_id()
    body = xml.certificate_message(
        certificate_data(certificate),
        kind=kind,
        message_id=message_id,
        sent_at=timezone.now(),
        void_reason=void_reason,
    )
    return OutboundMessage.objects.create(
        message_id=message_id,
        certificate=certificate,
        kind=kind,
        revision=certificate.revision,
        body=body.decode(),
        next_attempt_at=timezone.now(),
        created_by=actor,
    )


def _known_to_customs(certificate) -> bool:
    return certificate.customs_messages.filter(receipt_result="ACCEPTED").exists()


@top_level
def send_certificate(*, certificate: Certificate, actor, request=None) -> OutboundMessage:
    """完成并发往海关 for one certificate: status and outbox row in one transaction."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not can_proceed(certificate.send):
        raise AlreadyHandled(
            _("Certificate %(number)s cannot be sent now (%(status)s).")
            % {
                "number": certificate.number,
                "status": certificate.customs_status_label
                if not certificate.is_void
                else certificate.get_status_display(),
            }
        )
    if not has_transition_perm(certificate.send, actor):
        raise PermissionDenied
    from_state = certificate.customs_status
    failed = certificate.customs_messages.filter(
        state__in=(OutboundMessage.State.DEAD, OutboundMessage.State.FAILED)
    ).last()
    certificate.send()
    certificate.customs_reason = ""
    _save(certificate)
    if (
        from_state == CustomsStatus.SEND_FAILED
        and failed
        and failed.revision == certificate.revision
    ):
        # The same message again, same id (customs dedupes it if it did arrive),
        # with a fresh retry horizon.
        OutboundMessage.objects.filter(pk=failed.pk).update(last_error="", **fresh_start())
        message = OutboundMessage.objects.get(pk=failed.pk)
    else:
        kind = MessageKind.CORRECT if _known_to_customs(certificate) else MessageKind.ISSUE
        message = queue_message(certificate=certificate, kind=kind, actor=actor)
    audit.record(
        target=certificate,
        actor=actor,
        transition="send",
        from_state=from_state,
        to_state=certificate.customs_status,
        request=request,
        filing=certificate.filing,
    )
    return message


@top_level(atomic=False)
def send_certificates(*, certificates, actor, request=None) -> tuple[list, list]:
    """Several at once; each in its own transaction. Returns (sent, [(number, reason)])."""
    sent, refused = [], []
    for certificate in certificates:
        try:
            send_certificate(certificate=certificate, actor=actor, request=request)
            sent.append(certificate.number)
        except AlreadyHandled as error:
            refused.append((certificate.number, str(error)))
    return sent, refused


# --- delivery (the outbox worker) -----------------------------------------------------------


def http_post(body: bytes, *, message_id: str) -> int:
    """POST one message; the HTTP status, or an exception when nothing came back."""
    headers = xml.signed_headers(settings.CUSTOMS_SECRET, body)
    headers["Idempotency-Key"] = message_id
    request = urllib.request.Request(
        settings.CUSTOMS_ENDPOINT, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.CUSTOMS_TIMEOUT_SECONDS) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def _fault(point: str) -> None:
    """Fault injection for the reliability tests: die at a named point."""
    if os.environ.get("PORTAL_CUSTOMS_FAULT") == point:
        os._exit(3)


@top_level(atomic=False)
def deliver_due(*, limit: int = 20, post=http_post) -> int:
    """One pass of the outbox worker; returns how many messages were attempted."""
    batch = claim_due(OutboundMessage.objects.all(), limit=limit, lease_seconds=LEASE_SECONDS)
    for message in batch:
        _fault("crash-before-send")
        try:
            status = post(message.body.encode(), message_id=message.message_id)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except Exception as failure:  # network down, timeout, refused: retry later
            status, error = None, f"{type(failure).__name__}: {failure}"[:500]
        _fault("crash-after-send")
        _record_attempt(message, status=status, error=error)
    return len(batch)


def _record_attempt(message: OutboundMessage, *, status, error: str) -> None:
    """Delivered; or retried with backoff; or, past the horizon (or refused for good by
    a 4xx), a dead letter, and only then is the certificate 发送失败."""
    now = timezone.now()
    attempts = message.attempts + 1
    first = message.first_attempt_at or now
    seen = {"attempts": attempts, "first_attempt_at": first, "last_attempt_at": now}
    with durable():
        if not error:
            OutboundMessage.objects.filter(pk=message.pk).update(
                state=OutboundMessage.State.DELIVERED, delivered_at=now, last_error="", **seen
            )
            return
        permanent = status is not None and 400 <= status < 500 and status not in (408, 429)
        again = None if permanent else retry_at(attempts, first_attempt_at=first, now=now)
        if again is None:
            OutboundMessage.objects.filter(pk=message.pk).update(
                state=OutboundMessage.State.DEAD, last_error=error, **seen
            )
            certificate = Certificate.objects.select_for_update().get(pk=message.certificate_id)
            if can_proceed(certificate.delivery_failed):
                certificate.customs_reason = error
                run_transition(
                    target=certificate,
                    actor=None,
                    name="delivery_failed",
                    opinion=error,
                    filing=certificate.filing,
                )
            return
        OutboundMessage.objects.filter(pk=message.pk).update(
            last_error=error, next_attempt_at=again, **seen
        )


# --- inbound ------------------------------------------------------------------------------


class Retry(Exception):
    """Could not apply now (a concurrent change); customs should send it again."""


@top_level(atomic=False)
def receive(body: bytes, *, timestamp: str | None, signature: str | None) -> str:
    """Verify, validate and apply one inbound message; returns what was done.

    Raises ``xml.MessageError`` for anything customs must not send again as is.
    """
    xml.verify_signature(settings.CUSTOMS_SECRET, timestamp, signature, body)
    root = xml.parse(body, schema_name="inbound", expected=("Receipt", "WriteOff"))
    data = xml.read_inbound(root)
    try:
        with durable():
            if InboundMessage.objects.filter(message_id=data["message_id"]).exists():
                return "duplicate: already applied"
            if data["kind"] == "Receipt":
                outcome = _apply_receipt(data)
            else:
                outcome = _apply_write_off(data)
            InboundMessage.objects.create(
                message_id=data["message_id"],
                kind=data["kind"],
                body=body.decode(),
                outcome=outcome,
            )
    except IntegrityError:
        return "duplicate: already applied"
    return outcome


def _void_filing(certificate: Certificate) -> None:
    """A void certificate leaves its filing void (已作废), in the same transaction."""
    filing = certificate.filing
    if filing is None:
        return
    filing = filing.specific
    void_state = filing.declaration.void_state
    method = getattr(filing, "void", None)
    if method is not None and filing.status != void_state and can_proceed(method):
        run_transition(target=filing, actor=None, name="void", opinion=certificate.void_reason)


def _apply_receipt(data: dict) -> str:
    message = OutboundMessage.objects.filter(message_id=data["in_reply_to"]).first()
    if message is None:
        raise xml.MessageError(f"No certificate message {data['in_reply_to']} was sent.")
    certificate = Certificate.objects.select_for_update().get(pk=message.certificate_id)
    if certificate.number != data["number"] or certificate.system != data["system"]:
        raise xml.MessageError("The receipt names another document than its message.")
    if conflict := conflicts.receipt_conflict(message=message, data=data):
        return conflict
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=OutboundMessage.State.DELIVERED,
        delivered_at=message.delivered_at or timezone.now(),
        receipt_result="ACCEPTED" if data["accepted"] else "REJECTED",
        receipt_reason=data["reason"],
        receipt_at=timezone.now(),
    )
    latest = certificate.customs_messages.order_by("-created_at", "-pk").first()
    if latest.pk != message.pk:
        return "receipt recorded; a later message supersedes it"
    if message.kind == MessageKind.VOID:
        if certificate.status != CertificateStatus.VOID_REQUESTED:
            return "receipt recorded"
        if data["accepted"]:
            name = "void_confirmed"
        else:
            name = "void_refused"
            certificate.customs_reason = _("Customs refused to void: %(reason)s") % {
                "reason": data["reason"]
            }
    else:
        name = "customs_accept" if data["accepted"] else "customs_reject"
        if not can_proceed(getattr(certificate, name)):
            return "receipt recorded"
        certificate.customs_reason = "" if data["accepted"] else data["reason"]
    run_transition(
        target=certificate,
        actor=None,
        name=name,
        opinion=data["reason"],
        filing=certificate.filing,
    )
    if name == "void_confirmed":
        _void_filing(certificate)
    return name


def _apply_write_off(data: dict) -> str:
    applied = []
    for document in data["documents"]:
        certificate = (
            Certificate.objects.select_for_update()
            .filter(system=document["system"], number=document["number"])
            .first()
        )
        if certificate is None:
            raise xml.MessageError(f"No document {document['system']} {document['number']}.")
        lines = {line.line_number: line for line in certificate.lines.all()}
        limit = registry.get(certificate.system).max_declarations(certificate)
        earlier = set(
            WriteOff.objects.filter(certificate=certificate)
            .exclude(declaration_number=data["declaration_number"])
            .values_list("declaration_number", flat=True)
        )
        too_many = limit is not None and len(earlier) >= limit
        late = bool(certificate.valid_until and data["declaration_date"] > certificate.valid_until)
        for number, quantity, item in document["lines"]:
            line = lines.get(number)
            if line is None:
                raise xml.MessageError(f"Document {certificate.number} has no line {number}.")
            recorded = WriteOff.objects.filter(
                certificate=certificate,
                declaration_number=data["declaration_number"],
                line=line,
            ).first()
            if recorded is not None:
                # Applied before: an exact repeat is ignored, other values kept as a conflict.
                if conflict := conflicts.write_off_conflict(
                    write_off=recorded, data=data, quantity=quantity, item=item
                ):
                    applied.append(conflict)
                continue
            used = line.write_offs.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
            WriteOff.objects.create(
                certificate=certificate,
                line=line,
                declaration_number=data["declaration_number"],
                declaration_item=item,
                declaration_date=data["declaration_date"],
                port_code=data["port_code"],
                quantity=quantity,
                exceeds_remainder=used + quantity > line.quantity,
                exceeds_uses=too_many,
                after_validity=late,
                message_id=data["message_id"],
            )
            applied.append(f"{certificate.number}/{number}")
    return f"write-off applied to {applied}" if applied else "write-off already applied"


def ledger(certificate: Certificate) -> list[dict]:
    """Per line: licensed, written off, remainder (negative when customs wrote off more)."""
    totals = dict(
        WriteOff.objects.filter(certificate=certificate)
        .values_list("line_id")
        .annotate(total=Sum("quantity"))
    )
    open_conflicts = conflicts.open_by_line(certificate)
    return [
        {
            "line": line,
            "licensed": line.quantity,
            "written_off": totals.get(line.pk, Decimal(0)),
            "remainder": line.quantity - totals.get(line.pk, Decimal(0)),
            "open_conflicts": open_conflicts.get(line.pk, 0),
        }
        for line in certificate.lines.all()
    ]


# --- correction (改错) and void (作废) ----------------------------------------------------


def _get(obj, key: str):
    if key.startswith("details."):
        return obj.details.get(key[8:], "")
    return getattr(obj, key)


def correctable_values(certificate: Certificate) -> dict:
    """The current values of everything 改错 may change, as the form shows them."""
    system = registry.get(certificate.system)
    values = {}
    for field in system.correctable_fields:
        value = getattr(certificate, field)
        values[field] = value.isoformat() if isinstance(value, date) else str(value)
    for line in certificate.lines.all():
        for key in system.correctable_line_fields:
            value = _get(line, key)
            values[f"line-{line.line_number}-{key}"] = (
                documents.quantity(value) if key == "quantity" else str(value)
            )
    return values


def _parse_header(certificate, field, raw, errors):
    if field == "valid_until":
        try:
            new = date.fromisoformat(raw)
        except ValueError:
            errors[field] = _("Enter a date such as 2027-12-31.")
            return None
        if new < certificate.issue_date:
            errors[field] = _("The validity cannot end before the issue date.")
            return None
        return new
    return raw


def _parse_line(key, raw, used, errors, error_key):
    if key == "quantity":
        try:
            new = Decimal(raw)
        except InvalidOperation:
            errors[error_key] = _("Enter a number.")
            return None
        if not new.is_finite():  # NaN, Infinity: no quantity (and NaN cannot be compared)
            errors[error_key] = _("Enter a number.")
            return None
        if new <= 0 or new.as_tuple().exponent < -3 or new >= Decimal("1e11"):
            # (the line's quantity keeps 14 digits, 3 of them decimals)
            errors[error_key] = _("Enter a positive quantity with at most 3 decimals.")
            return None
        if new < used:
            errors[error_key] = formatted(
                gettext_lazy("Customs already wrote off %(used)s: the quantity cannot be lower."),
                used=documents.quantity(used),
            )
            return None
        return new
    if not raw:
        errors[error_key] = _("This field is required.")
        return None
    return raw


@top_level(atomic=False)
def correct_certificate(
    *, certificate: Certificate, actor, values: dict, reason: str, request=None
):
    """A new revision with the changed fields; it must be sent to customs again."""
    system = registry.get(certificate.system)
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Enter the reason for the correction.")
    with durable():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not has_transition_perm(certificate.correct, actor):
            if not can_proceed(certificate.correct):
                raise ValidationError(
                    _("This certificate cannot be corrected while it is %(status)s.")
                    % {
                        "status": certificate.get_status_display()
                        if certificate.is_void
                        else certificate.customs_status_label
                    }
                )
            raise PermissionDenied
        new_header = {}
        for field in system.correctable_fields:
            raw = str(values.get(field, "")).strip()
            new = _parse_header(certificate, field, raw, errors)
            if field not in errors and new != getattr(certificate, field):
                new_header[field] = new
        used = dict(
            WriteOff.objects.filter(certificate=certificate)
            .values_list("line_id")
            .annotate(total=Sum("quantity"))
        )
        line_updates = []
        for line in certificate.lines.all():
            changed = False
            for key in system.correctable_line_fields:
                error_key = f"line-{line.line_number}-{key}"
                raw = str(values.get(error_key, "")).strip()
                new = _parse_line(key, raw, used.get(line.pk, 0), errors, error_key)
                if error_key in errors or new == _get(line, key):
                    continue
                changed = True
                if key.startswith("details."):
                    line.details = {**line.details, key[8:]: new}
                else:
                    setattr(line, key, new)
            if changed:
                line_updates.append(line)
        if errors:
            raise ValidationError(errors)
        if not new_header and not line_updates:
            raise ValidationError(_("Nothing was changed."))
        from_state = certificate.customs_status
        certificate.correct()
        for field, new in new_header.items():
            setattr(certificate, field, new)
        certificate.revision += 1
        _save(certificate)
        for line in line_updates:
            line.save(update_fields=["quantity", "details"])
        revision = certificate.save_revision(user=actor, clean=False)
        documents.issue_code(certificate, revision=certificate.revision)
        audit.record(
            target=certificate,
            actor=actor,
            transition="correct",
            from_state=from_state,
            to_state=certificate.customs_status,
            opinion=reason.strip(),
            request=request,
            filing=certificate.filing,
            revision=revision,
        )
    return certificate


@top_level(atomic=False)
def void_certificate(*, certificate: Certificate, actor, reason: str, request=None) -> Certificate:
    """作废 with a reason: at once if customs never had it (the filing is void too),
    else a void message goes to customs and the certificate waits for its answer."""
    if not reason.strip():
        raise ValidationError({"reason": _("Enter the reason for voiding.")})
    with durable():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        certificate.void_reason = reason.strip()
        certificate.voided_at = timezone.now()
        run_transition(
            target=certificate,
            actor=actor,
            name="void",
            opinion=reason.strip(),
            request=request,
            filing=certificate.filing,
        )
        if certificate.status == CertificateStatus.VOID_REQUESTED:
            queue_message(
                certificate=certificate,
                kind=MessageKind.VOID,
                actor=actor,
                void_reason=certificate.void_reason,
            )
        else:
            _void_filing(certificate)
    return certificate
