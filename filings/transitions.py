"""How a system declares its state graph: django-fsm-2 transitions that carry their
own permission, guards and labels, read back by every page and service.

Three kinds of transition, each a thin wrapper around ``django_fsm.transition``
on the shared ``status`` field:

- ``filer_action``: the enterprise (owner, or an agent granted the module);
- ``decision``: an approver whose seat in this system and authority holds the
  acting level (the level of the stage the filing waits in, or ``levels``);
- ``system_step``: no user (customs answers, a voided certificate).

``custom`` carries what the pages need: ``label`` (the button), ``done`` (the
history line), and for decisions ``notice`` (the notice kind it sends),
``notice_once``, ``opinion_required``, ``advances`` (to the next configured
stage), ``issues_certificate`` and ``queue`` (``todo`` or ``withdrawals``).
"""

from django_fsm import transition

from portal.accounts.selectors import membership_of, seat_of

from . import registry

STATUS = "status"


def is_filer(filing, user) -> bool:
    """A member of the filing's enterprise who holds the filing's module."""
    membership = membership_of(user)
    return bool(
        membership
        and membership.enterprise_id == filing.enterprise_id
        and filing.system in membership.granted_modules()
    )


def seat_acts(filing, user, levels=None) -> bool:
    """An active seat of ``user`` in the filing's system and authority, at an acting level."""
    seat = seat_of(user, filing.system)
    if seat is None or seat.authority_id != filing.authority_id:
        return False
    if levels:
        return seat.level in levels
    stage = registry.get(filing.system).stage_for_state(filing.status)
    return bool(stage and stage.level == seat.level)


def filer_action(*, source, target, label, done, conditions=None, **custom):
    return transition(
        field=STATUS,
        source=source,
        target=target,
        conditions=conditions,
        permission=is_filer,
        custom={"actor": "filer", "label": label, "done": done, **custom},
    )


def decision(
    *,
    source,
    target,
    label,
    done,
    levels=None,
    notice=None,
    notice_once=False,
    opinion_required=True,
    advances=False,
    issues_certificate=False,
    queue="todo",
    conditions=None,
):
    """An approver's decision.  ``levels`` names who acts outside the stage states."""

    def permission(filing, user):
        return seat_acts(filing, user, levels)

    return transition(
        field=STATUS,
        source=source,
        target=target,
        conditions=conditions,
        permission=permission,
        custom={
            "actor": "approver",
            "label": label,
            "done": done,
            "levels": tuple(levels or ()),
            "notice": notice,
            "notice_once": notice_once,
            "opinion_required": opinion_required or bool(notice),
            "advances": advances,
            "issues_certificate": issues_certificate,
            "queue": queue,
        },
    )


def system_step(*, source, target, done, field=STATUS):
    return transition(
        field=field, source=source, target=target, custom={"actor": "system", "done": done}
    )


def transition_named(model, name: str):
    """The django-fsm-2 transition called ``name`` on ``model`` (any of its FSM fields)."""
    method = getattr(model, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None or not meta.transitions:
        return None
    return next(iter(meta.transitions.values()))


def label_for(model, name: str, *, done: bool = True) -> str:
    """What the history (``done``) or a button calls the transition ``name``."""
    found = transition_named(model, name) if model is not None else None
    if found is None:
        return name
    key = "done" if done else "label"
    return str(found.custom.get(key) or found.custom.get("label") or name)


def in_declaration_order(transitions) -> list:
    """django-fsm-2 lists transitions by name; pages show them as the model declares them."""
    return sorted(transitions, key=lambda t: t.method.__code__.co_firstlineno)


def available(filing, user, actor: str) -> list:
    """The transitions of one kind ``user`` may take on ``filing`` now, in order."""
    return in_declaration_order(
        t
        for t in filing.get_available_user_status_transitions(user)
        if t.custom.get("actor") == actor
    )
