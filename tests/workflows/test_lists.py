"""Every list a user pages through, for every registered system: bad filter values and
foreign page cursors are messages on the page, never an error; nothing leaks across
authorities."""

import pytest
from django.urls import reverse

from filings import registry
from portal.accounts.models import User

from ..conftest import USCC_BEIJING, client_for, make_enterprise
from ..systems import SCENARIOS

BAD = [
    {"date_from": "abc", "date_to": "2026-02-31"},
    {"status": "NO_SUCH_STATUS", "kind": "NOPE"},
    {"after": "garbage"},
    {"before": "WyJub3QgYSBkYXRlIiwgIjEiXQ"},
    {"flagged": "2", "number": "x" * 3000},
]


def admin_lists(system):
    yield "todo"
    if system.has_queue("withdrawals"):
        yield "withdrawals"
    yield from ("query", "notices", "sign_off")
    if system.issues_certificate:
        yield "certificates"
    if system.sends_to_customs:
        yield "write_offs"


def admin_urls():
    for system in registry.all_systems():
        if system.stages:
            for name in admin_lists(system):
                yield pytest.param(system.key, name, id=f"{system.admin_slug}-{name}")


def filer_urls():
    for system in registry.all_systems():
        for name in ["list", *(["write-offs"] if system.sends_to_customs else [])]:
            yield pytest.param(system.key, name, id=f"{system.url_namespace}-{name}")


def approved(owner, key):
    scenario = SCENARIOS[key]
    chains = scenario.chains()
    return scenario.approved(owner, chains, scenario.authority()), chains


@pytest.fixture(scope="module")
def world(module_db, django_db_blocker):
    """The filer and, for every system, its approvers and one approved filing; made once
    for the module (the tests only read them)."""
    with django_db_blocker.unblock():
        owner = make_enterprise(USCC_BEIJING, "owner-a", name_zh="甲公司").user
        systems = {}
        for system in registry.all_systems():
            filing, chain = approved(owner, system.key)
            systems[system.key] = (filing.pk, {role: user.pk for role, user in chain.items()})
    return owner.pk, systems


def reading(world, key):
    """The filer, the system's approved filing and its approvers, read afresh."""
    owner_pk, systems = world
    filing_pk, chain = systems[key]
    filing = registry.get(key).model.objects.get(pk=filing_pk)
    return (
        User.objects.get(pk=owner_pk),
        filing,
        {r: User.objects.get(pk=u) for r, u in chain.items()},
    )


@pytest.fixture
def world_owner_client(world):
    return client_for(User.objects.get(pk=world[0]))


@pytest.mark.django_db
@pytest.mark.parametrize(("ns", "name"), list(admin_urls()))
def test_back_office_lists_answer_bad_input_with_a_message(world, ns, name):
    _owner, _filing, chain = reading(world, ns)
    client = client_for(chain[1])
    url = reverse(f"{registry.get(ns).admin_slug}:{name}")
    for query in BAD:
        response = client.get(url, query)
        assert response.status_code == 200, (url, query)
        html = response.content.decode()
        if "after" in query or "before" in query:
            assert "第一页" in html, (url, query)
        elif "date_from" in query:
            assert "未应用" in html, (url, query)


@pytest.mark.django_db
@pytest.mark.parametrize(("ns", "name"), list(filer_urls()))
def test_enterprise_lists_answer_bad_input_with_a_message(world, world_owner_client, ns, name):
    url = reverse(f"{registry.get(ns).url_namespace}:{name}")
    for query in BAD:
        response = world_owner_client.get(url, query)
        assert response.status_code == 200, (url, query)
        html = response.content.decode()
        if "after" in query:
            assert "第一页" in html, (url, query)
        elif "date_from" in query:
            assert "未应用" in html, (url, query)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/notifications/", "/notifications/subscriptions/"])
def test_notification_lists_page_and_survive_bad_cursors(world_owner_client, path):
    for query in BAD:
        assert world_owner_client.get(path, query).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("ns", "name"), list(admin_urls()))
def test_another_authority_sees_none_of_it(world, ns, name):
    _owner, application, chain = reading(world, ns)
    url = reverse(f"{registry.get(ns).admin_slug}:{name}")
    html = client_for(chain["other-l1"]).get(url).content.decode()
    assert application.number not in html
    assert application.certificate.number not in html
