from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Invitation, Membership

from ..conftest import PASSWORD, client_for, sign_in


def invite(client, **overrides):
    data = {"name": "李四", "email": "li@example.cn", "modules": ["DRUG_PERMIT", "AV_IMPORT"]}
    data.update(overrides)
    return client.post(reverse("accounts:agents"), data)


@pytest.mark.django_db
def test_owner_invites_agent_who_accepts_and_signs_in(
    owner_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(owner_client)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    link = reverse("accounts:accept-invitation", args=[invitation.token])
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    page = owner_client.get(reverse("accounts:agents")).content.decode()
    assert link in page  # the owner can hand the link over directly

    response = client.post(
        link, {"username": "li-si", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert sign_in(client, "li-si", PASSWORD)
    workspace = client.get(reverse("accounts:workspace"))
    modules = {value: granted for value, _label, granted in workspace.context["modules"]}
    assert modules == {
        "DRUG_PERMIT": True,
        "AV_IMPORT": True,
        "AUTO_IMPORT_LICENCE": False,
        "EXPORT_DRUG_ARCHIVE": False,
    }
    # An invitation works once.
    again = client_for_anonymous().get(link)
    assert again.status_code == 410


def client_for_anonymous():
    from django.test import Client

    return Client()


@pytest.mark.django_db
def test_invitation_needs_a_module_and_a_valid_email(owner_client):
    response = invite(owner_client, modules=[], email="nope")
    html = response.content.decode()
    assert "请至少授权一个业务模块。" in html
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_expired_and_cancelled_invitations_do_not_work(owner, owner_client, client):
    invite(owner_client)
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    link = reverse("accounts:accept-invitation", args=[invitation.token])
    assert client.get(link).status_code == 410
    invite(owner_client, email="two@example.cn")
    second = Invitation.objects.get(email="two@example.cn")
    owner_client.post(reverse("accounts:invitation-cancel", args=[second.pk]))
    assert client.get(reverse("accounts:accept-invitation", args=[second.token])).status_code == 410


@pytest.mark.django_db
def test_owner_grants_and_revokes_modules(owner_client, agent):
    url = reverse("accounts:agent-modules", args=[agent.pk])
    owner_client.post(url, {f"{agent.pk}-modules": ["AUTO_IMPORT_LICENCE", "EXPORT_DRUG_ARCHIVE"]})
    assert sorted(agent.granted_modules()) == ["AUTO_IMPORT_LICENCE", "EXPORT_DRUG_ARCHIVE"]
    owner_client.post(url, {})
    assert agent.granted_modules() == []


@pytest.mark.django_db
def test_disabled_agent_cannot_sign_in(owner_client, agent, client):
    owner_client.post(reverse("accounts:agent-active", args=[agent.pk]), {"active": "0"})
    assert not sign_in(client, "agent-a", PASSWORD)
    owner_client.post(reverse("accounts:agent-active", args=[agent.pk]), {"active": "1"})
    assert sign_in(client, "agent-a", PASSWORD)


@pytest.mark.django_db
def test_agent_cannot_manage_agents_or_edit_the_enterprise(agent_client, agent):
    assert agent_client.get(reverse("accounts:agents")).status_code == 403
    url = reverse("accounts:agent-modules", args=[agent.pk])
    assert agent_client.post(url, {f"{agent.pk}-modules": ["AV_IMPORT"]}).status_code == 403
    assert agent.granted_modules() == ["DRUG_PERMIT"]
    response = agent_client.post(reverse("accounts:profile"), {"address": "x"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_another_enterprise_cannot_reach_my_agents(other_owner, agent, owner_client):
    intruder = client_for(other_owner)
    for name in ("accounts:agent-modules", "accounts:agent-active"):
        response = intruder.post(reverse(name, args=[agent.pk]), {"active": "0"})
        assert response.status_code == 404
    invite(owner_client, email="third@example.cn")
    invitation = Invitation.objects.get(email="third@example.cn")
    cancel = reverse("accounts:invitation-cancel", args=[invitation.pk])
    assert intruder.post(cancel).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).cancelled_at is None
    assert Membership.objects.get(pk=agent.pk).is_active
    page = intruder.get(reverse("accounts:agents")).content.decode()
    assert "agent-a" not in page and invitation.token not in page


@pytest.mark.django_db
def test_owner_edits_profile_with_validation(owner_client, owner):
    url = reverse("accounts:profile")
    bad = owner_client.post(
        url,
        {
            "address": "新地址",
            "contact_name": "赵六",
            "contact_phone": "abc",
            "contact_email": "z@example.cn",
            "trade_registration_number": "",
        },
    )
    assert bad.status_code == 200 and "新地址" in bad.content.decode()
    good = owner_client.post(
        url,
        {
            "address": "新地址",
            "contact_name": "赵六",
            "contact_phone": "13900001111",
            "contact_email": "z@example.cn",
            "trade_registration_number": "",
        },
    )
    assert good.status_code == 302
    owner.membership.enterprise.refresh_from_db()
    assert owner.membership.enterprise.address == "新地址"
    assert not owner.membership.enterprise.has_trade_registration
