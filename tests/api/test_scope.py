"""Scoped exactly as the web: another enterprise's filing is a 404 on every endpoint;
approvers' and regulators' tokens see nothing of enterprises' drafts; no token, a
revoked token or a session cookie alone is a 401."""

import pytest
from django.test import Client

from filings import registry
from filings.models import Filing
from tests import drug_permit_helpers as drug
from tests.conftest import client_for
from tests.systems import SCENARIOS

from .helpers import ApiClient, drug_header, drug_line

pytestmark = pytest.mark.django_db

APPS = "/drug-permits/applications"


def _calls(api, number, line_id, attachment_id):
    base = f"{APPS}/{number}"
    return {
        "retrieve": lambda: api.get(base),
        "update": lambda: api.patch(base, {"remarks": "x"}),
        "delete": lambda: api.delete(base),
        "submit": lambda: api.post(f"{base}/submit", **{"X-Second-Factor": "123456"}),
        "withdraw": lambda: api.post(f"{base}/withdraw"),
        "copy": lambda: api.post(f"{base}/copy", {}),
        "lines": lambda: api.get(f"{base}/lines"),
        "line_add": lambda: api.post(f"{base}/lines", drug_line()),
        "line_update": lambda: api.patch(f"{base}/lines/{line_id}", {"quantity": "1"}),
        "line_delete": lambda: api.delete(f"{base}/lines/{line_id}"),
        "attachments": lambda: api.get(f"{base}/attachments"),
        "upload": lambda: api.upload(f"{base}/attachments", {"file": drug.pdf()}),
        "download": lambda: api.get(f"{base}/attachments/{attachment_id}"),
        "attachment_delete": lambda: api.delete(f"{base}/attachments/{attachment_id}"),
    }


@pytest.fixture
def owners_draft(chain, owner, authority):
    application = drug.complete_draft(owner, authority)
    line = drug.system().lines_of(application).first()
    attachment = application.attachments.first()
    return application, line.pk, attachment.pk


def test_another_enterprise_gets_404_on_every_endpoint(owners_draft, other_owner):
    application, line_id, attachment_id = owners_draft
    api = ApiClient(other_owner)
    for name, call in _calls(api, application.number, line_id, attachment_id).items():
        response = call()
        assert response.status_code == 404, (name, response.status_code, response.content)
        assert response.json()["code"] == "not_found"
    assert api.get(APPS).json()["results"] == []
    application.refresh_from_db()
    assert application.status == "DRAFT" and drug.system().lines_of(application).count() == 1


def test_approver_and_regulator_tokens_see_no_enterprise_draft(owners_draft, chain, make_regulator):
    application, line_id, attachment_id = owners_draft
    for user in (chain[1], chain["admin"], make_regulator("reg-api").user):
        api = ApiClient(user)
        assert api.get(APPS).json()["results"] == []
        for name, call in _calls(api, application.number, line_id, attachment_id).items():
            response = call()
            assert response.status_code == 404, (user, name, response.content)
        created = api.post(APPS, drug_header())
        assert created.status_code == 403 and created.json()["code"] == "module_not_granted"


def test_no_token_a_bad_or_revoked_token_or_a_session_is_401(chain, owner):
    assert Client().get(f"/api/v1{APPS}").status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer wagtail_nonsense").get(f"/api/v1{APPS}")
    assert bad.status_code == 401 and bad.json()["code"] == "not_authenticated"
    assert bad.json()["messages"]["en"]
    # A signed-in browser session never counts: the API reads bearer tokens only.
    assert client_for(owner).get(f"/api/v1{APPS}").status_code == 401
    api = ApiClient(owner)
    assert api.get(APPS).status_code == 200
    api.token.revoke()
    assert api.get(APPS).status_code == 401


@pytest.mark.parametrize("key", [s.key for s in registry.all_systems()])
def test_every_systems_endpoints_are_404_to_another_enterprise(key, owner, other_owner):
    system = registry.get(key)
    scenario = SCENARIOS[key]
    scenario.chains()
    draft = scenario.draft(owner, scenario.authority())
    base = f"/{system.slug}/applications/{draft.number}"
    stranger = ApiClient(other_owner)
    calls = [
        stranger.get(base),
        stranger.patch(base, {}),
        stranger.delete(base),
        stranger.post(f"{base}/submit", **{"X-Second-Factor": "123456"}),
        stranger.post(f"{base}/withdraw"),
        stranger.post(f"{base}/copy", {}),
        stranger.get(f"{base}/notices"),
    ]
    if system.line_form is not None:
        calls += [stranger.get(f"{base}/lines"), stranger.delete(f"{base}/lines/1")]
    if system.attachments:
        calls += [stranger.get(f"{base}/attachments"), stranger.get(f"{base}/attachments/1")]
    if system.issues_certificate:
        calls.append(stranger.get(f"{base}/certificate"))
    assert [c.status_code for c in calls] == [404] * len(calls)
    assert stranger.get(f"/{system.slug}/applications").json()["results"] == []
    assert Filing.objects.filter(pk=draft.pk, status=system.draft_state).exists()


def test_regulators_read_submitted_records_of_their_jurisdiction_only(owner, make_regulator):
    from tests.export_drug_archives import helpers as archive

    record = archive.submitted_by_complete(owner)
    draft = archive.draft(owner, approval_number="国药准字H20269999")
    base = "/export-drug-archives/regulated/applications"
    beijing = ApiClient(make_regulator("reg-bj").user)
    assert [r["number"] for r in beijing.get(base).json()["results"]] == [record.number]
    assert beijing.get(f"{base}/{record.number}").json()["status"] == record.status
    assert beijing.get(f"{base}/{draft.number}").status_code == 404
    assert beijing.get(base, uscc=record.enterprise.uscc).json()["results"]
    for other in (
        make_regulator("reg-sh", code="310000").user,
        make_regulator("reg-noright", modules=()).user,
    ):
        api = ApiClient(other)
        assert api.get(base).json()["results"] == []
        assert api.get(f"{base}/{record.number}").status_code == 404
    # The filer's side stays the filer's: a regulator's token reaches none of it.
    assert beijing.get(f"/export-drug-archives/applications/{record.number}").status_code == 404
