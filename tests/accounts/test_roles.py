import pytest
from django.test import Client
from django.urls import reverse

from ..conftest import PASSWORD, USCC_SHANGHAI, make_enterprise


@pytest.mark.django_db
def test_login_lands_each_role_in_its_place(owner, authority, client):
    from portal.accounts import services

    services.create_approver(
        username="l2", password=PASSWORD, authority=authority, system="DRUG_PERMIT", level=2
    )
    # An approver's first stop is enrolling an authenticator, then the back office.
    enrol = reverse("accounts:second-factor-enrol") + "?next=%2Fadmin%2F"
    cases = {"owner-a": reverse("accounts:workspace"), "l2": enrol}
    for username, target in cases.items():
        c = Client()
        response = c.post(
            reverse("accounts:login"), {"username": username, "password": PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == target


@pytest.mark.django_db
def test_wrong_password_gets_a_message_in_chinese(client, owner):
    response = client.post(reverse("accounts:login"), {"username": "owner-a", "password": "x"})
    assert "用户名或密码错误" in response.content.decode()


@pytest.mark.django_db
def test_enterprise_users_have_no_back_office(owner_client, agent_client):
    for c in (owner_client, agent_client):
        response = c.get(reverse("wagtailadmin_home"))
        assert response.status_code in (302, 403)
        assert "/admin/" not in c.get(reverse("accounts:workspace")).content.decode()


def menu_names(client) -> set[str]:
    import re

    html = client.get(reverse("wagtailadmin_home")).content.decode()
    # Wagtail renders the sidebar from JSON props: collect menu item names.
    return set(re.findall(r"&quot;name&quot;: &quot;([a-z0-9-]+)&quot;", html)) | set(
        re.findall(r'"name": "([a-z0-9-]+)"', html)
    )


@pytest.mark.django_db
def test_each_back_office_role_sees_only_its_menus(
    approver_client, authority_admin_client, editor_client, regulator_client
):
    approver = menu_names(approver_client(level=3))
    admin = menu_names(authority_admin_client)
    editor = menu_names(editor_client)
    regulator = menu_names(regulator_client)
    assert (
        "my-seats" in approver and "snippets" not in approver and "reference-data" not in approver
    )
    assert {"drug-permit", "drug-permit-todo", "drug-permit-query"} <= approver
    assert "approver-seats" in admin and "my-seats" not in admin
    assert "drug-permit-query" in admin and "drug-permit-todo" not in admin
    assert "reference-data" in editor and "explorer" in editor
    assert "my-seats" not in editor and "jurisdiction-enterprises" not in editor
    assert "drug-permit" not in editor | regulator
    assert "jurisdiction-enterprises" in regulator and "reference-data" not in regulator
    assert "explorer" not in approver | regulator | admin


@pytest.mark.django_db
def test_role_pages_refuse_other_roles(approver_client, editor_client, regulator_client):
    approver = approver_client(level=1)
    assert approver.get(reverse("my_seats")).status_code == 200
    # Wagtail answers a refused admin page with a redirect to the dashboard.
    for client, name in [
        (approver, "jurisdiction_enterprises"),
        (approver, "approver_seats"),
        (editor_client, "my_seats"),
        (regulator_client, "approver_seats"),
        (editor_client, "drug-permit:query"),
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


@pytest.mark.django_db
def test_regulator_sees_only_its_jurisdiction(regulator_client, owner):
    make_enterprise(USCC_SHANGHAI, "sh-owner", name_zh="上海某公司")
    html = regulator_client.get(reverse("jurisdiction_enterprises")).content.decode()
    assert "甲公司" in html  # Beijing, the regulator's jurisdiction
    assert "上海某公司" not in html


@pytest.mark.django_db
def test_authority_admin_sees_its_approvers(authority_admin_client, approver_client, seeded):
    from portal.accounts import services
    from portal.reference.models import Authority

    approver_client(level=2)
    other = Authority.objects.get(code="DA-310000")
    services.create_approver(
        username="sh-l1", password=PASSWORD, authority=other, system="DRUG_PERMIT", level=1
    )
    html = authority_admin_client.get(reverse("approver_seats")).content.decode()
    assert "approver-2" in html and "sh-l1" not in html


@pytest.mark.django_db
def test_password_change(owner_client, owner):
    response = owner_client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "An0ther-pass!",
            "new_password2": "An0ther-pass!",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("An0ther-pass!")


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, owner):
    url = reverse("accounts:login")
    for _ in range(5):
        client.post(url, {"username": "owner-a", "password": "wrong"})
    response = client.post(url, {"username": "owner-a", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    # Another user from the same address is not locked out.
    from portal.accounts import services

    services.create_editor(username="someone", password=PASSWORD)
    ok = Client().post(url, {"username": "someone", "password": PASSWORD})
    assert ok.status_code == 302
