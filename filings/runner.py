"""Runs one transition of any model with a protected FSM field: one transaction, the
transition's state and permission checks, the optimistic lock, the audit row."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from . import audit
from .models import AuditEntry


class AlreadyHandled(Exception):
    """Someone else changed it first; this action was not applied.  The text says who and when.

    The text is read from the database when it is shown, after the failed
    transaction rolled back (inside it, no query may run).
    """

    def __init__(self, message: str = "", *, target=None):
        super().__init__(message)
        self.message, self.target = message, target

    def __str__(self):
        # Read each time it is shown: in the language then active (the API shows it in
        # Chinese and in English).
        if not self.message and self.target is not None:
            return _describe(self.target)
        return self.message


def _describe(target) -> str:
    """By whom, when, and what it is now (for a lost race or a stale page)."""
    fresh = type(target)._default_manager.filter(pk=target.pk).first()
    last = (
        AuditEntry.objects.for_object(target)
        .exclude(transition__in=audit.RECORD_ONLY)
        .select_related("actor")
        .last()
    )
    if fresh is None or last is None:
        return str(_("This was already handled; refresh to see its status."))
    state = getattr(fresh, "status_label", None) or fresh.get_status_display()
    who = last.actor_name or _("the system")
    when = timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M")
    return _("Already handled by %(who)s at %(when)s (%(action)s). It is now: %(state)s.") % {
        "who": who,
        "when": when,
        "action": last.action_label,
        "state": state,
    }


def already_handled(target) -> AlreadyHandled:
    """The error for a lost race or a stale page; its text is read when it is shown."""
    return AlreadyHandled(target=target)


def field_of(bound_method) -> str:
    return bound_method._django_fsm.field.name


@transaction.atomic
def run_transition(
    *,
    target,
    actor,
    name: str,
    opinion: str = "",
    notice_number: str = "",
    request=None,
    filing=None,
    revision=None,
    **kwargs,
):
    """Apply ``target.<name>(**kwargs)`` and record it; returns the audit entry.

    ``actor`` None is the system itself (customs, a voided certificate); any
    user must hold the transition's permission.
    """
    method = getattr(target, name)
    if not can_proceed(method):
        raise already_handled(target)
    if actor is not None and not has_transition_perm(method, actor):
        raise PermissionDenied
    field = field_of(method)
    from_state = getattr(target, field)
    method(**kwargs)
    try:
        target.save()
    except ConcurrentTransition as error:
        raise already_handled(target) from error
    return audit.record(
        target=target,
        actor=actor,
        transition=name,
        from_state=from_state,
        to_state=getattr(target, field),
        opinion=opinion,
        notice_number=notice_number,
        request=request,
        filing=filing,
        revision=revision,
    )
