"""The archive's life: fill, submit, change (变更) while the submitted version stays live,
submit the change, every version readable with what changed; delete only before submit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from filings.runner import AlreadyHandled
from filings.versions import submitted_versions
from portal.reference.models import Country
from workflows import services

from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(owner, seeded):
    helpers.complete_enterprise(owner)
    return owner


def test_a_draft_is_not_live_and_submit_makes_version_one(owner):
    filing = helpers.draft(owner)
    assert filing.live is False and filing.status == "DRAFT"
    services.submit(filing=filing, actor=owner, second_factor_verified=True)
    filing.refresh_from_db()
    assert filing.status == "SUBMITTED" and filing.live
    versions = submitted_versions(filing)
    assert [v.number for v in versions] == [1]
    assert versions[0].as_object().generic_name_en == "Amoxicillin Capsules"


def test_submit_needs_every_required_field_and_a_country(owner):
    filing = helpers.draft(owner, specification="", export_countries=[])
    with pytest.raises(ValidationError) as error:
        services.submit(filing=filing, actor=owner, second_factor_verified=True)
    assert set(error.value.message_dict) >= {"specification", "export_countries"}
    filing.refresh_from_db()
    assert filing.status == "DRAFT"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"approval_number": "H20260001"}, "approval_number"),
        ({"approval_number": "国药准字X20260001"}, "approval_number"),
    ],
)
def test_approval_number_format(owner, overrides, field):
    with pytest.raises(ValidationError) as error:
        helpers.draft(owner, **overrides)
    assert field in error.value.message_dict


def test_one_record_per_approval_number(owner):
    helpers.draft(owner)
    with pytest.raises(ValidationError) as error:
        helpers.draft(owner)
    assert "approval_number" in error.value.message_dict


def test_change_leaves_the_live_version_until_the_change_is_submitted(owner):
    filing = helpers.submitted(owner)
    services.start_change(filing=filing, actor=owner)
    filing.refresh_from_db()
    assert filing.status == "CHANGING"
    services.update_draft(
        filing=filing,
        actor=owner,
        values={
            "specification": "0.5g",
            "export_countries": list(Country.objects.filter(code="JP")),
        },
    )
    filing.refresh_from_db()
    # What regulators read (the row) has not moved, countries included.
    assert filing.specification == "0.25g"
    assert sorted(c.code for c in filing.export_countries.all()) == ["DE", "FR"]
    assert services.working_copy(filing).specification == "0.5g"

    services.submit(filing=filing, actor=owner, second_factor_verified=True)
    filing.refresh_from_db()
    assert filing.status == "SUBMITTED" and filing.specification == "0.5g"
    assert [c.code for c in filing.export_countries.all()] == ["JP"]
    v1, v2 = submitted_versions(filing)
    assert v1.as_object().specification == "0.25g" and v2.as_object().specification == "0.5g"


def test_discard_restores_the_submitted_version(owner):
    filing = helpers.submitted(owner)
    services.start_change(filing=filing, actor=owner)
    filing.refresh_from_db()
    services.update_draft(filing=filing, actor=owner, values={"specification": "9g"})
    filing.refresh_from_db()
    services.discard_change(filing=filing, actor=owner)
    filing.refresh_from_db()
    assert filing.status == "SUBMITTED" and filing.specification == "0.25g"
    assert services.working_copy(filing).specification == "0.25g"
    assert len(submitted_versions(filing)) == 1
    # A second change starts from the submitted version, not the discarded one.
    services.start_change(filing=filing, actor=owner)
    filing.refresh_from_db()
    assert services.working_copy(filing).specification == "0.25g"


def test_no_delete_after_submit_and_no_double_submit(owner):
    filing = helpers.submitted(owner)
    with pytest.raises(ValidationError):
        services.delete_draft(filing=filing, actor=owner)
    with pytest.raises(AlreadyHandled):
        services.submit(filing=filing, actor=owner, second_factor_verified=True)


def test_pages_show_versions_and_the_differences(owner, owner_client):
    filing = helpers.submitted(owner)
    ns = "export_drug_archives"
    detail = reverse(f"{ns}:detail", args=[filing.number])
    assert owner_client.post(reverse(f"{ns}:change", args=[filing.number])).status_code == 302
    page = owner_client.get(detail)
    assert page.status_code == 200
    assert b"0.25g" in page.content  # the change's draft starts from the submitted version
    form = {
        "form": "header",
        **{
            k: v
            for k, v in {
                "generic_name_zh": "阿莫西林胶囊",
                "generic_name_en": "Amoxicillin Capsules",
                "approval_number": filing.approval_number,
                "dosage_form": filing.dosage_form_id,
                "specification": "0.5g",
                "packaging": "24粒/盒",
                "mah_name": "甲公司",
                "manufacturer_name": "甲公司",
                "production_address": filing.production_address,
                "hs_code": filing.hs_code_id,
                "export_countries": [c.pk for c in Country.objects.filter(code__in=["DE", "JP"])],
            }.items()
        },
    }
    response = owner_client.post(detail, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    filing.refresh_from_db()
    assert filing.specification == "0.25g"
    assert owner_client.post(reverse(f"{ns}:submit", args=[filing.number])).status_code == 302
    filing.refresh_from_db()
    assert filing.specification == "0.5g"
    v1, v2 = submitted_versions(filing)
    compare = owner_client.get(reverse(f"{ns}:compare", args=[filing.number]))
    text = compare.content.decode()
    assert compare.status_code == 200
    assert "0.25g" in text and "0.5g" in text and "JP" in text or "日本" in text
    old = owner_client.get(reverse(f"{ns}:version", args=[filing.number, v1.revision_id]))
    assert old.status_code == 200 and "0.25g" in old.content.decode()
    # A revision id that is not a submitted version of this record is a 404.
    assert (
        owner_client.get(reverse(f"{ns}:version", args=[filing.number, 999999])).status_code == 404
    )
    assert (
        owner_client.get(reverse(f"{ns}:compare", args=[filing.number]) + "?from=x").status_code
        == 404
    )


def test_an_agent_without_the_grant_is_told_who_grants_it(owner, agent_client):
    response = agent_client.get(reverse("export_drug_archives:list"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "owner-a@example.cn" in text  # the owner to ask


def test_an_agent_with_the_grant_fills_records(owner, agent, agent_client):
    from portal.accounts import services as accounts

    accounts.set_agent_modules(
        owner=owner, agent=agent, modules=["DRUG_PERMIT", "EXPORT_DRUG_ARCHIVE"]
    )
    assert agent_client.get(reverse("export_drug_archives:list")).status_code == 200
    assert agent_client.get(reverse("export_drug_archives:create")).status_code == 200


def test_the_enterprise_completes_its_details_first(seeded, other_owner):
    from ..conftest import client_for

    response = client_for(other_owner).get(reverse("export_drug_archives:create"))
    assert response.status_code == 403
    assert reverse("accounts:profile") in response.content.decode()
