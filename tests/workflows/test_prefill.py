"""Enter once (一次录入): every system's new filing starts from the enterprise's own details
as its declaration says (``prefill``), and the filer may change them; the licence's
contract table prefers the enterprise's previous table over its profile (seed 004)."""

import pytest
from django.urls import reverse

from filings import registry
from portal.accounts.models import Enterprise
from portal.reference.models import Module

from ..export_drug_archives import helpers as archive

pytestmark = pytest.mark.django_db

PROFILE = {
    "name_en": "Jia Trading Co., Ltd.",
    "address_en": "1 Jianguo Road, Chaoyang District, Beijing",
    "contact_name": "张三",
    "contact_phone": "13800138000",
    "production_address": "北京市大兴区天富街1号",
}


@pytest.mark.parametrize("system", registry.all_systems(), ids=lambda s: s.key)
def test_a_new_filing_starts_from_the_profile(system, owner, seeded):
    Enterprise.objects.filter(members__user=owner).update(**PROFILE)
    enterprise = Enterprise.objects.get(members__user=owner)
    assert system.prefill, f"{system.key} declares nothing it fills from the enterprise"
    form = system.header_form(
        enterprise=enterprise, params={}, initial=system.prefill_values(enterprise)
    )
    for field, attribute in system.prefill.items():
        assert field in form.fields, (system.key, field)
        assert form[field].value() == getattr(enterprise, attribute), (system.key, field)
        assert not form.fields[field].disabled, (system.key, field)  # editable


def test_the_create_page_shows_them_and_a_typed_value_wins(owner, owner_client, seeded):
    Enterprise.objects.filter(members__user=owner).update(**PROFILE)
    archive.complete_enterprise(owner)
    page = owner_client.get(reverse("export_drug_archives:create")).content.decode()
    assert 'value="甲公司"' in page  # holder and manufacturer from the profile
    page = owner_client.get(reverse("drug_permits:create")).content.decode()
    assert PROFILE["address_en"] in page and PROFILE["name_en"] in page
    response = owner_client.post(
        reverse("export_drug_archives:create"),
        {"generic_name_zh": "布洛芬片", "mah_name": "受托持有人有限公司"},
    )
    assert response.status_code == 302
    record = registry.get(Module.EXPORT_DRUG_ARCHIVE).model.objects.get()
    assert record.mah_name == "受托持有人有限公司"


def test_the_drug_permits_english_fields_come_prefilled_and_a_changed_value_is_kept(
    owner, owner_client, chain
):
    """Seed 001 §4.1.2: the English name and address come from the enterprise's
    foreign-trade record (the owner keeps them on the profile page) and stay editable."""
    from portal.reference.models import Authority, Port, Purpose

    profile = reverse("accounts:profile")
    enterprise = Enterprise.objects.get(members__user=owner)
    values = {
        field: getattr(enterprise, field)
        for field in (
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "trade_registration_number",
        )
    }
    values.update(name_en=PROFILE["name_en"], address_en=PROFILE["address_en"])
    saved = owner_client.post(profile, values)
    assert saved.status_code == 302, [
        line for line in saved.content.decode().splitlines() if "error" in line
    ]
    enterprise.refresh_from_db()
    assert (enterprise.name_en, enterprise.address_en) == (
        PROFILE["name_en"],
        PROFILE["address_en"],
    )

    url = reverse("drug_permits:create") + "?direction=IMPORT"
    page = owner_client.get(url).content.decode()
    assert f'value="{PROFILE["name_en"]}"' in page
    assert f'value="{PROFILE["address_en"]}"' in page
    response = owner_client.post(
        url,
        {
            "authority": Authority.objects.get(code="DA-110000").pk,
            "applicant_name_en": "Jia Trading (Beijing) Co., Ltd.",
            "applicant_address_en": "Unit 5, 1 Jianguo Road, Beijing",
            "purpose": Purpose.objects.get(code="MEDICAL").pk,
            "collection_method": "ON_SITE",
            "import_port_1": Port.objects.get(code="2233").pk,
        },
    )
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line
    ]
    filing = registry.get(Module.DRUG_PERMIT).model.objects.get(enterprise=enterprise)
    assert filing.applicant_name_en == "Jia Trading (Beijing) Co., Ltd."
    assert filing.applicant_address_en == "Unit 5, 1 Jianguo Road, Beijing"
    # The record itself is unchanged: the next application starts from it again.
    enterprise.refresh_from_db()
    assert enterprise.address_en == PROFILE["address_en"]
    assert f'value="{PROFILE["address_en"]}"' in owner_client.get(url).content.decode()
