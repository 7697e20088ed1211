"""Customs data that disagrees with what was recorded is kept as a conflict, never dropped.

``receive`` calls ``write_off_conflict`` / ``receipt_conflict`` when a message with a new
id contradicts an earlier one; customs is answered with success (the message was received
and recorded).  An approver of the certificate's authority then keeps the recorded data or
replaces it with the incoming data, with a reason and an audit row.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import services as documents
from documents.models import Certificate, can_handle_certificate
from filings import audit
from portal.transactions import durable, top_level

from .models import CustomsConflict, OutboundMessage, WriteOff

KEEP, REPLACE = "keep", "replace"


def _write_off_values(*, quantity, item, declaration_date, port_code) -> dict:
    return {
        "quantity": str(Decimal(quantity).quantize(Decimal("0.001"))),
        "declaration_item": item,
        "declaration_date": declaration_date.isoformat(),
        "port_code": port_code,
    }


def write_off_conflict(*, write_off: WriteOff, data: dict, quantity, item) -> str | None:
    """None for an exact repeat; else records a conflict and returns what was done."""
    recorded = _write_off_values(
        quantity=write_off.quantity,
        item=write_off.declaration_item,
        declaration_date=write_off.declaration_date,
        port_code=write_off.port_code,
    )
    incoming = _write_off_values(
        quantity=quantity,
        item=item,
        declaration_date=data["declaration_date"],
        port_code=data["port_code"],
    )
    if recorded == incoming:
        return None
    context = {
        "declaration_number": write_off.declaration_number,
        "line_number": write_off.line.line_number,
    }
    CustomsConflict.objects.create(
        certificate_id=write_off.certificate_id,
        kind=CustomsConflict.Kind.WRITE_OFF,
        message_id=data["message_id"],
        write_off=write_off,
        recorded={**context, **recorded, "message_id": write_off.message_id},
        incoming={**context, **incoming},
    )
    return f"conflict recorded for {write_off.certificate.number}/{write_off.line.line_number}"


def receipt_conflict(*, message: OutboundMessage, data: dict) -> str | None:
    """A second receipt for a message already answered: None if it says the same."""
    if not message.receipt_result:
        return None
    result = "ACCEPTED" if data["accepted"] else "REJECTED"
    if result == message.receipt_result and data["reason"] == message.receipt_reason:
        return None
    CustomsConflict.objects.create(
        certificate_id=message.certificate_id,
        kind=CustomsConflict.Kind.RECEIPT,
        message_id=data["message_id"],
        outbound=message,
        recorded={
            "in_reply_to": message.message_id,
            "result": message.receipt_result,
            "reason": message.receipt_reason,
        },
        incoming={
            "in_reply_to": data["in_reply_to"],
            "system": data["system"],
            "number": data["number"],
            "result": result,
            "reason": data["reason"],
        },
    )
    return "conflict recorded: the receipt contradicts an earlier one"


def open_conflicts(certificate) -> list[CustomsConflict]:
    return list(certificate.customs_conflicts.filter(state=CustomsConflict.State.OPEN))


def open_by_line(certificate) -> dict:
    """Open write-off conflicts per certificate line id, for the ledger."""
    counts = {}
    for line_id in certificate.customs_conflicts.filter(
        state=CustomsConflict.State.OPEN, kind=CustomsConflict.Kind.WRITE_OFF
    ).values_list("write_off__line_id", flat=True):
        counts[line_id] = counts.get(line_id, 0) + 1
    return counts


def may_resolve(certificate, user) -> bool:
    """The certificate's correction/void permission: an approver of its authority."""
    return bool(user and user.is_authenticated and can_handle_certificate(certificate, user))


def _replace_write_off(conflict: CustomsConflict) -> None:
    write_off = WriteOff.objects.select_for_update().get(pk=conflict.write_off_id)
    new = conflict.incoming
    quantity = Decimal(new["quantity"])
    line = write_off.line
    others = line.write_offs.exclude(pk=write_off.pk).aggregate(total=Sum("quantity"))[
        "total"
    ] or Decimal(0)
    if others + quantity > line.quantity:
        raise ValidationError(
            _(
                "Replacing would write off %(total)s of line %(line)s, more than the licensed "
                "%(licensed)s: keep the recorded write-off or correct the certificate first."
            )
            % {
                "total": documents.quantity(others + quantity),
                "line": line.line_number,
                "licensed": documents.quantity(line.quantity),
            }
        )
    write_off.quantity = quantity
    write_off.declaration_item = new["declaration_item"]
    write_off.declaration_date = new["declaration_date"]
    write_off.port_code = new["port_code"]
    write_off.message_id = conflict.message_id
    write_off.exceeds_remainder = False
    write_off.save()
    write_off.refresh_from_db()


def _replace_receipt(conflict: CustomsConflict) -> None:
    from . import services  # services calls into this module: import at use

    OutboundMessage.objects.filter(pk=conflict.outbound_id).update(
        receipt_result="", receipt_reason=""
    )
    new = conflict.incoming
    services._apply_receipt(
        {
            "kind": "Receipt",
            "message_id": conflict.message_id,
            "in_reply_to": new["in_reply_to"],
            "system": new["system"],
            "number": new["number"],
            "accepted": new["result"] == "ACCEPTED",
            "reason": new["reason"],
        }
    )


@top_level(atomic=False)
def resolve(*, conflict: CustomsConflict, actor, decision: str, reason: str, request=None):
    """Keep the recorded data or replace it with the incoming; one audit row either way."""
    errors = {}
    if decision not in (KEEP, REPLACE):
        errors["decision"] = _("Choose to keep the recorded data or replace it.")
    if not str(reason or "").strip():
        errors["reason"] = _("Enter the reason for the decision.")
    if errors:
        raise ValidationError(errors)
    with durable():
        conflict = CustomsConflict.objects.select_for_update().get(pk=conflict.pk)
        certificate = Certificate.objects.select_for_update().get(pk=conflict.certificate_id)
        if not may_resolve(certificate, actor):
            raise PermissionDenied
        if not conflict.is_open:
            raise ValidationError(_("This conflict was already resolved."))
        if decision == REPLACE:
            if conflict.kind == CustomsConflict.Kind.WRITE_OFF:
                _replace_write_off(conflict)
            else:
                _replace_receipt(conflict)
        conflict.state = (
            CustomsConflict.State.REPLACED if decision == REPLACE else CustomsConflict.State.KEPT
        )
        conflict.reason = reason.strip()
        conflict.resolved_by = actor
        conflict.resolved_at = timezone.now()
        conflict.save()
        certificate.refresh_from_db()
        audit.record_fact(
            target=certificate,
            actor=actor,
            transition=f"customs_conflict_{decision}",
            state=certificate.customs_status,
            opinion=reason.strip(),
            request=request,
            filing=certificate.filing,
        )
    return conflict
