"""The contract information table (back-filled, saved before submit) and the iron-ore
contract table (required when any goods are iron ore), through the pages and the services."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.auto_licences import services as tables
from portal.auto_licences.models import ContractInfo, IronOreContract
from portal.reference.models import HSCode

from .. import auto_licence_helpers as lic
from ..conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chains(seeded):
    return lic.chains()


def url(name, *args):
    return reverse(f"auto_licences:{name}", args=args)


def beef(owner):
    """A draft whose goods are not iron ore (fresh beef)."""
    code = HSCode.objects.get(code="0201100000")
    filing = lic.draft(owner, hs_code_1=code)
    lic.services.add_line(filing=filing, actor=owner, values=lic.line(hs_code=code))
    return filing


def test_submit_needs_the_contract_table_and_says_so(owner, chains):
    filing = beef(owner)
    with pytest.raises(ValidationError) as error:
        lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    messages = " ".join(error.value.messages)
    assert "合同信息表" in messages and "铁矿石" not in messages
    tables.save_contract(filing=filing, actor=owner, values=lic.contract_values())
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    assert filing.status == "FIRST_REVIEW"


def test_iron_ore_goods_need_the_iron_ore_table(owner, chains):
    filing = lic.draft(owner)  # 2601120000, iron ore
    lic.services.add_line(filing=filing, actor=owner, values=lic.line())
    tables.save_contract(filing=filing, actor=owner, values=lic.contract_values())
    with pytest.raises(ValidationError) as error:
        lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    assert "铁矿石合同信息表" in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        tables.save_iron_ore(filing=filing, actor=owner, values=lic.iron_ore_values(), rows=[])
    assert "至少" in " ".join(error.value.messages)
    wrong = {**lic.IRON_ORE_ROW, "amount": Decimal("1.00")}
    with pytest.raises(ValidationError) as error:
        tables.save_iron_ore(filing=filing, actor=owner, values=lic.iron_ore_values(), rows=[wrong])
    assert "105000.00" in " ".join(error.value.messages)
    tables.save_iron_ore(
        filing=filing, actor=owner, values=lic.iron_ore_values(), rows=[dict(lic.IRON_ORE_ROW)]
    )
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    assert filing.status == "FIRST_REVIEW"


def test_the_applicant_block_is_back_filled_from_profile_then_previous_table(owner, chains):
    first = beef(owner)
    client = client_for(owner)
    page = client.get(url("contract", first.number)).content.decode()
    assert 'value="MA01C2D3X"' in page and 'value="甲公司"' in page  # from the profile
    tables.save_contract(
        filing=first, actor=owner, values=lic.contract_values(contact="李四", fax="010-1234")
    )
    second = beef(owner)
    page = client.get(url("contract", second.number)).content.decode()
    assert 'value="李四"' in page and 'value="010-1234"' in page  # from the previous table


def test_the_contract_page_keeps_what_was_typed_on_error(owner, chains):
    filing = beef(owner)
    client = client_for(owner)
    data = {
        k: getattr(v, "pk", v)
        for k, v in lic.contract_values(contract_valid_until="2026-01-01").items()
    }
    response = client.post(url("contract", filing.number), data)
    html = response.content.decode()
    assert response.status_code == 200 and "合同不能早于签订日期结束" in html
    assert 'value="澳大利亚矿业公司"' in html
    assert not ContractInfo.objects.exists()
    data["contract_valid_until"] = "2027-03-31"
    assert client.post(url("contract", filing.number), data).status_code == 302
    assert ContractInfo.objects.get().contract_number == "HT-2026-001"


def test_the_iron_ore_page_saves_the_table_and_its_rows(owner, chains):
    filing = lic.draft(owner)
    client = client_for(owner)
    page = client.get(url("iron-ore", filing.number)).content.decode()
    assert 'name="rows-TOTAL_FORMS"' in page
    data = {k: getattr(v, "pk", v) for k, v in lic.iron_ore_values().items()}
    data.update({"rows-TOTAL_FORMS": "3", "rows-INITIAL_FORMS": "0"})
    data.update({f"rows-0-{k}": v for k, v in lic.IRON_ORE_ROW.items()})
    response = client.post(url("iron-ore", filing.number), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    table = IronOreContract.objects.get()
    assert table.rows.count() == 1 and table.rows.get().name == "PB粉"


def test_another_enterprise_never_reaches_the_tables(owner, other_owner, chains):
    filing = lic.complete_draft(owner)
    stranger = client_for(other_owner)
    for name in ("contract", "iron-ore"):
        assert stranger.get(url(name, filing.number)).status_code == 404


def test_key_agricultural_filing_is_saved_and_reported(owner, chains):
    from portal.auto_licences.models import KeyAgriculturalFiling

    client = client_for(owner)
    page = client.get(url("key-agricultural")).content.decode()
    assert "1101MA01C2D3X" in page and "尚未上报" in page  # the code is taken, never typed
    data = {
        "enterprise_name": "甲公司",
        "customs_number": "",
        "business_number": "110108000000001",
        "registered_capital": "500",
        "business_address": "北京市朝阳区建国路1号",
        "contact": "张三",
        "phone": "12345",
    }
    html = client.post(url("key-agricultural"), data).content.decode()
    assert "此项为必填项" in html and "手机号" in html and 'value="110108000000001"' in html
    assert not KeyAgriculturalFiling.objects.exists()
    data.update(customs_number="1101960001", phone="13800138000")
    assert client.post(url("key-agricultural"), data).status_code == 302
    filing = KeyAgriculturalFiling.objects.get()
    assert filing.enterprise_code == "1101MA01C2D3X" and filing.status == "REPORTED"
    assert "已上报" in client.get(url("key-agricultural")).content.decode()


def test_reviewers_read_both_tables_and_the_application_form(owner, chains):
    filing = lic.complete_draft(owner)  # iron ore: both tables
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    reviewer = client_for(chains[1])
    html = reviewer.get(reverse("auto-licence:todo_detail", args=[filing.number])).content.decode()
    assert 'id="contract-table"' in html and 'id="iron-ore-table"' in html
    assert "澳大利亚矿业公司" in html and "HT-2026-001" in html and "PB粉" in html
    assert "基本持平" in html  # the expected change, as its label
    blocks = ("申领企业信息", "对外成交合同/协议信息", "国内贸易（代理）合同/协议信息", "其他信息")
    assert all(block in html for block in blocks)
    assert "预览通知书" not in html  # this system sends no notices: nothing to preview
    form = reverse("auto-licence:application_form", args=[filing.number])
    assert form in html
    pdf = reviewer.get(form)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Another bureau's reviewer reaches neither the page nor the form.
    stranger = client_for(chains["other-l1"])
    assert stranger.get(form).status_code == 404


def test_a_missing_table_is_said_to_be_missing(owner, chains):
    sections = lic.system().detail_sections(lic.draft(owner))  # iron ore, no tables yet
    assert [s["id"] for s in sections] == ["contract-table", "iron-ore-table"]
    assert all(s["missing"] and not s.get("facts") and not s.get("groups") for s in sections)
    sections = lic.system().detail_sections(beef(owner))  # no iron ore: one table
    assert [s["id"] for s in sections] == ["contract-table"]


def test_a_wrong_iron_ore_row_is_marked_at_its_field_and_kept(owner, chains):
    filing = lic.draft(owner)
    client = client_for(owner)
    data = {k: getattr(v, "pk", v) for k, v in lic.iron_ore_values().items()}
    data.update({"rows-TOTAL_FORMS": "3", "rows-INITIAL_FORMS": "0"})
    data.update({f"rows-0-{k}": v for k, v in lic.IRON_ORE_ROW.items()})
    data.update({f"rows-1-{k}": v for k, v in {**lic.IRON_ORE_ROW, "amount": "7.00"}.items()})
    html = client.post(url("iron-ore", filing.number), data).content.decode()
    amount = re.search(r'<input[^>]*name="rows-1-amount"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in amount and 'aria-describedby="id_rows-1-amount_error"' in amount
    assert 'id="id_rows-1-amount_error"' in html and "105000.00" in html
    assert 'value="7.00"' in amount  # what was typed is kept
    first = re.search(r'<input[^>]*name="rows-0-amount"[^>]*>', html).group(0)
    assert "aria-invalid" not in first
    assert '<label class="visually-hidden" for="id_rows-0-name">第 1 行：' in html
    assert not re.search(r"<tr[^>]*>\s*<input", html)  # no input straight inside a row
    assert not IronOreContract.objects.exists()
