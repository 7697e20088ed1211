"""My filings (/filings/): one list across the systems a user may use, searched by any of
a filing's numbers; and the approver's seats with their waiting counts."""

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from filings.models import Filing
from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.reference.models import Authority, Module
from workflows import my_filings
from workflows.my_filings import next_step

from .. import drug_permit_helpers as drug
from ..conftest import PASSWORD, USCC_BEIJING, USCC_SHANGHAI, client_for, make_enterprise
from ..systems import SCENARIOS

URL = "/filings/"
SYSTEMS = (Module.DRUG_PERMIT, Module.AV_IMPORT, Module.AUTO_IMPORT_LICENCE)


@pytest.fixture(scope="module")
def world(module_db, django_db_blocker):
    """An owner with an approved drug permit, an approved AV import, an issued licence and a
    drug permit draft; its agent granted drug permits only; another enterprise's draft.
    Made once for the module (the tests only read them)."""
    with django_db_blocker.unblock():
        owner = make_enterprise(USCC_BEIJING, "owner-a", name_zh="甲公司").user
        filings = {}
        for key in SYSTEMS:
            scenario = SCENARIOS[key]
            filings[key] = scenario.approved(owner, scenario.chains(), scenario.authority()).pk
        drug_authority = Authority.objects.get(code="DA-110000")
        filings["draft"] = drug.draft(owner, drug_authority).pk
        invitation = accounts.invite_agent(
            owner=owner,
            name="经办人",
            email="agent@example.cn",
            modules=[Module.DRUG_PERMIT],
            accept_url_base="http://testserver",
        )
        agent = accounts.accept_invitation(
            invitation=invitation, username="agent-a", password=PASSWORD
        ).user
        other = make_enterprise(USCC_SHANGHAI, "owner-b", name_zh="乙公司").user
        filings["other"] = drug.draft(other, drug_authority).pk
    return {"owner": owner.pk, "agent": agent.pk, "other": other.pk, "filings": filings}


def user(world, role):
    return User.objects.get(pk=world[role])


def filing(world, key):
    found = Filing.objects.get(pk=world["filings"][key])
    return found.declaration.model.objects.get(pk=found.pk)


def numbers_in(html: str) -> set[str]:
    return set(re.findall(r'data-number="([^"]+)"', html))


def page(world, role, query=None):
    response = client_for(user(world, role)).get(URL, query or {})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.django_db
def test_the_owner_sees_every_system_with_its_status_authority_certificate_and_next_step(world):
    html = page(world, "owner")
    everything = {filing(world, key).number for key in (*SYSTEMS, "draft")}
    assert numbers_in(html) == everything
    for key in SYSTEMS:
        shown = filing(world, key)
        system = shown.declaration
        row = re.search(rf'<tr data-number="{shown.number}".*?</tr>', html, re.S).group(0)
        detail = reverse(f"{system.url_namespace}:detail", args=[shown.number])
        assert f'href="{detail}"' in row
        assert f'<td class="status">{system.status_label(shown.status)}</td>' in row
        assert str(system.label) in row
        assert shown.authority.name_zh in row
        assert shown.certificate.number in row
    draft = filing(world, "draft")
    row = re.search(rf'<tr data-number="{draft.number}".*?</tr>', html, re.S).group(0)
    assert next_step(draft) in row and next_step(draft)
    # The workspace and the site's navigation lead here.
    workspace = client_for(user(world, "owner")).get(reverse("accounts:workspace"))
    assert f'href="{URL}"' in workspace.content.decode()


@pytest.mark.django_db
def test_an_agent_sees_only_the_systems_granted(world):
    html = page(world, "agent")
    assert numbers_in(html) == {filing(world, k).number for k in (Module.DRUG_PERMIT, "draft")}
    # The system filter offers only what the agent may use; another is not applied.
    assert 'value="AV_IMPORT"' not in html
    html = page(world, "agent", {"system": Module.AV_IMPORT})
    assert "未应用" in html
    assert filing(world, Module.AV_IMPORT).number not in html


