"""Administrators' account security: second factor reset, sign-in unlock, the account log."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import second_factor, services
from portal.accounts.models import AccountEvent, AccountEventKind, User
from portal.drug_permits.models import DrugPermitApplication
from portal.drug_permits.models import DrugPermitStatus as S
from workflows import services as workflow_services

from ..conftest import PASSWORD, TEST_TOTP_SECRET, client_for
from ..drug_permit_helpers import complete_draft


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the portal is Chinese first
    return client


def admin_client(user) -> Client:
    return english(client_for(user))


@pytest.fixture
def superuser(db):
    user = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    return user


def enrolled(user):
    second_factor.enrol_with_secret(user, TEST_TOTP_SECRET)
    second_factor.new_recovery_codes(user)
    return user


# --- reset: who may, what it leaves behind ----------------------------------------------------


@pytest.mark.django_db
def test_authority_admin_resets_own_staff_and_the_event_says_who_whom_why(chain):
    admin, approver = chain["admin"], enrolled(chain[2])
    client = admin_client(admin)
    page = client.get(reverse("second_factors")).content.decode()
    assert f'data-user="{approver.username}"' in page
    assert f'data-user="{chain["other"][1].username}"' not in page  # another authority's
    url = reverse("second_factor_reset", args=[approver.pk])
    assert "Reset the second factor of" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Lost phone", "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("second_factors")
    assert not TOTPDevice.objects.filter(user=approver).exists()
    assert not StaticDevice.objects.filter(user=approver).exists()
    event = AccountEvent.objects.get()
    assert (event.kind, event.actor_id, event.subject_id, event.reason) == (
        AccountEventKind.SECOND_FACTOR_RESET,
        admin.pk,
        approver.pk,
        "Lost phone",
    )
    assert event.actor_display == admin.username and event.subject_display == approver.username
    log = client.get(reverse("account_events")).content.decode()
    assert "Lost phone" in log and approver.username in log and "Second factor reset" in log
    # The reset approver must enrol again at the next sign-in (password only so far).
    again = english(Client())
    again.force_login(approver)
    response = again.get("/admin/")
    assert response["Location"].startswith(reverse("accounts:second-factor-enrol"))


@pytest.mark.django_db
def test_a_session_open_when_reset_loses_its_second_factor(chain):
    approver = chain[1]
    session = client_for(approver)
    assert session.get("/admin/").status_code == 200
    services.reset_second_factor(actor=chain["admin"], account=approver, reason="Left")
    response = session.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second-factor-enrol"))


@pytest.mark.django_db
def test_authority_admin_cannot_reset_another_authoritys_user(chain, owner):
    admin, stranger = chain["admin"], enrolled(chain["other"][1])
    client = admin_client(admin)
    for target in (stranger, chain["other"]["admin"], owner):
        url = reverse("second_factor_reset", args=[target.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", "confirm": "yes"}).status_code == 404
        with pytest.raises(PermissionDenied):
            services.reset_second_factor(actor=admin, account=target, reason="x")
    assert TOTPDevice.objects.filter(user=stranger, confirmed=True).exists()
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_approvers_enterprise_users_and_editors_reach_no_security_page(chain, owner):
    approver = chain[1]
    for user in (approver, owner):
        with pytest.raises(PermissionDenied):
            services.reset_second_factor(actor=user, account=chain[2], reason="x")
    client = admin_client(approver)
    # Wagtail answers a refused admin page with a redirect to the dashboard and a message.
    for name in ("second_factors", "lockouts", "account_events"):
        response = client.get(reverse(name))
        assert (response.status_code, response["Location"]) == (302, "/admin/"), name
    url = reverse("second_factor_reset", args=[chain[2].pk])
    response = client.post(url, {"reason": "x", "confirm": "yes"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert second_factor.is_enrolled(chain[2]) is False  # (never enrolled; unchanged)
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_superuser_resets_an_enterprise_user(superuser, chain, owner):
    enrolled(owner)
    client = admin_client(superuser)
    page = client.get(reverse("second_factors"), {"q": "owner-a"}).content.decode()
    assert 'data-user="owner-a"' in page and 'data-user="bj-l1"' not in page
    url = reverse("second_factor_reset", args=[owner.pk])
    assert client.post(url, {"reason": "New phone", "confirm": "yes"}).status_code == 302
    assert not second_factor.is_enrolled(owner)
    assert AccountEvent.objects.get().subject_id == owner.pk
    # Filtered by state: the owner is now among those not set up.
    page = client.get(reverse("second_factors"), {"state": "not"}).content.decode()
    assert 'data-user="owner-a"' in page


@pytest.mark.django_db
def test_bad_input_is_a_message_not_an_error(chain):
    admin, approver = chain["admin"], enrolled(chain[1])
    client = admin_client(admin)
    url = reverse("second_factor_reset", args=[approver.pk])
    missing = client.post(url, {"reason": "   ", "confirm": "yes"})
    assert missing.status_code == 200 and "Give the reason" in missing.content.decode()
    unconfirmed = client.post(url, {"reason": "Lost phone"})
    assert unconfirmed.status_code == 200 and "Tick the box" in unconfirmed.content.decode()
    assert second_factor.is_enrolled(approver) and not AccountEvent.objects.exists()
    bogus = client.post("/admin/security/second-factors/999999/reset/", {"reason": "x"})
    assert bogus.status_code == 404
    assert client.get("/admin/security/second-factors/abc/reset/").status_code == 404
    cursor = client.get(reverse("second_factors"), {"after": "not-a-cursor", "state": "zzz"})
    assert cursor.status_code == 200 and "not valid any more" in cursor.content.decode()
    with pytest.raises(ValidationError):
        services.reset_second_factor(actor=admin, account=approver, reason="")


@pytest.mark.django_db
def test_nobody_resets_themselves(superuser):
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(actor=superuser, account=superuser, reason="x")


# --- the account log cannot be rewritten -------------------------------------------------------


@pytest.mark.django_db
def test_account_events_are_append_only(chain):
    event = services.reset_second_factor(actor=chain["admin"], account=chain[1], reason="Lost")
    with pytest.raises(TypeError):
        AccountEvent.objects.filter(pk=event.pk).update(reason="nothing")
    with pytest.raises(TypeError):
        AccountEvent.objects.all().delete()
    with pytest.raises(TypeError):
        event.save()
    # Deleting the account leaves the event whole (no foreign key).
    User.objects.filter(pk=chain[1].pk).delete()
    assert AccountEvent.objects.get(pk=event.pk).subject_display == "bj-l1"


@pytest.mark.needs_postgres
@pytest.mark.django_db
def test_on_postgresql_a_trigger_refuses_update_and_delete(chain):
    # Raw SQL, past the model's own refusal: the database itself says no.
    from django.db import DatabaseError, transaction

    event = services.reset_second_factor(actor=chain["admin"], account=chain[1], reason="Lost")
    for sql in (
        "UPDATE accounts_accountevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM accounts_accountevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.pk])
    assert AccountEvent.objects.get(pk=event.pk).reason == "Lost"


# --- sign-in lockouts --------------------------------------------------------------------------


def fail_sign_in(username: str, times: int) -> None:
    for _ in range(times):
        Client().post(reverse("accounts:login"), {"username": username, "password": "wrong"})


def can_sign_in(username: str) -> bool:
    response = Client().post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD}
    )
    return response.status_code == 302


@pytest.mark.django_db
def test_unlock_lifts_the_lockout_and_is_logged(authority, chain):
    approver = services.create_approver(
        username="locked-approver",
        password=PASSWORD,
        authority=authority,
        system="DRUG_PERMIT",
        level=1,
    ).user
    fail_sign_in(approver.username, settings.AXES_FAILURE_LIMIT)
    assert not can_sign_in(approver.username)
    client = admin_client(chain["admin"])
    page = client.get(reverse("lockouts")).content.decode()
    assert 'data-user="locked-approver"' in page
    url = reverse("lockout_unlock")
    confirm = client.get(url, {"username": approver.username, "ip_address": "127.0.0.1"})
    assert "sign in again from 127.0.0.1" in confirm.content.decode()
    missing = client.post(
        url, {"username": approver.username, "ip_address": "127.0.0.1", "confirm": "yes"}
    )
    assert missing.status_code == 200 and "Give the reason" in missing.content.decode()
    assert not can_sign_in(approver.username)
    response = client.post(
        url,
        {
            "username": approver.username,
            "ip_address": "127.0.0.1",
            "reason": "Called the help desk",
            "confirm": "yes",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("lockouts")
    assert can_sign_in(approver.username)
    event = AccountEvent.objects.get()
    assert (event.kind, event.subject_id, event.ip_address, event.reason) == (
        AccountEventKind.LOGIN_UNLOCKED,
        approver.pk,
        "127.0.0.1",
        "Called the help desk",
    )
    assert 'data-user="locked-approver"' not in client.get(reverse("lockouts")).content.decode()


@pytest.mark.django_db
def test_authority_admin_sees_and_unlocks_only_its_own_staff(chain, superuser):
    stranger = chain["other"][1]
    fail_sign_in(stranger.username, settings.AXES_FAILURE_LIMIT)
    fail_sign_in("nobody-at-all", settings.AXES_FAILURE_LIMIT)
    client = admin_client(chain["admin"])
    page = client.get(reverse("lockouts")).content.decode()
    assert stranger.username not in page and "nobody-at-all" not in page
    response = client.post(
        reverse("lockout_unlock"),
        {
            "username": stranger.username,
            "ip_address": "127.0.0.1",
            "reason": "x",
            "confirm": "yes",
        },
    )
    assert response.status_code == 200 and "not locked out" in response.content.decode()
    assert not AccountEvent.objects.exists()
    # The superuser sees both and may unlock a user name that has no account.
    page = admin_client(superuser).get(reverse("lockouts")).content.decode()
    assert stranger.username in page and "nobody-at-all" in page
    services.unlock_sign_in(
        actor=superuser, username="nobody-at-all", ip_address="127.0.0.1", reason="Typo"
    )
    assert AccountEvent.objects.get().subject_id is None
    # Unknown pair, or nothing given: a message, not axes resetting everything.
    for username, ip in (("", ""), ("nobody-at-all", "127.0.0.1"), (stranger.username, "")):
        with pytest.raises(ValidationError):
            services.unlock_sign_in(actor=superuser, username=username, ip_address=ip, reason="x")
    assert not can_sign_in(stranger.username)


# --- the enterprise workspace and the submit service ------------------------------------------


@pytest.mark.django_db
def test_workspace_shows_the_second_factor_state(owner):
    client = english(Client())
    client.force_login(owner)
    page = client.get(reverse("accounts:workspace")).content.decode()
    assert "Not set up" in page and reverse("accounts:second-factor-enrol") in page
    enrolled(owner)
    page = client.get(reverse("accounts:workspace")).content.decode()
    assert "Your authenticator is set up" in page
    assert reverse("accounts:second-factor-enrol") not in page


@pytest.mark.django_db
def test_an_enrolled_user_cannot_replace_the_authenticator_with_a_password_only(chain):
    approver = enrolled(chain[1])
    client = english(Client())
    client.force_login(approver)
    response = client.get(reverse("accounts:second-factor-enrol"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second-factor") + "?")
    assert client.post(reverse("accounts:second-factor-enrol"), {"token": "1"}).status_code == 302


@pytest.mark.django_db
def test_submit_without_request_or_flag_is_refused_in_the_users_language(chain, owner, authority):
    application = complete_draft(owner, authority)
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        workflow_services.submit(filing=application, actor=owner)
    assert "second factor" in " ".join(refused.value.messages)
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.DRAFT
