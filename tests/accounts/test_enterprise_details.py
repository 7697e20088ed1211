"""The owner completes the enterprise's details the drug permit and the archive need."""

import pytest
from django.urls import reverse

from portal.accounts.models import Enterprise

DETAILS = {
    "address_en": "No. 1 Zhongguancun Street, Haidian District, Beijing",
    "legal_representative": "王法人",
    "drug_manufacturing_licence": "京20260001",
    "production_address": "北京市大兴区生物医药基地天富街1号",
}


@pytest.mark.django_db
def test_owner_fills_in_the_details_and_agents_read_them(owner_client, agent_client):
    url = reverse("accounts:profile")
    form = owner_client.get(url).content.decode()
    for field in DETAILS:
        assert f'name="{field}"' in form
    enterprise = Enterprise.objects.get(uscc="91110108MA01C2D3XY")
    values = {
        "name_en": "",
        "address": enterprise.address,
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "contact_email": enterprise.contact_email,
        "trade_registration_number": enterprise.trade_registration_number,
        **DETAILS,
    }
    assert owner_client.post(url, values).status_code == 302
    enterprise.refresh_from_db()
    assert {f: getattr(enterprise, f) for f in DETAILS} == DETAILS
    assert enterprise.division_code == "110108"
    page = agent_client.get(url).content.decode()
    assert "王法人" in page and "京20260001" in page and "天富街1号" in page
