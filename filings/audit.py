"""The append-only history: one row per status change, written in the change's
transaction; listeners (status push) hear of it only once that transaction commits."""

from functools import partial

from django.db import transaction

from portal.accounts.selectors import seat_of

from .models import AuditEntry, Filing

_listeners = []

# Rows that record a fact about a change already made (the bytes an issued document was
# kept as), not a change of status: nobody is notified of them.
DOCUMENT_ISSUED = "document_issued"
# Someone read the record: an inspector's export of its whole history.  Shown in that
# export, not in the pages' history (the enterprise is not told who inspected it).
HISTORY_EXPORTED = "history_exported"
READS = frozenset({HISTORY_EXPORTED})
RECORD_ONLY = frozenset({DOCUMENT_ISSUED}) | READS


def listen(callback) -> None:
    """``callback(entry_id)`` runs after the transaction of each recorded change commits.

    The layers above register here at start (notifications publishes the
    event), so this layer never imports them.
    """
    if callback not in _listeners:
        _listeners.append(callback)


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
    filing=None,
    revision=None,
    sha256: str = "",
) -> AuditEntry:
    """Append one history row; called inside the service's transaction."""
    if filing is None and isinstance(target, Filing):
        filing = target
    seat = seat_of(actor, filing.system) if actor is not None and filing is not None else None
    entry = AuditEntry.objects.create(
        target=target,
        filing=filing,
        actor=actor,
        actor_display=(actor.get_full_name() or actor.get_username()) if actor else "",
        seat_level=seat.level if seat else None,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        opinion=opinion,
        notice_number=notice_number,
        ip_address=client_ip(request),
        revision=revision,
        sha256=sha256,
    )
    for listener in _listeners:
        transaction.on_commit(partial(listener, entry.pk))
    return entry


def history(obj):
    """Every recorded change of ``obj``, oldest first, with who made it (reads left out)."""
    return (
        AuditEntry.objects.for_object(obj)
        .exclude(transition__in=READS)
        .select_related("actor", "filing")
    )
