"""Every list a user pages through, for every registered system: bad filter values and
foreign page cursors are messages on the page, never an error; nothing leaks across
authorities."""

import pytest
from django.urls import reverse

from filings import registry

from ..conftest import client_for
from ..drug_permit_helpers import decide_all

BAD = [
    {"date_from": "abc", "date_to": "2026-02-31"},
    {"status": "NO_SUCH_STATUS", "kind": "NOPE"},
    {"after": "garbage"},
    {"before": "WyJub3QgYSBkYXRlIiwgIjEiXQ"},
    {"flagged": "2", "number": "x" * 3000},
]
ADMIN_LISTS = ["todo", "withdrawals", "query", "certificates", "notices", "sign_off", "write_offs"]
FILER_LISTS = ["list", "write-offs"]


def admin_urls():
    for system in registry.all_systems():
        if system.stages:
            for name in ADMIN_LISTS:
                yield pytest.param(system.admin_slug, name, id=f"{system.admin_slug}-{name}")


def filer_urls():
    for system in registry.all_systems():
        for name in FILER_LISTS:
            yield pytest.param(system.url_namespace, name, id=f"{system.url_namespace}-{name}")


@pytest.mark.django_db
@pytest.mark.parametrize(("ns", "name"), list(admin_urls()))
def test_back_office_lists_answer_bad_input_with_a_message(chain, owner, authority, ns, name):
    decide_all(owner, chain, authority)
    client = client_for(chain[1])
    url = reverse(f"{ns}:{name}")
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
def test_enterprise_lists_answer_bad_input_with_a_message(
    chain, owner, owner_client, authority, ns, name
):
    decide_all(owner, chain, authority)
    url = reverse(f"{ns}:{name}")
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
def test_another_authority_sees_none_of_it(chain, owner, authority, ns, name):
    application = decide_all(owner, chain, authority)
    html = client_for(chain["other-l1"]).get(reverse(f"{ns}:{name}")).content.decode()
    assert application.number not in html
    assert application.certificate.number not in html
