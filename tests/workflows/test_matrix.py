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
from portal.accounts.models import User

from ..conftest import PASSWORD, USCC_BEIJING, USCC_SHANGHAI, make_enterprise
from ..systems import SCENARIOS

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


def _agent(owner, username, modules):
    invitation = accounts.invite_agent(
        owner=owner,
        name=username,
        email=f"{username}@example.cn",
        modules=modules,
        accept_url_base="",
    )
    return accounts.accept_invitation(
        invitation=invitation, username=username, password=PASSWORD
    ).user


@pytest.fixture(scope="module")
def people(module_db, django_db_blocker):
    """Every system's actors, made once for the module: {system key: {role: user id}}.

    Each test reads them afresh and rolls back whatever it changed.
    """
    with django_db_blocker.unblock():
        owner = make_enterprise(USCC_BEIJING, "owner-a", name_zh="甲公司").user
        other_owner = make_enterprise(USCC_SHANGHAI, "sh-owner").user
        people = {}
        for system in registry.all_systems():
            if system.key not in SCENARIOS:
                continue  # the test says what is missing
            chain = SCENARIOS[system.key].chains()
            others = [k.key for k in registry.all_systems() if k.key != system.key]
            actors = {
                "owner": owner,
                "agent": _agent(owner, f"granted-{system.key}", [system.key]),
                "ungranted-agent": _agent(owner, f"ungranted-{system.key}", others),
                "other-owner": other_owner,
                **{level: chain.get(level) for level in LEVELS},
                "other-l1": chain["other-l1"],
            }
            people[system.key] = {r: u.pk for r, u in actors.items() if u is not None}
    return people


@pytest.mark.django_db
@pytest.mark.parametrize(("system_key", "state", "name"), list(cases()))
def test_every_state_transition_and_role(system_key, state, name, people):
    system = registry.get(system_key)
    if system_key not in SCENARIOS:
        pytest.fail(f"Add a scenario for {system_key} to tests/systems.py.")
    scenario = SCENARIOS[system_key]
    authority = scenario.authority()
    users = User.objects.in_bulk(people[system_key].values())
    actors = {role: users[pk] for role, pk in people[system_key].items()}
    owner = actors["owner"]
    roles = [r for r in ROLES if r in actors]
    filing = scenario.draft(owner, authority)
    system.model.objects.filter(pk=filing.pk).update(status=state)
    by_source = {t.source: t for t in _transitions(system) if t.name == name}
    for role in roles:
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
