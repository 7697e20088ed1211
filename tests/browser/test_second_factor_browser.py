"""The second factor in the browser: enrolment, the code at sign-in, a wrong code refused,
an administrator's reset, and an enterprise submit that asks for the code."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import sign_in, sign_out, totp_code
from .test_av_import_flow import english, new_page, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "demo-pass-2026"


def forget_throttling(username):
    """django-otp waits a second after a wrong code before it takes another; tests go fast."""
    TOTPDevice.objects.filter(user__username=username).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def password_sign_in(page, username):
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    submit(page, page.locator("main button[type=submit]"))


def test_new_approver_enrols_signs_in_with_a_code_and_is_reset(browser, page, demo):
    from portal.accounts import services
    from portal.accounts.models import AccountEvent, User
    from portal.reference.models import Authority

    services.create_approver(
        username="new-approver",
        password=PASSWORD,
        authority=Authority.objects.get(code="DA-110000"),
        system="DRUG_PERMIT",
        level=1,
    )
    english(page)
    password_sign_in(page, "new-approver")
    # Password only: sent to enrol before anything else.
    assert "/accounts/second-factor/enrol/" in page.url
    assert page.locator("#second-factor-qr svg").count() == 1
    secret = page.inner_text("#second-factor-secret").strip()
    page.fill("#id_token", "000000")
    submit(page, page.locator("main button[type=submit]"))
    assert "not right" in page.inner_text("main")
    forget_throttling("new-approver")
    page.fill("#id_token", totp_code(secret=secret))
    submit(page, page.locator("main button[type=submit]"))
    assert page.locator("#recovery-codes li").count() == 10
    submit(page, page.get_by_role("link", name="Continue"))
    page.goto(page.base + "/admin/")
    assert page.url.endswith("/admin/")  # the dashboard, not the enrolment

    # Signed out and in again: a code is asked for (not a new enrolment).
    page.goto(page.base + "/")
    sign_out(page)
    password_sign_in(page, "new-approver")
    assert "/accounts/second-factor/" in page.url and "/enrol/" not in page.url
    page.fill("#id_token", "123456")
    submit(page, page.locator("main button[type=submit]"))
    assert "That code is not right" in page.inner_text("main")
    page.goto(page.base + "/admin/")
    assert "/accounts/second-factor/" in page.url  # still closed
    forget_throttling("new-approver")
    page.fill("#id_token", totp_code("new-approver"))
    submit(page, page.locator("main button[type=submit]"))
    page.goto(page.base + "/admin/")
    assert page.url.endswith("/admin/")

    # The authority's administrator resets it, with a reason and a confirmation.
    admin = new_page(browser, page)
    sign_in(admin, "drug-admin")
    admin.goto(admin.base + "/admin/security/second-factors/?q=new-approver")
    row = admin.locator("#second-factors tr[data-user='new-approver']")
    assert row.locator(".state").inner_text() == "Set up"
    submit(admin, row.get_by_role("link", name="Reset second factor"))
    submit(admin, admin.locator("#second-factor-reset button[type=submit]"))
    assert "Tick the box to confirm" in admin.inner_text("main")  # nothing ticked
    admin.check("input[name=confirm]")
    submit(admin, admin.locator("#second-factor-reset button[type=submit]"))
    assert "Give the reason" in admin.inner_text("main")  # ticked, no reason
    assert TOTPDevice.objects.filter(user__username="new-approver", confirmed=True).exists()
    admin.fill("#id_reason", "Lost the phone")
    admin.check("input[name=confirm]")
    submit(admin, admin.locator("#second-factor-reset button[type=submit]"))
    assert "is reset" in admin.inner_text("body")
    row = admin.locator("#second-factors tr[data-user='new-approver']")
    assert row.locator(".state").inner_text() == "Not set up"
    admin.goto(admin.base + "/admin/security/account-log/")
    logged = admin.locator("#account-events tr[data-user='new-approver']")
    assert logged.locator(".reason").inner_text() == "Lost the phone"
    event = AccountEvent.objects.get(subject_display="new-approver")
    assert event.actor_id == User.objects.get(username="drug-admin").pk
    assert event.actor_display and event.actor_display in logged.inner_text()
    admin.context.close()

    # The approver's open session lost its second factor: it must enrol again.
    page.goto(page.base + "/admin/")
    assert "/accounts/second-factor/enrol/" in page.url
    page.goto(page.base + "/")
    sign_out(page)
    password_sign_in(page, "new-approver")
    assert "/accounts/second-factor/enrol/" in page.url


def test_enterprise_submit_asks_for_the_code(page, demo):
    from portal.accounts.models import User
    from portal.drug_permits.models import DrugPermitApplication
    from portal.drug_permits.models import DrugPermitStatus as S
    from portal.reference.models import Authority

    from ..drug_permit_helpers import complete_draft

    owner = User.objects.get(username="demo-owner")
    application = complete_draft(owner, Authority.objects.get(code="DA-110000"))
    english(page)
    page.on("dialog", lambda dialog: dialog.accept())  # the submit's confirm dialog
    password_sign_in(page, "demo-owner")
    page.goto(page.base + "/accounts/workspace/")
    assert "Your authenticator is set up" in page.inner_text("#second-factor")
    page.goto(f"{page.base}/drug-permits/{application.number}/")
    submit(page, page.locator("form[action$='/submit/'] button"))
    assert page.locator("#submit-second-factor").count() == 1
    page.fill("#id_second_factor_token", "000000")
    submit(page, page.locator("#submit-second-factor button[type=submit]"))
    assert "That code is not right" in page.inner_text("main")
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.DRAFT
    forget_throttling("demo-owner")
    page.fill("#id_second_factor_token", totp_code("demo-owner"))
    submit(page, page.locator("#submit-second-factor button[type=submit]"))
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE
    assert "Submitted" in page.inner_text("body")
