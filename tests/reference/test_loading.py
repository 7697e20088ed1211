import pytest
from django.core.management import call_command

from portal.reference import models as m


def snapshot():
    rows = {}
    for model in (m.Authority, m.CustomsDistrict, m.Port, m.HSCode, m.Country, m.Currency):
        rows[model.__name__] = list(model.objects.order_by("pk").values())
    rows["attachments"] = list(m.PurposeAttachment.objects.order_by("pk").values())
    return rows


@pytest.mark.django_db
def test_seed_lists_are_real_and_loading_twice_changes_nothing(seeded):
    before = snapshot()
    call_command("load_reference_data", stdout=open("/dev/null", "w"))
    assert snapshot() == before
    assert m.Country.objects.count() >= 249
    assert m.Currency.objects.filter(code="CNY", numeric="156").exists()
    assert m.Country.objects.get(code="CN").alpha3 == "CHN"
    designated = m.Port.objects.filter(is_designated_drug_port=True)
    assert designated.count() >= 19
    assert designated.get(code="2233").customs_district.code == "2200"
    assert m.HSCode.objects.filter(is_iron_ore=True).exists()
    assert m.HSCode.objects.filter(is_key_agricultural=True).exists()
    medical = m.Purpose.objects.get(code="MEDICAL")
    assert medical.attachment_types.filter(required=True).count() >= 3
    assert all(obj.live for obj in m.Port.objects.all())


@pytest.mark.django_db
def test_changed_seed_row_is_updated_not_duplicated(seeded):
    m.Port.objects.filter(code="2233").update(name_zh="旧名称")
    call_command("load_reference_data", stdout=open("/dev/null", "w"))
    port = m.Port.objects.get(code="2233")
    assert port.name_zh == "上海浦东国际机场"
    assert "shanghai" in port.search_text
