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
