"""One state × transition × role matrix, generated from each registered system's declaration.

For every state of a system, every transition of its state graph and every
role (the filer, an agent granted or not, another enterprise, each level's
seat, a seat of another authority), the runtime answer must be the declared
one: the transition runs when its source, its kind of actor and (for
decisions) the acting level say so, and is refused otherwise, leaving the
state unchanged.  A new system is covered by registering it.
"""

import pytest
from django.core.exceptions import PermissionDenied

from filings import registry
from filings.runner import AlreadyHandled, run_transition
from portal.accounts import services as accounts

from ..conftest import USCC_SHANGHAI, make_enterprise
from ..drug_permit_helpers import draft as drug_permit_draft

# How each system's tests make a draft filing (owner, authority) -> filing.  A new
# system adds its builder here; the matrix then covers it.
FACTORIES = {"DRUG_PERMIT": drug_permit_draft}

LEVELS = (1, 2, 3, 4)
ROLES = ["owner", "agent", "ungranted-agent", "other-owner", *LEVELS, "other-l1"]


def allowed(system, transition, state, role) -> bool:
    """What the declaration says: may ``role`` take ``transition`` from ``state``?"""
    if transition.source != state:
        return False
    actor = transition.custom.get("actor")
    if actor == "filer":
        return role in ("owner", "agent")
    if actor == "approver":
        return isinstance(role, int) and role in system.acting_levels(
            state, queue=transition.custom.get("queue", "todo")
        )
    return False  # system steps: no user may take them


def _kwargs(system, transition, state):
    if transition.custom.get("advances"):
        stage = system.stage_for_state(state)
        following = system.next_state(after_level=stage.level, enabled=system.levels)
        return {"next_state": following}
    return {}


def _transitions(system):
    return [t for t in system.transitions() if t.custom.get("actor") in ("filer", "approver")]


def cases():
    for system in registry.all_systems():
        for state in system.statuses.values:
            for name in dict.fromkeys(t.name for t in _transitions(system)):
                yield pytest.param(system.key, state, name, id=f"{system.key}-{state}-{name}")


@pytest.mark.django_db
@pytest.mark.parametrize(("system_key", "state", "name"), list(cases()))
def test_every_state_transition_and_role(system_key, state, name, chain, owner, agent, authority):
    system = registry.get(system_key)
    if system_key not in FACTORIES:
        pytest.fail(f"Add a draft builder for {system_key} to FACTORIES.")
    ungranted = accounts.accept_invitation(
        invitation=accounts.invite_agent(
            owner=owner,
            name="无权",
            email="n@example.cn",
            modules=[k for k in ("AV_IMPORT",) if k != system_key],
            accept_url_base="",
        ),
        username="ungranted",
        password=None,
    ).user
    actors = {
        "owner": owner,
        "agent": agent.user,
        "ungranted-agent": ungranted,
        "other-owner": make_enterprise(USCC_SHANGHAI, "sh-owner").user,
        **{level: chain[level] for level in LEVELS},
        "other-l1": chain["other-l1"],
    }
    filing = FACTORIES[system_key](owner, authority)
    system.model.objects.filter(pk=filing.pk).update(status=state)
    by_source = {t.source: t for t in _transitions(system) if t.name == name}
    for role in ROLES:
        subject = system.model.objects.get(pk=filing.pk)
        transition = by_source.get(state)
        permitted = transition is not None and allowed(system, transition, state, role)
        kwargs = _kwargs(system, transition, state) if transition else {}
        if permitted:
            run_transition(target=subject, actor=actors[role], name=name, **kwargs)
            assert system.model.objects.get(pk=filing.pk).status != state or not kwargs
            system.model.objects.filter(pk=filing.pk).update(status=state)
        else:
            with pytest.raises((PermissionDenied, AlreadyHandled)):
                run_transition(target=subject, actor=actors[role], name=name, **kwargs)
            assert system.model.objects.get(pk=filing.pk).status == state
