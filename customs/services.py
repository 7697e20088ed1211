"""The customs exchange: send, deliver, receive, correct.

Sending writes the outbound message in the same transaction as the
certificate's status change; ``deliver_due`` (run by the outbox worker,
``manage.py outbox``) claims due messages, POSTs them with the message
id as idempotency key and retries with exponential backoff.  Inbound receipts
and write-offs are verified (HMAC), validated (XSD) and applied exactly once.
"""

import os
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from documents import services as documents
from documents.models import Certificate, CertificateRevision, CertificateStatus, CustomsStatus
from portal.outbox import claim_due, retry_at
from workflows import audit

from . import xml
from .models import InboundMessage, MessageKind, OutboundMessage, WriteOff

LEASE_SECONDS = float(os.environ.get("PORTAL_CUSTOMS_LEASE_SECONDS", "30"))


def certificate_data(certificate: Certificate) -> dict:
    return {
        "number": certificate.number,
        "revision": certificate.revision,
        "direction": certificate.direction,
        "authority_code": certificate.authority.code,
        "holder_name": certificate.holder_name,
        "holder_uscc": certificate.holder_uscc,
        "holder_address": certificate.holder_address,
        "purpose": certificate.purpose_name,
        "ports": certificate.ports,
        "issue_date": certificate.issue_date,
        "valid_until": certificate.valid_until,
        "remarks": certificate.remarks,
        "lines": [
            {
                "line_number": line.line_number,
                "hs_code": line.hs_code,
                "drug_name_zh": line.drug_name_zh,
                "drug_name_en": line.drug_name_en,
                "dosage_form": line.dosage_form,
                "specification": line.specification,
                "quantity": line.quantity,
                "unit": line.unit,
                "manufacturer": line.manufacturer,
                "country": line.country,
            }
            for line in certificate.lines.all()
        ],
    }


def _save(certificate: Certificate) -> None:
    from django_fsm import ConcurrentTransition

    from workflows.drug_permit import AlreadyHandled

    try:
        certificate.save()
    except ConcurrentTransition as error:
        raise AlreadyHandled(
            _("This certificate was changed meanwhile; refresh to see its status.")
        ) from error


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


