"""The append-only history: one row per status change, written in the change's
transaction; listeners (status push) hear of it only once that transaction commits."""

from dataclasses import dataclass
from functools import partial

from django.db import transaction

from portal.accounts.selectors import seat_of

from .models import AuditEntry, Filing
from .transitions import transition_named

_listeners = []

# Rows that record a fact about a change already made (the bytes an issued document was
# kept as), not a change of status: nobody is notified of them.
DOCUMENT_ISSUED = "document_issued"
# Someone read the record: an inspector's export of its whole history.  Shown in that
# export, not in the pages' history (the enterprise is not told who inspected it).
HISTORY_EXPORTED = "history_exported"
# 老版录入: a certificate issued earlier on paper was keyed in (its sending follows).
CERTIFICATE_ENTERED = "certificate_entered"
READS = frozenset({HISTORY_EXPORTED})
# The authority's own work on a filing, never shown or sent to the enterprise: an
# approver's internal case note.  In the approvers' history and the inspector's export.
CASE_NOTE_ADDED = "case_note_added"
INTERNAL = frozenset({CASE_NOTE_ADDED})
RECORD_ONLY = frozenset({DOCUMENT_ISSUED}) | READS | INTERNAL


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


def record_fact(*, state: str, **kwargs) -> AuditEntry:
    """A row for something done that leaves the target in ``state`` (a note, an export,
    a conflict resolved, a document issued): ``record`` with that state before and after."""
    return record(from_state=state, to_state=state, **kwargs)


def history(obj):
    """Every recorded change of ``obj``, oldest first, with who made it (reads left out)."""
    return (
        AuditEntry.objects.for_object(obj)
        .exclude(transition__in=READS)
        .select_related("actor", "filing")
    )


@dataclass(frozen=True)
class EnterpriseStep:
    """One row of what the enterprise sees of its filing's history."""

    created_at: object
    action_label: str
    level_label: str
    status_label: str
    # Only an opinion sent to the enterprise in a notice (with its number); else "".
    opinion: str
    notice_number: str
    # The enterprise's own people by name; approvers and the system stay unnamed.
    actor_name: str


def history_for_enterprise(filing) -> list[EnterpriseStep]:
    """What the enterprise may read of the review of ``filing``: each step, the status
    it left and when, and only the opinions a notice carried to it.  Opinions not sent
    in a notice (levels 2-3, a final decision without a notice, the system's reasons),
    who reviewed, and the authority's internal rows (``INTERNAL``) stay on its side."""
    declaration = filing.declaration
    steps = []
    for entry in history(filing).exclude(transition__in=INTERNAL):
        told = bool(entry.notice_number)
        found = transition_named(declaration.model, entry.transition)
        by_filer = found is not None and found.custom.get("actor") == "filer"
        steps.append(
            EnterpriseStep(
                created_at=entry.created_at,
                action_label=entry.action_label,
                level_label=entry.level_label,
                status_label=declaration.status_label(entry.to_state),
                opinion=entry.opinion if told else "",
                notice_number=entry.notice_number,
                actor_name=entry.actor_name if by_filer else "",
            )
        )
    return steps
