"""老版录入: a certificate issued earlier on paper, keyed in by a final-level approver or
the authority's administrator, checked as strictly as an imported one, sent to customs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from customs import imports
from customs.models import OutboundMessage
from documents import services as documents
from documents.models import Certificate, CertificateSource, CustomsStatus
from filings.models import AuditEntry
from portal.reference.models import Authority

from ..conftest import USCC_BEIJING, USCC_SHANGHAI, client_for
from ..drug_permit_helpers import decide_all

URL = "/admin/drug-permit/legacy-entry/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def english(user):
    """A client of ``user`` reading the portal in English (the language cookie)."""
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


LINE = {
    "hs_code": "2937121000",
    "name": "重组人胰岛素",
    "drug_name_en": "Insulin human",
    "dosage_form": "注射剂",
    "specification": "10ml:400IU",
    "quantity": "500",
    "unit": "支",
    "manufacturer": "Novo Nordisk A/S",
    "country": "丹麦",
}


def form(number="ZZ2019110000123", lines=(LINE,), rows=4, **header):
    """The entry form's POST: header values, then the goods-line rows (empty ones left blank)."""
    today = timezone.localdate()
    data = {
        "holder_uscc": USCC_BEIJING,
        "holder_name": "",
        "holder_address": "",
        "number": number,
        "issue_date": (today - timedelta(days=30)).isoformat(),
        "valid_until": (today + timedelta(days=300)).isoformat(),
        "direction": "IMPORT",
        "purpose": "医疗用途",
        "ports": "北京首都机场",
        "remarks": "纸质证书补录",
        "confirm": "yes",
        "action": "save",
        **header,
    }
    rows = max(rows, len(lines))
    data.update(
        {
            "lines-TOTAL_FORMS": str(rows),
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "4",
        }
    )
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{key}": value for key, value in line.items()})
    return data


def values(number, **overrides):
    """The service's values for one entered certificate."""
    today = timezone.localdate()
    return {
        "holder_uscc": USCC_BEIJING,
        "holder_name": "",
        "holder_address": "",
        "number": number,
        "issue_date": today - timedelta(days=30),
        "valid_until": today + timedelta(days=300),
        "direction": "IMPORT",
        "purpose": "医疗用途",
        "ports": "北京首都机场",
        "remarks": "",
        "lines": [{**LINE, "quantity": 500}],
        **overrides,
    }


# --- end to end, through the customs simulator -----------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_entered_certificate_goes_to_customs_and_the_holder_sees_it(customs, chain, owner):
    from customs import services

    staff = english(chain[4])
    page = staff.get(URL, **EN).content.decode()
    assert "Enter an earlier certificate" in page and 'name="lines-3-hs_code"' in page
    # The holder is found by its USCC: its registered name and address fill the form.
    found = staff.post(URL, {**form(), "action": "lookup"}, **EN).content.decode()
    assert "甲公司" in found and "北京市朝阳区建国路1号" in found
    # Without the confirmation nothing is saved, and nothing typed is lost.
    unconfirmed = staff.post(URL, {**form(), "confirm": ""}, **EN)
    assert unconfirmed.status_code == 200
    text = unconfirmed.content.decode()
    assert "Tick the box to confirm" in text and "ZZ2019110000123" in text
    assert "Novo Nordisk A/S" in text and not Certificate.objects.exists()

    response = staff.post(URL, form(), **EN)
    assert response.status_code == 302
    assert response.url == "/admin/drug-permit/certificates/ZZ2019110000123/"
    certificate = Certificate.objects.get(number="ZZ2019110000123")
    assert certificate.source == CertificateSource.ENTERED
    assert certificate.filing is None and certificate.authority.code == "DA-110000"
    assert (certificate.holder_name, certificate.holder_uscc) == ("甲公司", USCC_BEIJING)
    assert certificate.content == {"direction": "IMPORT", "purpose": "医疗用途"}
    line = certificate.lines.get()
    assert (line.line_number, line.hs_code, str(line.quantity)) == (1, "2937121000", "500.000")
    assert line.details["drug_name_en"] == "Insulin human" and line.details["country"] == "丹麦"
    assert certificate.customs_status == CustomsStatus.SENT
    changes = AuditEntry.objects.for_object(certificate).exclude(transition="document_issued")
    assert list(changes.values_list("transition", flat=True)) == ["certificate_entered", "send"]
    detail = staff.get(response.url, **EN).content.decode()
    assert "Entered from a paper certificate" in detail
    listed = staff.get("/admin/drug-permit/certificates/", **EN).content.decode()
    assert "ZZ2019110000123" in listed and "Entered from a paper certificate" in listed
    with translation.override("en"):
        checked = documents.verify(documents.code_for(certificate).code)
    assert checked.status == "current"
    assert ("来源 Source", "Entered from a paper certificate") in checked.rows

    assert services.deliver_due() == 1
    assert [m["number"] for m in customs.received()] == ["ZZ2019110000123"]
    assert customs.simulator.pump() == 1
    certificate.refresh_from_db()
    assert certificate.customs_status == CustomsStatus.ACCEPTED

    holder = english(owner)
    mine = holder.get("/drug-permits/certificates/ZZ2019110000123/", **EN).content.decode()
    assert "Entered from a paper certificate" in mine and "Received by customs" in mine
    listed = holder.get("/drug-permits/history/", **EN).content.decode()
    assert "ZZ2019110000123" in listed and "Entered from a paper certificate" in listed


# --- the number: unique against every certificate the authority issued ---------------------


