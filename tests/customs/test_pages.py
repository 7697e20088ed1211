"""The customs pages: send from the certificate query, correct, write-off queries, import."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customs import xml
from customs.models import ImportBatch, OutboundMessage
from documents.models import Certificate, CertificateSource, CustomsStatus

from ..conftest import USCC_BEIJING, client_for
from ..drug_permit_helpers import decide_all


def fresh(certificate):
    return Certificate.objects.get(pk=certificate.pk)


def write_off(client, number, declaration, quantity, line=1):
    body = xml.write_off(
        message_id=xml.new_message_id(),
        declaration_number=declaration,
        declaration_date=timezone.localdate(),
        port_code="2233",
        documents=[("DRUG_PERMIT", number, [(line, quantity, 1)])],
    )
    from django.conf import settings

    headers = xml.signed_headers(settings.CUSTOMS_SECRET, body)
    return client.post(
        "/customs/inbound/",
        data=body,
        content_type="application/xml",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


@pytest.mark.django_db
def test_send_from_the_certificate_query_stays_within_the_authority(chain, owner, authority):
    certificate = decide_all(owner, chain, authority).certificate
    foreign = client_for(chain["other-l1"])
    foreign.post(
        "/admin/drug-permit/certificates/", {"action": "send", "selected": [certificate.number]}
    )
    assert not OutboundMessage.objects.exists()
    staff = client_for(chain[4])
    response = staff.post(
        "/admin/drug-permit/certificates/",
        {"action": "send", "selected": [certificate.number]},
        follow=True,
    )
    assert (
        "已发往海关" in response.content.decode() or "Sent to customs" in response.content.decode()
    )
    assert fresh(certificate).customs_status == CustomsStatus.SENT
    message = OutboundMessage.objects.get()
    assert message.kind == "ISSUE" and message.state == "PENDING"
    again = staff.post(
        "/admin/drug-permit/certificates/",
        {"action": "send", "selected": [certificate.number]},
        follow=True,
    )
    assert OutboundMessage.objects.count() == 1, "not sent twice while waiting for customs"
    assert certificate.number in again.content.decode()


@pytest.mark.django_db
def test_correct_page_keeps_input_on_error_and_shows_the_difference(chain, owner, authority):
    certificate = decide_all(owner, chain, authority).certificate
    staff = client_for(chain[4])
    url = f"/admin/drug-permit/certificates/{certificate.number}/correct/"
    page = staff.get(url).content.decode()
    assert 'name="line-1-quantity"' in page and 'value="1000"' in page
    bad = {
        "valid_until": "2020-01-01",
        "ports": certificate.ports,
        "remarks": "",
        "line-1-details.specification": "10ml:400IU",
        "line-1-quantity": "abc",
        "line-1-details.manufacturer": "Novo Nordisk A/S",
        "reason": "",
    }
    response = staff.post(url, bad)
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写更正原因" in body and "请输入数字" in body and "不能早于签发日期" in body
    assert 'value="abc"' in body, "typed values survive"
    good = {
        **bad,
        "valid_until": (certificate.valid_until + timedelta(days=30)).isoformat(),
        "line-1-quantity": "900",
        "reason": "企业申请",
    }
    response = staff.post(url, good)
    assert response.status_code == 302
    corrected = fresh(certificate)
    assert corrected.revision == 2 and corrected.lines.get().quantity == 900
    detail = staff.get(f"/admin/drug-permit/certificates/{certificate.number}/").content.decode()
    assert "<del>1000</del>" in detail and "<ins>900</ins>" in detail
    assert "企业申请" in detail and "王复审" not in detail  # who corrected: level 4
    # The enterprise sees the corrected data.
    owner_page = client_for(owner).get(f"/drug-permits/certificates/{certificate.number}/")
    assert "900" in owner_page.content.decode()
    assert "<del>1000</del>" in owner_page.content.decode()


@pytest.mark.django_db
def test_write_off_queries_for_approvers_and_enterprises(
    chain, owner, other_owner, authority, client
):
    certificate = decide_all(owner, chain, authority).certificate
    assert write_off(client, certificate.number, "223320260000000007", "400").status_code == 200
    assert write_off(client, certificate.number, "223320260000000008", "700").status_code == 200
    staff = client_for(chain[2])
    listing = staff.get("/admin/drug-permit/write-offs/").content.decode()
    assert "223320260000000007" in listing and "超出剩余数量" in listing
    flagged = staff.get("/admin/drug-permit/write-offs/", {"flagged": "1"}).content.decode()
    assert "223320260000000008" in flagged and "223320260000000007" not in flagged
    declaration = staff.get("/admin/drug-permit/write-offs/223320260000000007/")
    assert declaration.status_code == 200 and certificate.number in declaration.content.decode()
    detail = staff.get(f"/admin/drug-permit/certificates/{certificate.number}/").content.decode()
    assert "-100" in detail

    mine = client_for(owner)
    listing = mine.get("/drug-permits/write-offs/").content.decode()
    assert "223320260000000007" in listing
    assert mine.get("/drug-permits/declarations/223320260000000008/").status_code == 200
    assert mine.get(f"/drug-permits/certificates/{certificate.number}/").status_code == 200

    stranger = client_for(other_owner)
    assert "223320260000000007" not in stranger.get("/drug-permits/write-offs/").content.decode()
    assert stranger.get("/drug-permits/declarations/223320260000000007/").status_code == 404
    assert stranger.get(f"/drug-permits/certificates/{certificate.number}/").status_code == 404
    foreign = client_for(chain["other-l1"])
    assert (
        "223320260000000007" not in foreign.get("/admin/drug-permit/write-offs/").content.decode()
    )
    assert foreign.get("/admin/drug-permit/write-offs/223320260000000007/").status_code == 404
    assert foreign.get(f"/admin/drug-permit/certificates/{certificate.number}/").status_code == 404


def batch_file(records: list[dict], name="batch.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xml.certificate_batch(records), content_type="text/xml")


def record(number, authority_code="DA-110000", **overrides):
    return {
        "system": "DRUG_PERMIT",
        "number": number,
        "revision": 1,
        "authority_code": authority_code,
        "holder_name": "北京示范医药有限公司",
        "holder_uscc": USCC_BEIJING,
        "issue_date": timezone.localdate(),
        "valid_until": timezone.localdate() + timedelta(days=365),
        "content": {"direction": "IMPORT", "purpose": "医疗用途"},
        "lines": [
            {
                "line_number": 1,
                "hs_code": "2937121000",
                "name": "重组人胰岛素",
                "quantity": "500",
                "unit": "支",
                "details": {
                    "specification": "10ml:400IU",
                    "manufacturer": "Novo Nordisk A/S",
                    "country": "丹麦",
                },
            }
        ],
        **overrides,
    }


@pytest.mark.django_db
def test_import_lists_bad_records_with_reason_and_line_then_sends_the_good_ones(
    chain, owner, authority, django_capture_on_commit_callbacks
):
    data = xml.certificate_batch(
        [record("ZZ202611900001"), record("ZZ202611900002", authority_code="DA-310000")]
    ).decode()
    # A third record that breaks the schema (a USCC of the wrong shape).
    broken = (
        data.replace("</CertificateBatch>", "")
        + data[
            data.index('<Certificate system="DRUG_PERMIT">') : data.index("</Certificate>")
            + len("</Certificate>")
        ]
        .replace("ZZ202611900001", "ZZ202611900003")
        .replace(USCC_BEIJING, "123")
        + ("</CertificateBatch>")
    )
    staff = client_for(chain[1])
    upload = SimpleUploadedFile("batch.xml", broken.encode(), content_type="text/xml")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/admin/drug-permit/imports/", {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.url == f"/admin/drug-permit/imports/{batch.pk}/"
    status = staff.get(f"/admin/drug-permit/imports/{batch.pk}/status/").json()
    assert status["finished"] and (status["valid"], status["invalid"]) == (1, 2)
    invalid = staff.get(response.url, {"show": "invalid"}).content.decode()
    assert "ZZ202611900002" in invalid and "DA-310000" in invalid
    assert "ZZ202611900003" in invalid and "HolderUscc" in invalid
    bad = batch.records.get(number="ZZ202611900003")
    assert bad.source_line > 1 and str(bad.source_line) in invalid
    good = batch.records.get(valid=True)
    staff.post(response.url, {"selected": [good.position]})
    certificate = Certificate.objects.get(number="ZZ202611900001")
    assert certificate.source == CertificateSource.IMPORTED
    assert certificate.customs_status == CustomsStatus.SENT
    assert OutboundMessage.objects.get().certificate == certificate
    # The holder enterprise sees it (it is its USCC).
    assert client_for(owner).get("/drug-permits/certificates/ZZ202611900001/").status_code == 200
    # Sending it again does nothing.
    staff.post(response.url, {"selected": [good.position]})
    assert OutboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_import_refuses_hostile_or_foreign_files(chain, django_capture_on_commit_callbacks):
    staff = client_for(chain[1])
    hostile = SimpleUploadedFile(
        "x.xml", b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a/>'
    )
    response = staff.post("/admin/drug-permit/imports/", {"file": hostile})
    assert response.status_code == 200 and "DOCTYPE" in response.content.decode()
    assert not ImportBatch.objects.exists()
    not_xml = SimpleUploadedFile("x.txt", b"hello")
    assert "XML" in staff.post("/admin/drug-permit/imports/", {"file": not_xml}).content.decode()
    other = SimpleUploadedFile("x.xml", b'<Batch xmlns="urn:other"><Certificate/></Batch>')
    with django_capture_on_commit_callbacks(execute=True):
        staff.post("/admin/drug-permit/imports/", {"file": other})
    batch = ImportBatch.objects.get()
    assert batch.state == "FAILED" and "urn:other" in batch.error
    assert not batch.records.exists()
