"""The second factor (django-otp TOTP + recovery codes), over HTTP and the service."""

from base64 import b32decode

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import second_factor
from portal.drug_permits.models import DrugPermitApplication
from portal.drug_permits.models import DrugPermitStatus as S
from workflows import services as workflow_services

from ..conftest import PASSWORD, client_for
from ..drug_permit_helpers import complete_draft

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def code_for(device) -> str:
    # Forget the last step used and the throttling a wrong code started (tests go fast).
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_only(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the portal is Chinese first
    return client


@pytest.mark.django_db
def test_a_back_office_user_signed_in_by_password_only_is_sent_to_enrol(chain, owner):
    approver = chain[1]
    client = password_only(approver)
    application = complete_draft(owner, chain["other"][1].approver_seats.first().authority)
    for url in (
        "/admin/",
        reverse("drug-permit:todo"),
        reverse("drug-permit:todo_detail", args=[application.number]),
        "/admin/pages/",
        "/admin/snippets/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:second-factor-enrol")), url
    # A decision posted without the second factor changes nothing.
    response = client.post(
        reverse("drug-permit:todo_detail", args=[application.number]),
        {"decision": "accept", "opinion": "齐全", "notice_number": "京受1号"},
    )
    assert response.status_code == 302
    assert "/accounts/second-factor/" in response["Location"]


@pytest.mark.django_db
def test_enrol_confirm_then_recovery_codes_then_admin(chain):
    approver = chain[1]
    client = password_only(approver)
    page = client.get(reverse("accounts:second-factor-enrol"), **EN).content.decode()
    assert "<svg" in page and 'id="second-factor-secret"' in page
    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    secret = page.split('id="second-factor-secret">')[1].split("<")[0]
    assert b32decode(secret) == device.bin_key
    wrong = client.post(reverse("accounts:second-factor-enrol"), {"token": "000000"}, **EN)
    assert "not right" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    done = client.post(reverse("accounts:second-factor-enrol"), {"token": code_for(device)}, **EN)
    codes = StaticToken.objects.filter(device__user=approver).values_list("token", flat=True)
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get("/admin/").status_code == 200
    # Signed in again: asked for a code (not to enrol again).
    again = password_only(approver)
    response = again.get("/admin/")
    assert response["Location"].startswith(reverse("accounts:second-factor") + "?")
    assert again.post(reverse("accounts:second-factor"), {"token": "123"}).status_code == 200
    assert again.get("/admin/").status_code == 302
    device.refresh_from_db()
    response = again.post(
        reverse("accounts:second-factor"), {"token": code_for(device), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert again.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(chain):
    approver = chain[1]
    second_factor.enrol_with_secret(approver, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    code = second_factor.new_recovery_codes(approver)[0]
    first = password_only(approver)
    first.post(reverse("accounts:second-factor"), {"token": code})
    assert first.get("/admin/").status_code == 200
    second = password_only(approver)
    second.post(reverse("accounts:second-factor"), {"token": code})
    assert second.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_enterprise_pages_need_no_second_factor_but_submit_does(chain, owner, authority):
    client = password_only(owner)
    assert client.get(reverse("accounts:workspace")).status_code == 200
    application = complete_draft(owner, authority)
    url = reverse("drug_permits:submit", args=[application.number])
    # Not enrolled: told to enrol first, with a link; the draft stays a draft.
    page = client.post(url, **EN).content.decode()
    assert reverse("accounts:second-factor-enrol") in page and "Set one up first" in page
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.DRAFT
    # Enrolled: asked for the code; a wrong one submits nothing, the right one submits.
    device = second_factor.enrol_with_secret(owner, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    page = client.post(url, **EN).content.decode()
    assert 'name="second_factor_token"' in page
    client.post(url, {"second_factor_token": "999999"}, **EN)
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.DRAFT
    client.post(url, {"second_factor_token": code_for(device)})
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_the_service_refuses_submit_without_the_second_factor(chain, owner, authority):
    application = complete_draft(owner, authority)
    with pytest.raises(ValidationError):
        workflow_services.submit(filing=application, actor=owner, second_factor_verified=False)
    request = password_only(owner).get(reverse("accounts:workspace")).wsgi_request
    with pytest.raises(ValidationError):
        workflow_services.submit(filing=application, actor=owner, request=request)
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.DRAFT
    workflow_services.submit(filing=application, actor=owner, second_factor_verified=True)
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_client_for_passes_the_second_factor(chain):
    assert client_for(chain[1]).get("/admin/").status_code == 200
    assert PASSWORD


@pytest.mark.django_db
def test_a_right_code_typed_too_soon_after_a_wrong_one_says_wait(chain):
    approver = chain[1]
    device = second_factor.enrol_with_secret(approver, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = password_only(approver)
    wrong = client.post(reverse("accounts:second-factor"), {"token": "000000"})
    assert "not right" in wrong.content.decode()
    right = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    too_soon = client.post(reverse("accounts:second-factor"), {"token": right})
    assert "try again in 1 second" in too_soon.content.decode()
    assert client.get("/admin/").status_code == 302
    response = client.post(reverse("accounts:second-factor"), {"token": code_for(device)})
    assert response.status_code == 302 and client.get("/admin/").status_code == 200
