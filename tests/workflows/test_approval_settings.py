"""初始值设置 through the page and the service, for the drug permit's declared stages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from filings.models import ApprovalSettings
from filings.selectors import authorities_accepting
from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.reference.models import Authority, Module
from workflows import services

from ..conftest import client_for

DP = Module.DRUG_PERMIT
URL = reverse("drug-permit:settings")
VALID = {
    "stage_2": "on",
    "name_zh": "北京市药品监督管理局",
    "name_en": "Beijing Medical Products Administration",
    "phone": "010-83979999",
    "address": "北京市通州区留庄路6号",
    "postcode": "101117",
    "contact": "行政许可处",
    "import_validity_days": "365",
    "export_validity_days": "90",
}


def seats(authority, levels=(1, 2, 3, 4), prefix="s"):
    return {
        level: accounts.create_approver(
            username=f"{prefix}-{level}", password=None, authority=authority, system=DP, level=level
        ).user
        for level in levels
    }


@pytest.mark.django_db
def test_approver_menus_ask_for_initial_values_until_saved(authority):
    seated = seats(authority)
    client = client_for(seated[3])
    for name in ("todo", "query", "certificates", "notices", "sign_off", "write_offs"):
        html = client.get(reverse(f"drug-permit:{name}")).content.decode()
        assert "请先设置初始值" in html, name
    assert not authorities_accepting(system=DP).exists()

    response = client.post(URL, VALID)
    assert response.status_code == 302
    settings = ApprovalSettings.objects.get(authority=authority, system=DP)
    assert settings.enabled_levels == [1, 2, 4] and settings.stages_locked
    system = settings.declaration
    assert system.next_state(after_level=1, enabled=settings.enabled_levels) == "FIRST_REVIEW"
    assert system.next_state(after_level=2, enabled=settings.enabled_levels) == "FINAL_DECISION"
    assert system.next_state(after_level=4, enabled=settings.enabled_levels) is None
    assert settings.options["import_validity_days"] == 365
    html = client.get(reverse("drug-permit:todo")).content.decode()
    assert "请先设置初始值" not in html
    assert list(authorities_accepting(system=DP)) == [authority]


@pytest.mark.django_db
def test_settings_wait_for_a_seat_at_every_configured_level(authority):
    seated = seats(authority, levels=(1, 4))
    response = client_for(seated[1]).post(URL, VALID)  # asks for level 2 too
    assert response.status_code == 200
    assert "初审" in response.content.decode()
    assert not ApprovalSettings.objects.exists()
    response = client_for(seated[1]).post(URL, {**VALID, "stage_2": ""})
    assert response.status_code == 302
    assert ApprovalSettings.objects.get().enabled_levels == [1, 4]


@pytest.mark.django_db
def test_stages_lock_after_first_save_but_contacts_stay_editable(authority_admin_client, authority):
    seated = seats(authority)
    client_for(seated[1]).post(URL, VALID)
    # Trying to add second review through the form: the field is disabled now.
    response = authority_admin_client.post(URL, {**VALID, "stage_3": "on", "phone": "010-88888888"})
    assert response.status_code == 302
    settings = ApprovalSettings.objects.get()
    assert settings.enabled_levels == [1, 2, 4] and settings.phone == "010-88888888"
    page = authority_admin_client.get(URL).content.decode()
    assert "已保存并锁定" in page
    with pytest.raises(ValidationError):
        services.save_approval_settings(
            actor=User.objects.get(username="authority-admin"),
            authority=authority,
            system=DP,
            values={"levels": [1, 2, 3, 4]},
        )


@pytest.mark.django_db
def test_only_a_superuser_changes_locked_stages(authority):
    seated = seats(authority)
    client_for(seated[1]).post(URL, VALID)
    admin = User.objects.create_superuser("root", "root@example.cn", "x")
    response = client_for(admin).post(URL + "?authority=DA-110000", {**VALID, "stage_3": "on"})
    assert response.status_code == 302
    assert ApprovalSettings.objects.get().enabled_levels == [1, 2, 3, 4]


@pytest.mark.django_db
def test_bad_settings_get_clear_messages(authority):
    client = client_for(seats(authority)[1])
    response = client.post(
        URL,
        {**VALID, "name_zh": "", "phone": "12", "postcode": "1000", "export_validity_days": "0"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "此项为必填项。" in html and "邮政编码为6位数字。" in html
    assert "请输入11位手机号码" in html
    assert not ApprovalSettings.objects.exists()


@pytest.mark.django_db
def test_settings_belong_to_the_users_own_authority(editor_client, authority):
    other = Authority.objects.get(code="DA-310000")
    seated = seats(other, prefix="sh")
    client_for(seated[1]).post(URL, {**VALID, "name_zh": "上海市药品监督管理局"})
    assert ApprovalSettings.objects.get().authority == other
    # Non-superusers cannot point the form at another authority.
    client_for(seated[1]).post(URL + "?authority=DA-110000", VALID)
    assert not ApprovalSettings.objects.filter(authority=authority).exists()
    assert editor_client.get(URL).status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        services.save_approval_settings(actor=seated[1], authority=authority, system=DP, values={})
