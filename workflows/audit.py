from .models import AuditEntry


def client_ip(request) -> str | None:
    """The address django-axes resolved for this request (proxy-aware), else REMOTE_ADDR."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


def record(
    *,
    target,
    actor,
    transition: str,
    from_state: str,
    to_state: str,
    opinion: str = "",
    notice_number: str = "",
    request=None,
) -> AuditEntry:
    """Append one history row for a status change; called inside the service's transaction."""
    seat = getattr(actor, "approver_seat", None) if actor is not None else None
    entry = AuditEntry.objects.create(
        target=target,
        actor=actor,
        seat_level=seat.level if seat else None,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        opinion=opinion,
        notice_number=notice_number,
        ip_address=client_ip(request),
    )
    from notifications.services import on_status_change

    on_status_change(entry)  # published once the transaction commits, never if it rolls back
    return entry
