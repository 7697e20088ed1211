"""Every list a user pages through, for every registered system: bad filter values and
foreign page cursors are messages on the page, never an error; nothing leaks across
authorities."""

import pytest
from django.urls import reverse

from filings import registry

from ..conftest import client_for
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


@pytest.mark.django_db
@pytest.mark.parametrize(("ns", "name"), list(admin_urls()))
def test_back_office_lists_answer_bad_input_with_a_message(owner, seeded, ns, name):
    _filing, chain = approved(owner, ns)
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
def test_enterprise_lists_answer_bad_input_with_a_message(owner, owner_client, seeded, ns, name):
    approved(owner, ns)
    url = reverse(f"{registry.get(ns).url_namespace}:{name}")
    for query in BAD:
        response = owner_client.get(url, query)
        assert response.status_code == 200, (url, query)
        html = response.content.decode()
        if "after" in query:
            assert "第一页" in html, (url, query)
        elif "date_from" in query:
            assert "未应用" in html, (url, query)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/notifications/", "/notifications/subscriptions/"])
def test_notification_lists_page_and_survive_bad_cursors(owner_client, path):
    for query in BAD:
        assert owner_client.get(path, query).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("ns", "name"), list(admin_urls()))
def test_another_authority_sees_none_of_it(owner, seeded, ns, name):
    application, chain = approved(owner, ns)
    url = reverse(f"{registry.get(ns).admin_slug}:{name}")
    html = client_for(chain["other-l1"]).get(url).content.decode()
    assert application.number not in html
    assert application.certificate.number not in html