@pytest.mark.django_db
def test_another_enterprise_sees_none_of_it_and_strangers_sign_in_first(world):
    html = page(world, "other")
    assert numbers_in(html) == {filing(world, "other").number}
    response = Client().get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_search_by_any_number_is_exact(world):
    drug_permit = filing(world, Module.DRUG_PERMIT)
    av_import = filing(world, Module.AV_IMPORT)
    auto_licence = filing(world, Module.AUTO_IMPORT_LICENCE)
    assert auto_licence.bureau_number
    for number, expected in [
        (drug_permit.number, drug_permit),
        (drug_permit.certificate.number, drug_permit),
        (auto_licence.certificate.number, auto_licence),
        (av_import.approval_number, av_import),
        (f"  {auto_licence.bureau_number} ", auto_licence),
    ]:
        assert numbers_in(page(world, "owner", {"number": number})) == {expected.number}, number
    assert numbers_in(page(world, "owner", {"number": drug_permit.number[:-1]})) == set()
    # Another enterprise's numbers find nothing; an agent finds nothing outside its modules.
    assert numbers_in(page(world, "other", {"number": drug_permit.number})) == set()
    assert numbers_in(page(world, "agent", {"number": av_import.approval_number})) == set()


@pytest.mark.django_db
def test_filters_by_system_status_authority_and_dates(world):
    av_import = filing(world, Module.AV_IMPORT)
    assert numbers_in(page(world, "owner", {"system": Module.AV_IMPORT})) == {av_import.number}
    assert numbers_in(page(world, "owner", {"status": "DRAFT"})) == {filing(world, "draft").number}
    by_office = page(world, "owner", {"authority": av_import.authority.code})
    assert numbers_in(by_office) == {av_import.number}
    created = timezone.localdate(av_import.created_at).isoformat()  # the filter reads local days
    everything = page(world, "owner", {"date_from": created, "date_to": created})
    assert av_import.number in numbers_in(everything)
    assert numbers_in(page(world, "owner", {"date_to": "2000-01-01"})) == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"created_after": "garbage", "system": "nope", "cursor": "xyz"},
        {"date_from": "garbage", "date_to": "2026-02-31", "status": "NOPE", "after": "xyz"},
        {"authority": "NOPE", "before": "WyJub3QgYSBkYXRlIiwgIjEiXQ", "number": "x" * 3000},
    ],
)
def test_bad_filter_values_are_a_message(world, query):
    html = page(world, "owner", query)
    assert "未应用" in html or "第一页" in html
    if "after" in query or "before" in query:
        assert "第一页" in html


@pytest.mark.django_db
def test_pages_through_by_cursor(world, monkeypatch):
    monkeypatch.setattr(my_filings, "PER_PAGE", 3)
    client = client_for(user(world, "owner"))
    first = client.get(URL).content.decode()
    assert len(numbers_in(first)) == 3
    after = re.search(r'rel="next" href="\?after=([^"]+)"', first).group(1)
    second = client.get(URL, {"after": after}).content.decode()
    assert len(numbers_in(second)) == 1 and not numbers_in(first) & numbers_in(second)
    assert 'rel="next"' not in second and 'rel="prev"' in second


@pytest.mark.django_db
def test_next_step_reads_the_declaration(world):
    drug_permit = filing(world, Module.DRUG_PERMIT)
    stage = drug_permit.declaration.stage_for_state("FIRST_REVIEW")

    def in_state(status):
        return SimpleNamespace(
            system=drug_permit.system, status=status, authority=drug_permit.authority
        )

    with translation.override("en"):
        assert next_step(filing(world, "draft")) == "Complete and submit"
        assert next_step(drug_permit) == ""  # approved: nothing left to do
        assert next_step(in_state("SUPPLEMENT_REQUIRED")) == (
            "Replace the marked attachments and resubmit"
        )
        assert next_step(in_state("FIRST_REVIEW")) == (
            f"Waiting for {stage.label} at {drug_permit.authority.localized_name}"
        )
        assert next_step(in_state("WITHDRAWAL_PENDING")) == "With the authority"
