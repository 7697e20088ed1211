"""The applications endpoints of every system, through HTTP with a bearer token."""

from base64 import b32decode
from decimal import Decimal

import pytest
from django_otp.oath import totp

from filings import registry
from filings.models import Attachment, Filing
from portal.accounts import second_factor
from tests import auto_licence_helpers as licence
from tests import av_import_helpers as av
from tests import drug_permit_helpers as drug
from tests.conftest import TEST_TOTP_SECRET
from tests.export_drug_archives import helpers as archive
from tests.systems import SCENARIOS

from .helpers import ApiClient, drug_header, drug_line

pytestmark = pytest.mark.django_db

APPS = "/drug-permits/applications"


def test_a_drug_permit_draft_by_api_alone(chain, owner):
    api = ApiClient(owner)
    created = api.post(APPS, drug_header(remarks="first"))
    assert created.status_code == 201
    body = created.json()
    number = body["number"]
    assert body["status"] == "DRAFT" and body["authority"] == "DA-110000"
    assert body["header"]["import_port_1"] == "2233" and body["header"]["purpose"] == "MEDICAL"
    assert "Add at least one goods line." in body["still_missing"]["en"]
    filing = Filing.objects.get(number=number)
    assert filing.enterprise.members.filter(user=owner).exists()

    # Retrieve and update the header (the create-only direction stays).
    assert api.get(f"{APPS}/{number}").json()["header"]["remarks"] == "first"
    updated = api.patch(f"{APPS}/{number}", {"remarks": "second"})
    assert updated.status_code == 200 and updated.json()["header"]["remarks"] == "second"
    assert updated.json()["header"]["direction"] == "IMPORT"

    # Goods lines: add, list, change, delete.
    added = api.post(f"{APPS}/{number}/lines", drug_line())
    assert added.status_code == 201, added.content
    line = added.json()
    assert line["line_number"] == 1 and line["country"] == "DK" and line["hs_code"] == "2937121000"
    second = api.post(f"{APPS}/{number}/lines", drug_line(quantity="5"))
    assert second.status_code == 201
    listed = api.get(f"{APPS}/{number}/lines").json()
    assert [r["line_number"] for r in listed["results"]] == [1, 2]
    changed = api.patch(f"{APPS}/{number}/lines/{line['id']}", {"quantity": "12"})
    assert changed.status_code == 200 and Decimal(changed.json()["quantity"]) == 12
    assert api.delete(f"{APPS}/{number}/lines/{second.json()['id']}").status_code == 204
    assert len(api.get(f"{APPS}/{number}/lines").json()["results"]) == 1

    # The drug is fixed after line 1 (greyed on the page): line 1's drug stands.
    fixed = api.post(f"{APPS}/{number}/lines", drug_line(drug_name_en="Another drug"))
    assert fixed.status_code == 201
    assert fixed.json()["drug_name_en"] == "Recombinant human insulin"
    assert api.delete(f"{APPS}/{number}/lines/{fixed.json()['id']}").status_code == 204
    # A line rule's refusal comes back in both languages, keyed by field.
    refused = api.post(f"{APPS}/{number}/lines", drug_line(quantity="-5"))
    assert refused.status_code == 422 and refused.json()["code"] == "validation_error"
    assert refused.json()["fields"]["quantity"]["en"]

    # Attachments: upload (a type of the purpose), list, download, delete.
    kind = filing.drugpermitapplication.purpose.attachment_types.filter(required=True).first()
    uploaded = api.upload(
        f"{APPS}/{number}/attachments", {"file": drug.pdf("form.pdf"), "attachment_type": kind.pk}
    )
    assert uploaded.status_code == 201, uploaded.content
    attachment = uploaded.json()
    assert attachment["attachment_type"] == kind.pk and attachment["name"] == "form.pdf"
    assert [a["id"] for a in api.get(f"{APPS}/{number}/attachments").json()] == [attachment["id"]]
    download = api.client.get(attachment["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    not_pdf = api.upload(f"{APPS}/{number}/attachments", {"file": drug.pdf("x.pdf", b"hello")})
    assert not_pdf.status_code == 422
    assert api.delete(f"{APPS}/{number}/attachments/{attachment['id']}").status_code == 204
    assert not Attachment.objects.filter(pk=attachment["id"]).exists()

    # Copy, then delete the copy.
    copied = api.post(f"{APPS}/{number}/copy", {"times": 1})
    assert copied.status_code == 201
    copy_number = copied.json()[0]["number"]
    assert copy_number != number and copied.json()[0]["header"]["remarks"] == "second"
    assert api.delete(f"{APPS}/{copy_number}").status_code == 204
    assert not Filing.objects.filter(number=copy_number).exists()


def test_bad_input_is_a_bilingual_422_never_a_500(chain, owner):
    api = ApiClient(owner)
    number = api.post(APPS, drug_header()).json()["number"]
    bad = [
        api.post(APPS, drug_header(import_port_1="NO-SUCH-PORT", purpose=None)),
        api.post(APPS, {"direction": 5}),
        api.post(f"{APPS}/{number}/lines", drug_line(quantity="abc")),
        api.patch(f"{APPS}/{number}", {"authority": ["x"]}),
        api.get(APPS, status="NOPE"),
        api.get(APPS, cursor="%%%"),
        api.get(APPS, cursor="cD1hYmM="),  # a well-formed cursor at a position that is no id
        api.post(f"{APPS}/{number}/copy", {"times": 0}),
    ]
    for response in bad:
        assert response.status_code == 422, response.content
        body = response.json()
        assert body["code"] in ("validation_error", "invalid_request")
        assert body["messages"]["zh"] and body["messages"]["en"]
    unreadable = api.client.post(f"/api/v1{APPS}", "{not json", content_type="application/json")
    assert unreadable.status_code == 400 and unreadable.json()["code"] == "invalid_request"
    port = bad[0].json()["fields"]["import_port_1"]
    assert port["en"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert port["zh"] != port["en"]
    assert bad[0].json()["fields"]["purpose"]["en"] == ["This field is required."]


def test_list_filters_and_cursor_pagination(chain, owner):
    api = ApiClient(owner)
    numbers = [api.post(APPS, drug_header()).json()["number"] for _ in range(3)]
    first = api.get(APPS, page_size=2).json()
    assert [r["number"] for r in first["results"]] == numbers[::-1][:2]
    second = api.client.get(first["next"]).json()
    assert [r["number"] for r in second["results"]] == [numbers[0]]
    assert second["next"] is None
    found = api.get(APPS, number=numbers[1])
    assert found.status_code == 200, found.content
    assert [r["number"] for r in found.json()["results"]] == [numbers[1]]
    assert len(api.get(APPS, status="DRAFT").json()["results"]) == 3
    assert api.get(APPS, status="APPROVED").json()["results"] == []


def test_submit_with_the_second_factor_code(chain, owner, authority):
    """The drug permit asks for the second factor: the API takes a current TOTP code in
    X-Second-Factor on each submit (the seeds' card key), never the token alone."""
    application = drug.complete_draft(owner, authority)
    second_factor.enrol_with_secret(owner, TEST_TOTP_SECRET)
    api = ApiClient(owner)
    url = f"{APPS}/{application.number}/submit"
    missing = api.post(url)
    assert missing.status_code == 403 and missing.json()["code"] == "second_factor_required"
    assert api.post(url, **{"X-Second-Factor": "000000"}).status_code == 403
    second_factor.confirmed_device(owner).throttle_reset()  # django-otp waits after a miss
    application.refresh_from_db()
    assert application.status == "DRAFT"
    code = f"{totp(b32decode(TEST_TOTP_SECRET)):06d}"
    done = api.post(url, **{"X-Second-Factor": code})
    assert done.status_code == 200, done.content
    assert done.json()["status"] != "DRAFT" and done.json()["submitted_at"]
    application.refresh_from_db()
    assert application.status == done.json()["status"]
    # Submitted: no longer editable, and submitting again is "already handled".
    assert api.patch(f"{APPS}/{application.number}", {"remarks": "x"}).status_code == 422
    again = api.post(url, **{"X-Second-Factor": code})
    assert again.status_code in (403, 409)


def test_submit_refused_by_the_rules_says_why(chain, owner):
    second_factor.enrol_with_secret(owner, TEST_TOTP_SECRET)
    api = ApiClient(owner)
    number = api.post(APPS, drug_header()).json()["number"]
    code = f"{totp(b32decode(TEST_TOTP_SECRET)):06d}"
    refused = api.post(f"{APPS}/{number}/submit", **{"X-Second-Factor": code})
    assert refused.status_code == 422
    assert "Add at least one goods line." in str(refused.json())


@pytest.mark.parametrize("key", [s.key for s in registry.all_systems()])
def test_every_system_lists_and_retrieves_its_drafts(key, owner):
    system = registry.get(key)
    scenario = SCENARIOS[key]
    scenario.chains()
    draft = scenario.draft(owner, scenario.authority())
    api = ApiClient(owner)
    base = f"/{system.slug}/applications"
    listed = api.get(base)
    assert listed.status_code == 200
    assert [r["number"] for r in listed.json()["results"]] == [draft.number]
    got = api.get(f"{base}/{draft.number}").json()
    assert got["system"] == key and set(got["header"]) == set(system.header_fields)
    assert got["status"] == system.draft_state
    # A patch of nothing keeps the draft as it was; garbage is refused, never a 500.
    assert api.patch(f"{base}/{draft.number}", {}).status_code == 200
    for name in system.header_fields:
        response = api.patch(f"{base}/{draft.number}", {name: {"nested": [1]}})
        if name in system.create_only_fields:
            assert response.status_code == 200  # not a field of the update
        else:
            assert response.status_code == 422, (name, response.content)
    copied = api.post(f"{base}/{draft.number}/copy", {})
    assert copied.status_code == 201, copied.content
    assert api.delete(f"{base}/{draft.number}").status_code == 204


def _json(value):
    """A helper's service value as a machine client sends it (reference items by code)."""
    if isinstance(value, list):
        return [_json(v) for v in value]
    if hasattr(value, "code"):
        return value.code
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


HEADERS = {
    "DRUG_PERMIT": lambda owner: drug.header(SCENARIOS["DRUG_PERMIT"].authority()),
    "AV_IMPORT": lambda owner: av.header(),
    "AUTO_IMPORT_LICENCE": lambda owner: licence.header(),
    "EXPORT_DRUG_ARCHIVE": lambda owner: archive.complete_enterprise(owner) or archive.values(),
}


@pytest.mark.parametrize("key", [s.key for s in registry.all_systems()])
def test_every_system_creates_by_api_what_its_page_creates(key, owner):
    """The create operation of each system, generated from its declaration: the values the
    services' own tests file, sent as JSON, give the same header back."""
    system = registry.get(key)
    SCENARIOS[key].chains()
    values = {name: _json(v) for name, v in HEADERS[key](owner).items()}
    api = ApiClient(owner)
    created = api.post(f"/{system.slug}/applications", values)
    assert created.status_code == 201, created.content
    header = created.json()["header"]
    for name, value in values.items():
        got = header[name]
        if isinstance(value, list):
            assert sorted(got) == sorted(value), name
        elif isinstance(value, str) and isinstance(got, str) and value.replace(".", "").isdigit():
            assert Decimal(got) == Decimal(value), name
        else:
            assert got == value, (name, got, value)
    assert Filing.objects.get(number=created.json()["number"]).system == key


def test_withdraw_a_submitted_application(chain, owner, authority):
    application = drug.complete_draft(owner, authority)
    drug.services.submit(filing=application, actor=owner, second_factor_verified=True)
    api = ApiClient(owner)
    url = f"{APPS}/{application.number}/withdraw"
    withdrawn = api.post(url)
    assert withdrawn.status_code == 200, withdrawn.content
    application.refresh_from_db()
    assert withdrawn.json()["status"] == application.status != "PENDING_ACCEPTANCE"
    again = api.post(url)
    assert again.status_code == 409 and again.json()["code"] == "already_handled"
    assert again.json()["messages"]["zh"] and again.json()["messages"]["en"]
    # A draft has nothing to withdraw.
    draft = drug.draft(owner, authority)
    assert api.post(f"{APPS}/{draft.number}/withdraw").status_code == 409


def test_a_service_message_with_values_reads_in_both_languages(chain, owner, authority):
    application = drug.complete_draft(owner, authority)
    refused = ApiClient(owner).post(f"{APPS}/{application.number}/copy", {"times": 999})
    assert refused.status_code == 422
    most = drug.system().copies_max
    assert refused.json()["messages"] == {
        "zh": [f"请填写复制份数：1 至 {most} 之间的整数。"],
        "en": [f"Enter how many copies to make: a whole number from 1 to {most}."],
    }
