import re

import pytest

from ..conftest import USCC_SHANGHAI
from .conftest import sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Owner-pass-2026!"


def test_owner_registers_invites_an_agent_who_signs_in(page, demo):
    page.goto(page.base + "/")
    page.click("text=企业注册")
    page.fill("#id_name_zh", "上海浦江医药贸易有限公司")
    page.fill("#id_name_en", "Shanghai Pujiang Pharma Trading Co., Ltd.")
    page.fill("#id_uscc", USCC_SHANGHAI[:-1] + ("0" if USCC_SHANGHAI[-1] != "0" else "1"))
    page.fill("#id_address", "上海市浦东新区世纪大道100号")
    page.fill("#id_trade_registration_number", "87654321")
    page.fill("#id_contact_name", "陈经理")
    page.fill("#id_contact_phone", "021-58881234")
    page.fill("#id_contact_email", "chen@pujiang.example.cn")
    page.fill("#id_username", "pujiang-owner")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # A mistyped code: a clear message beside the field, nothing else lost.
    assert (
        page.locator(".field--error .error").inner_text().startswith("该统一社会信用代码的校验码")
    )
    assert page.input_value("#id_address") == "上海市浦东新区世纪大道100号"
    assert page.input_value("#id_contact_email") == "chen@pujiang.example.cn"
    page.fill("#id_uscc", USCC_SHANGHAI)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/accounts/workspace/")
    assert page.locator("text=上海浦江医药贸易有限公司").first.is_visible()
    assert page.locator("text=上海市").first.is_visible()  # province from the code

    page.click("nav >> text=经办人")
    page.fill("#id_name", "周经办")
    page.fill("#id_email", "zhou@pujiang.example.cn")
    page.check("input[name=modules][value=DRUG_PERMIT]")
    page.check("input[name=modules][value=EXPORT_DRUG_ARCHIVE]")
    page.click("text=发送邀请")
    page.wait_for_load_state()
    link = page.input_value("[data-invitation='zhou@pujiang.example.cn'] .invite-link")
    assert re.search(r"/accounts/invitations/[\w-]+/$", link)
    sign_out(page)

    page.goto(link)
    assert page.locator("text=上海浦江医药贸易有限公司").first.is_visible()
    page.fill("#id_username", "zhou")
    page.fill("#id_password1", "Agent-pass-2026!")
    page.fill("#id_password2", "Agent-pass-2026!")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/accounts/login/")
    sign_in(page, "zhou", "Agent-pass-2026!")
    assert page.url.endswith("/accounts/workspace/")
    granted = page.locator(".module:not(.module--off)").evaluate_all(
        "items => items.map(i => i.dataset.module)"
    )
    assert granted == ["DRUG_PERMIT", "EXPORT_DRUG_ARCHIVE"]
    assert page.locator("nav >> text=经办人").count() == 0  # agents don't manage agents
    page.screenshot(path="var/screenshots/agent-workspace.png", full_page=True)