def send_certificate(*, certificate: Certificate, actor, request=None) -> OutboundMessage:
    """完成并发往海关 for one certificate: status and outbox row in one transaction."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not can_proceed(certificate.send):
            from workflows.drug_permit import AlreadyHandled

            raise AlreadyHandled(
                _("Certificate %(number)s cannot be sent now (%(status)s).")
                % {
                    "number": certificate.number,
                    "status": certificate.get_customs_status_display()
                    if not certificate.is_void
                    else certificate.get_status_display(),
                }
            )
        if not has_transition_perm(certificate.send, actor):
            raise PermissionDenied
        from_state = certificate.customs_status
        failed = certificate.customs_messages.filter(state=OutboundMessage.State.FAILED).last()
        certificate.send()
        certificate.customs_reason = ""
        _save(certificate)
        if (
            from_state == CustomsStatus.SEND_FAILED
            and failed
            and failed.revision == certificate.revision
        ):
            # The same message again, same id: customs dedupes it if it did arrive.
            OutboundMessage.objects.filter(pk=failed.pk).update(
                state=OutboundMessage.State.PENDING,
                attempts=0,
                next_attempt_at=timezone.now(),
                last_error="",
            )
            message = OutboundMessage.objects.get(pk=failed.pk)
        else:
            kind = MessageKind.CORRECT if _known_to_customs(certificate) else MessageKind.ISSUE
            message = queue_message(certificate=certificate, kind=kind, actor=actor)
        audit.record(
            target=certificate,
            actor=actor,
            transition="customs_send",
            from_state=from_state,
            to_state=certificate.customs_status,
            request=request,
        )
    return message


def send_certificates(*, certificates, actor, request=None) -> tuple[list, list]:
    """Several at once; each in its own transaction. Returns (sent, [(number, reason)])."""
    sent, refused = [], []
    from workflows.drug_permit import AlreadyHandled

    for certificate in certificates:
        try:
            send_certificate(certificate=certificate, actor=actor, request=request)
            sent.append(certificate.number)
        except AlreadyHandled as error:
            refused.append((certificate.number, str(error)))
    return sent, refused


# --- delivery (the outbox worker) ----------------------------------------------------


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
    now = timezone.now()
    attempts = message.attempts + 1
    with transaction.atomic():
        if not error:
            OutboundMessage.objects.filter(pk=message.pk).update(
                state=OutboundMessage.State.DELIVERED,
                attempts=attempts,
                delivered_at=now,
                last_error="",
            )
            return
        permanent = status is not None and 400 <= status < 500 and status not in (408, 429)
        if permanent or attempts >= settings.CUSTOMS_MAX_ATTEMPTS:
            OutboundMessage.objects.filter(pk=message.pk).update(
                state=OutboundMessage.State.FAILED, attempts=attempts, last_error=error
            )
            certificate = Certificate.objects.select_for_update().get(pk=message.certificate_id)
            if can_proceed(certificate.delivery_failed):
                certificate.delivery_failed()
                certificate.customs_reason = error
                certificate.save()
                audit.record(
                    target=certificate,
                    actor=None,
                    transition="customs_send_failed",
                    from_state=CustomsStatus.SENT,
                    to_state=certificate.customs_status,
                    opinion=error,
                )
            return
        OutboundMessage.objects.filter(pk=message.pk).update(
            attempts=attempts, last_error=error, next_attempt_at=retry_at(attempts)
        )


# --- inbound ----------------------------------------------------------------------------


class Retry(Exception):
    """Could not apply now (a concurrent change); customs should send it again."""


def receive(body: bytes, *, timestamp: str | None, signature: str | None) -> str:
    """Verify, validate and apply one inbound message; returns what was done.

    Raises ``xml.MessageError`` for anything customs must not send again as is.
    """
    xml.verify_signature(settings.CUSTOMS_SECRET, timestamp, signature, body)
    root = xml.parse(body, schema_name="inbound", expected=("Receipt", "WriteOff"))
    data = xml.read_inbound(root)
    try:
        with transaction.atomic():
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


def _apply_receipt(data: dict) -> str:
    message = OutboundMessage.objects.filter(message_id=data["in_reply_to"]).first()
    if message is None:
        raise xml.MessageError(f"No certificate message {data['in_reply_to']} was sent.")
    certificate = Certificate.objects.select_for_update().get(pk=message.certificate_id)
    if certificate.number != data["number"]:
        raise xml.MessageError("The receipt names another certificate than its message.")
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
    from_state = f"{certificate.status}/{certificate.customs_status}"
    if message.kind == MessageKind.VOID:
        if not can_proceed(certificate.void_confirmed):
            return "receipt recorded"
        if data["accepted"]:
            certificate.void_confirmed()
        else:
            certificate.void_refused()
            certificate.void_reason = ""
            certificate.voided_at = None
            certificate.customs_reason = _("Customs refused to void: %(reason)s") % {
                "reason": data["reason"]
            }
        transition = "customs_void_accepted" if data["accepted"] else "customs_void_refused"
    else:
        if data["accepted"]:
            if not can_proceed(certificate.customs_accept):
                return "receipt recorded"
            certificate.customs_accept()
            certificate.customs_reason = ""
        else:
            if not can_proceed(certificate.customs_reject):
                return "receipt recorded"
            certificate.customs_reject()
            certificate.customs_reason = data["reason"]
        transition = "customs_accepted" if data["accepted"] else "customs_rejected"
    certificate.save()
    audit.record(
        target=certificate,
        actor=None,
        transition=transition,
        from_state=from_state,
        to_state=f"{certificate.status}/{certificate.customs_status}",
        opinion=data["reason"],
    )
    return transition


def _apply_write_off(data: dict) -> str:
    certificate = Certificate.objects.select_for_update().filter(number=data["number"]).first()
    if certificate is None:
        raise xml.MessageError(f"No certificate {data['number']}.")
    lines = {line.line_number: line for line in certificate.lines.all()}
    applied = []
    for number, quantity in data["lines"]:
        line = lines.get(number)
        if line is None:
            raise xml.MessageError(f"Certificate {certificate.number} has no line {number}.")
        if WriteOff.objects.filter(
            declaration_number=data["declaration_number"], line=line
        ).exists():
            continue  # this declaration's line was applied before
        used = line.write_offs.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
        WriteOff.objects.create(
            certificate=certificate,
            line=line,
            declaration_number=data["declaration_number"],
            declaration_date=data["declaration_date"],
            port_code=data["port_code"],
            quantity=quantity,
            exceeds_remainder=used + quantity > line.quantity,
            message_id=data["message_id"],
        )
        applied.append(number)
    return f"write-off applied to lines {applied}" if applied else "write-off already applied"


def ledger(certificate: Certificate) -> list[dict]:
    """Per line: licensed, written off, remainder (negative when customs wrote off more)."""
    totals = dict(
        WriteOff.objects.filter(certificate=certificate)
        .values_list("line_id")
        .annotate(total=Sum("quantity"))
    )
    return [
        {
            "line": line,
            "licensed": line.quantity,
            "written_off": totals.get(line.pk, Decimal(0)),
            "remainder": line.quantity - totals.get(line.pk, Decimal(0)),
        }
        for line in certificate.lines.all()
    ]


# --- correction (改错) ---------------------------------------------------------------

CORRECTABLE = {
    "valid_until": _("valid until"),
    "ports": _("ports"),
    "remarks": _("remarks"),
}
LINE_CORRECTABLE = {
    "specification": _("specification"),
    "quantity": _("licensed quantity"),
    "manufacturer": _("manufacturer"),
}


def correct_certificate(
    *, certificate: Certificate, actor, values: dict, reason: str, request=None
):
    """A new revision with the changed fields; it must be sent to customs again."""
    from datetime import date

    errors = {}
    if not reason.strip():
        errors["reason"] = _("Enter the reason for the correction.")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not has_transition_perm(certificate.correct, actor):
            raise PermissionDenied
        if not can_proceed(certificate.correct):
            raise ValidationError(
                _("This certificate cannot be corrected while it is %(status)s.")
                % {
                    "status": certificate.get_status_display()
                    if certificate.is_void
                    else certificate.get_customs_status_display()
                }
            )
        changes = []
        new_header = {}
        for field, label in CORRECTABLE.items():
            raw = str(values.get(field, "")).strip()
            old = getattr(certificate, field)
            if field == "valid_until":
                try:
                    new = date.fromisoformat(raw)
                except ValueError:
                    errors[field] = _("Enter a date such as 2027-12-31.")
                    continue
                if new < certificate.issue_date:
                    errors[field] = _("The validity cannot end before the issue date.")
                    continue
            else:
                new = raw
            if new != old:
                new_header[field] = new
                changes.append(
                    {"field": field, "label": str(label), "old": str(old), "new": str(new)}
                )
        used = dict(
            WriteOff.objects.filter(certificate=certificate)
            .values_list("line_id")
            .annotate(total=Sum("quantity"))
        )
        line_updates = []
        for line in certificate.lines.all():
            updates = {}
            for field, label in LINE_CORRECTABLE.items():
                key = f"line-{line.line_number}-{field}"
                raw = str(values.get(key, "")).strip()
                old = getattr(line, field)
                if field == "quantity":
                    try:
                        new = Decimal(raw)
                    except InvalidOperation:
                        errors[key] = _("Enter a number.")
                        continue
                    if new <= 0 or new.as_tuple().exponent < -3:
                        errors[key] = _("Enter a positive quantity with at most 3 decimals.")
                        continue
                    if new < used.get(line.pk, 0):
                        errors[key] = _(
                            "Customs already wrote off %(used)s: the quantity cannot be lower."
                        ) % {"used": documents.quantity(used[line.pk])}
                        continue
                else:
                    new = raw
                    if not new:
                        errors[key] = _("This field is required.")
                        continue
                if new != old:
                    updates[field] = new
                    changes.append(
                        {
                            "field": key,
                            "label": f"{line.line_number} · {label}",
                            "old": documents.quantity(old) if field == "quantity" else old,
                            "new": documents.quantity(new) if field == "quantity" else new,
                        }
                    )
            if updates:
                line_updates.append((line, updates))
        if errors:
            raise ValidationError(errors)
        if not changes:
            raise ValidationError(_("Nothing was changed."))
        from_state = certificate.customs_status
        certificate.correct()
        for field, new in new_header.items():
            setattr(certificate, field, new)
        certificate.revision += 1
        _save(certificate)
        for line, updates in line_updates:
            type(line).objects.filter(pk=line.pk).update(**updates)
        CertificateRevision.objects.create(
            certificate=certificate,
            revision=certificate.revision,
            changes=changes,
            reason=reason.strip(),
            changed_by=actor,
        )
        documents.issue_certificate_code(certificate)
        audit.record(
            target=certificate,
            actor=actor,
            transition="correct_certificate",
            from_state=from_state,
            to_state=certificate.customs_status,
            opinion=reason.strip(),
            request=request,
        )
    return certificate


def queue_void(*, certificate: Certificate, actor) -> OutboundMessage | None:
    """After voiding: customs must agree when it already had the certificate."""
    if certificate.status == CertificateStatus.VOID_REQUESTED:
        return queue_message(
            certificate=certificate,
            kind=MessageKind.VOID,
            actor=actor,
            void_reason=certificate.void_reason,
        )
    return None
