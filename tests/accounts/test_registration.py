import pytest
from django.urls import reverse

from portal.accounts.models import Enterprise, Membership

from ..conftest import USCC_BEIJING, make_enterprise

URL = reverse("accounts:register")
VALID = {
    "name_zh": "北京新贸易有限公司",
    "name_en": "Beijing New Trading Co., Ltd.",
    "uscc": "91350100M000100Y43",
    "address": "福建省福州市鼓楼区1号",
    "contact_name": "王五",
    "contact_phone": "0591-87654321",
    "contact_email": "wang@example.cn",
    "trade_registration_number": "12345678",
    "username": "fz-owner",
    "password1": "Long-enough-pass-2026",
    "password2": "Long-enough-pass-2026",
}


@pytest.mark.django_db
def test_owner_registers_and_is_signed_in(client):
    response = client.post(URL, VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:workspace")
    enterprise = Enterprise.objects.get(uscc="91350100M000100Y43")
    assert enterprise.province == "350000"  # from the area code in the USCC
    membership = Membership.objects.get(enterprise=enterprise)
    assert membership.is_owner and membership.user.username == "fz-owner"
    page = client.get(reverse("accounts:workspace"))
    assert "北京新贸易有限公司" in page.content.decode()


@pytest.mark.django_db
def test_lowercase_uscc_is_stored_upper_case(client):
    client.post(URL, {**VALID, "uscc": "91350100m000100y43"})
    assert Enterprise.objects.filter(uscc="91350100M000100Y43").exists()


BAD_INPUT = [
    ("name_zh", "", "此项为必填项。"),
    ("name_zh", "Acme Trading", "请输入企业登记注册的中文名称。"),
    ("name_en", "北京贸易", "只能使用拉丁字母"),
    ("uscc", "", "此项为必填项。"),
    ("uscc", "9135010", "统一社会信用代码应为18位，您输入了 7 位。"),
    ("uscc", "91350100M000100Y44", "校验码（最后一位）有误"),
    ("uscc", "91350100MO00100Y43", "不允许的字符：O"),
    ("uscc", "91990100M000100Y4X", "不是任何省份的行政区划代码"),
    ("address", "", "此项为必填项。"),
    ("contact_name", "", "此项为必填项。"),
    ("contact_phone", "12345", "请输入11位手机号码"),
    ("contact_email", "not-an-email", "输入一个有效的 Email 地址。"),
    ("trade_registration_number", "12AB", "8位数字"),
    ("username", "a", "请使用3至30位字母"),
    ("username", "", "此项为必填项。"),
    ("password1", "", "此项为必填项。"),
    ("password2", "Different-pass-2026", "两次输入的密码不一致。"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_each_bad_field_gets_a_clear_chinese_message_and_keeps_the_rest(
    client, field, value, message
):
    data = {**VALID, field: value}
    if field == "uscc" and value == "91990100M000100Y4X":
        from portal.accounts.validators import uscc_check_character

        data["uscc"] = value[:17] + uscc_check_character(value[:17])
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    form = response.context["form"]
    assert list(form.errors) == [field]
    # Nothing the user typed elsewhere is lost.
    assert 'value="wang@example.cn"' in html or field == "contact_email"
    assert "北京新贸易有限公司" in html or field == "name_zh"
    assert not Enterprise.objects.filter(uscc=VALID["uscc"]).exists()


@pytest.mark.django_db
def test_weak_password_is_refused_in_chinese(client):
    response = client.post(URL, {**VALID, "password1": "12345678", "password2": "12345678"})
    assert "这个密码太常见了。" in response.content.decode()


@pytest.mark.django_db
def test_duplicate_uscc_and_username_are_refused(client):
    make_enterprise(USCC_BEIJING, "fz-owner")
    response = client.post(URL, {**VALID, "uscc": USCC_BEIJING})
    html = response.content.decode()
    assert "使用该统一社会信用代码的企业已注册" in html
    assert "该用户名已被占用" in html


@pytest.mark.django_db
def test_english_visitor_gets_english_messages(client):
    client.cookies["django_language"] = "en"
    response = client.post(URL, {**VALID, "uscc": "91350100M000100Y44"})
    assert "The check character (the last one)" in response.content.decode()