@pytest.mark.django_db
def test_a_number_already_issued_imported_or_entered_is_refused(chain, owner, authority):
    issued = decide_all(owner, chain, authority).certificate
    imported = imports.create_certificate(
        imports.entry_data(values("ZZ2018110000001"), system=_system(), authority=authority),
        system="DRUG_PERMIT",
        authority_id=authority.pk,
        actor=chain[4],
        source=CertificateSource.IMPORTED,
    )
    entered = imports.enter_certificate(
        actor=chain[4], system="DRUG_PERMIT", values=values("ZZ2018110000002")
    )
    assert entered.source == CertificateSource.ENTERED
    staff = english(chain["admin"])  # the authority's administrator enters too
    for taken in (issued, imported, entered):
        response = staff.post(URL, form(number=taken.number), **EN)
        assert response.status_code == 200
        text = response.content.decode()
        assert "A certificate with this number already exists." in text
        assert 'id="number-error"' in text and "Novo Nordisk A/S" in text
    assert Certificate.objects.count() == 3
    # Customs knows a certificate by system and number: another authority may not reuse it.
    shanghai = chain["other"][4]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        imports.enter_certificate(
            actor=shanghai, system="DRUG_PERMIT", values=values(entered.number)
        )
    assert refused.value.message_dict["number"] == [
        "A certificate with this number already exists."
    ]
    # And the database holds the rule when a check is raced past.
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            system="DRUG_PERMIT",
            number=entered.number,
            authority=Authority.objects.get(code="DA-310000"),
            holder_name="x",
            holder_uscc=USCC_SHANGHAI,
            issue_date=timezone.localdate(),
            valid_until=timezone.localdate(),
            issued_by=shanghai,
        )


def _system():
    from filings import registry

    return registry.get("DRUG_PERMIT")


# --- bad input: messages beside the fields, nothing typed lost, no 500 --------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"holder_uscc": "91110108MA01C2D3XA"}, "The check character"),
        ({"holder_uscc": "123"}, "must be 18 characters"),
        ({"valid_until": "2019-01-01", "issue_date": "2019-06-01"}, "Valid until is before"),
        ({"lines": ()}, "at least one goods line"),
        ({"lines": (LINE,) * 5}, "at most 4 goods lines"),
        ({"lines": ({**LINE, "quantity": "0"},)}, "The quantity must be more than zero."),
        ({"lines": ({**LINE, "quantity": "-3"},)}, "The quantity must be more than zero."),
        ({"lines": ({**LINE, "quantity": "many"},)}, "Enter a number."),
        ({"lines": ({**LINE, "hs_code": "29A7"},)}, "An HS code is 8 to 10 digits."),
        ({"number": "zz 12"}, "6 to 32 capital letters"),
        ({"direction": "SIDEWAYS"}, "Select a valid choice."),
    ],
)
def test_bad_input_gives_a_message_and_keeps_what_was_typed(chain, change, message):
    staff = english(chain[4])
    change = dict(change)
    lines = change.pop("lines", (LINE,))
    data = form(lines=lines, remarks="补录：原件存档 2019-17", **change)
    response = staff.post(URL, data, **EN)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "补录：原件存档 2019-17" in text and data["holder_uscc"] in text
    for line in lines:
        assert line["manufacturer"] in text and line["quantity"] in text
    assert not Certificate.objects.exists() and not OutboundMessage.objects.exists()


# --- who may enter ------------------------------------------------------------------------------


def refused(response) -> bool:
    """Wagtail answers "no permission" with a redirect away (to the dashboard or sign-in)."""
    return response.status_code == 403 or (
        response.status_code == 302 and not response.url.startswith(URL)
    )


@pytest.mark.django_db
def test_only_final_level_approvers_and_the_administrator_of_the_authority(chain, owner):
    for level in (1, 2, 3):
        lower = client_for(chain[level])
        assert refused(lower.get(URL)) and refused(lower.post(URL, form()))
        assert "legacy-entry" not in lower.get("/admin/", **EN).content.decode()
    assert "legacy-entry" in client_for(chain[4]).get("/admin/", **EN).content.decode()
    with pytest.raises(PermissionDenied):
        imports.enter_certificate(
            actor=chain[1], system="DRUG_PERMIT", values=values("ZZ2019110000999")
        )
    # An enterprise never reaches the back office's entry.
    enterprise = client_for(owner)
    assert refused(enterprise.get(URL)) and refused(enterprise.post(URL, form()))
    assert not Certificate.objects.exists()

    # The administrator enters for its authority; the certificate is sent at once.
    admin = client_for(chain["admin"])
    assert admin.post(URL, form(number="ZZ2019110000777"), **EN).status_code == 302
    ours = Certificate.objects.get(number="ZZ2019110000777")
    assert ours.customs_status == CustomsStatus.SENT and ours.issued_by == chain["admin"]

    # Another authority's final approver enters for its own authority only, and never
    # reaches ours.
    shanghai = client_for(chain["other"][4])
    assert shanghai.post(URL, form(number="ZZ2019310000001"), **EN).status_code == 302
    theirs = Certificate.objects.get(number="ZZ2019310000001")
    assert theirs.authority.code == "DA-310000"
    assert shanghai.get(f"/admin/drug-permit/certificates/{ours.number}/").status_code == 404
    assert admin.get(f"/admin/drug-permit/certificates/{theirs.number}/").status_code == 404
    assert theirs.number not in admin.get("/admin/drug-permit/certificates/").content.decode()
