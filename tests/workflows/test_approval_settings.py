import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.accounts.models import User
from portal.reference.models import Authority, Module
from workflows import selectors, services
from workflows.models import ApprovalSettings

from ..conftest import client_for

URL = reverse("approval_settings", args=["drug-permit"])
VALID = {
    "first_review": "on",
    "name_zh": "北京市药品监督管理局",
    "name_en": "Beijing Medical Products Administration",
    "phone": "010-83979999",
    "address": "北京市通州区留庄路6号",
    "postcode": "101117",
    "contact": "行政许可处",
    "import_validity_days": "365",
    "export_validity_days": "90",
}


@pytest.mark.django_db
def test_approver_menus_ask_for_initial_values_until_saved(approver_client, authority):
    client = approver_client(level=3)
    assert "请先设置初始值" in client.get(reverse("my_seat")).content.decode()
    assert not selectors.authorities_accepting(module=Module.DRUG_PERMIT).exists()

    response = client.post(URL, VALID)
    assert response.status_code == 302
    settings = ApprovalSettings.objects.get(authority=authority, module=Module.DRUG_PERMIT)
    assert settings.levels == [1, 2, 4] and settings.stages_locked
    assert settings.next_level(1) == 2 and settings.next_level(2) == 4
    assert settings.next_level(4) is None
    html = client.get(reverse("my_seat")).content.decode()
    assert "请先设置初始值" not in html and "第三级 · 复审" in html
    assert list(selectors.authorities_accepting(module=Module.DRUG_PERMIT)) == [authority]


@pytest.mark.django_db
def test_stages_lock_after_first_save_but_contacts_stay_editable(
    approver_client, authority_admin_client, authority
):
    approver_client(level=1).post(URL, VALID)
    # Trying to add second review through the form: the field is disabled now.
    response = authority_admin_client.post(
        URL, {**VALID, "second_review": "on", "phone": "010-88888888"}
    )
    assert response.status_code == 302
    settings = ApprovalSettings.objects.get()
    assert not settings.second_review and settings.phone == "010-88888888"
    page = authority_admin_client.get(URL).content.decode()
    assert "已保存并锁定" in page
    with pytest.raises(ValidationError):
        services.save_approval_settings(
            actor=User.objects.get(username="authority-admin"),
            authority=authority,
            module=Module.DRUG_PERMIT,
            values={"second_review": True},
        )


@pytest.mark.django_db
def test_only_a_superuser_changes_locked_stages(approver_client, authority):
    approver_client(level=1).post(URL, VALID)
    admin = User.objects.create_superuser("root", "root@example.cn", "x")
    response = client_for(admin).post(
        URL + "?authority=DA-110000", {**VALID, "second_review": "on"}
    )
    assert response.status_code == 302
    assert ApprovalSettings.objects.get().levels == [1, 2, 3, 4]


@pytest.mark.django_db
def test_bad_settings_get_clear_messages(approver_client):
    client = approver_client(level=1)
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
def test_settings_belong_to_the_users_own_authority(approver_client, editor_client, authority):
    from portal.accounts import services as accounts

    other = Authority.objects.get(code="DA-310000")
    seat = accounts.create_approver(username="sh-l1", password=None, authority=other, level=1)
    client_for(seat.user).post(URL, {**VALID, "name_zh": "上海市药品监督管理局"})
    assert ApprovalSettings.objects.get().authority == other
    # Non-superusers cannot point the form at another authority.
    client_for(seat.user).post(URL + "?authority=DA-110000", VALID)
    assert not ApprovalSettings.objects.filter(authority=authority).exists()
    assert editor_client.get(URL).status_code == 302  # refused: back to the dashboard
    with pytest.raises(PermissionDenied):
        services.save_approval_settings(
            actor=seat.user, authority=authority, module=Module.DRUG_PERMIT, values={}
        )
