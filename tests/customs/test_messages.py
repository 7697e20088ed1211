"""The protocol: messages validate against the XSDs, and hostile XML is refused."""

import time

import pytest

from customs import services, xml
from customs.models import InboundMessage, WriteOff
from customs.simulator import Simulator
from documents.models import Certificate

from ..drug_permit_helpers import decide_all

URL = "/customs/inbound/"


def post(client, body: bytes, headers=None):
    headers = headers if headers is not None else xml.signed_headers(secret(), body)
    return client.post(
        URL,
        data=body,
        content_type="application/xml",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def secret():
    from django.conf import settings

    return settings.CUSTOMS_SECRET


RECEIPT = (
    '<Receipt xmlns="urn:cn:singlewindow:customs:2" messageId="{id}" '
    'inReplyTo="{id}"><Document system="DRUG_PERMIT" number="ZZ202611000001"/>'
    "<Result>{result}</Result><ReceivedAt>2026-11-23T10:00:00</ReceivedAt>{extra}</Receipt>"
)
ID = "a" * 32
HOSTILE = {
    "external entity": (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + RECEIPT.format(id=ID, result="ACCEPTED", extra="").replace("</Receipt>", "&x;</Receipt>")
    ),
    "billion laughs": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + "]>"
        + RECEIPT.format(id=ID, result="ACCEPTED", extra="").replace(
            "</Receipt>", "&lol9;</Receipt>"
        )
    ),
    "wrong namespace": RECEIPT.format(id=ID, result="ACCEPTED", extra="").replace(
        "customs:2", "customs:9"
    ),
    "not in the schema": RECEIPT.format(id=ID, result="MAYBE", extra=""),
    "not XML": "<Receipt",
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_inbound_xml_is_refused_and_changes_nothing(client, case):
    started = time.perf_counter()
    response = post(client, HOSTILE[case].encode())
    assert response.status_code == 400, (case, response.content)
    assert time.perf_counter() - started < 2
    text = response.content.decode()
    assert "root:" not in text, "no file content leaks back"
    assert {
        "external entity": "DOCTYPE",
        "billion laughs": "DOCTYPE",
        "wrong namespace": "namespace",
        "not in the schema": "Line 1",
        "not XML": "well-formed",
    }[case] in text
    assert not InboundMessage.objects.exists() and not WriteOff.objects.exists()


@pytest.mark.django_db
def test_oversized_and_unsigned_messages(client):
    big = b"<a>" + b"x" * xml.MAX_MESSAGE_BYTES + b"</a>"
    assert post(client, big).status_code == 413
    body = RECEIPT.format(id=ID, result="ACCEPTED", extra="").encode()
    assert post(client, body, headers={}).status_code == 403
    forged = xml.signed_headers("not-the-secret", body)
    assert post(client, body, headers=forged).status_code == 403
    stale = {
        xml.TIMESTAMP_HEADER: str(int(time.time()) - 3600),
        xml.SIGNATURE_HEADER: xml.signature(secret(), str(int(time.time()) - 3600), body),
    }
    assert post(client, body, headers=stale).status_code == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_receipt_for_an_unknown_message_is_refused(client):
    body = RECEIPT.format(id=ID, result="ACCEPTED", extra="").encode()
    response = post(client, body)
    assert response.status_code == 400 and "No certificate message" in response.content.decode()


@pytest.mark.django_db
def test_certificate_message_round_trips_through_the_schema(chain, owner, authority):
    certificate = decide_all(owner, chain, authority).certificate
    data = services.certificate_data(Certificate.objects.get(pk=certificate.pk))
    body = xml.certificate_message(
        data, kind="ISSUE", message_id=xml.new_message_id(), sent_at=certificate.created_at
    )
    root = xml.parse(body, schema_name="outbound", expected=("CertificateMessage",))
    back = xml.read_certificate(root.find(f"{{{xml.NS}}}Certificate"))
    assert back["number"] == certificate.number and back["system"] == "DRUG_PERMIT"
    assert back["lines"][0]["quantity"] == data["lines"][0]["quantity"]
    assert back["lines"][0]["details"]["dosage_form"] == "注射剂"
    assert back["content"] == {"direction": "IMPORT", "purpose": "医疗用途"}
    assert back["holder_uscc"] == owner.membership.enterprise.uscc


def test_simulator_refuses_hostile_and_unsigned_messages(tmp_path):
    simulator = Simulator(db_path=str(tmp_path / "s.sqlite3"), portal_url="", secret="s" * 32)
    body = HOSTILE["external entity"].encode()
    status, text = simulator.accept_message(body, xml.signed_headers("s" * 32, body))
    assert status == 400 and "DOCTYPE" in text
    status, _text = simulator.accept_message(body, {})
    assert status == 403
    assert simulator.stats() == {"messages": []}


@pytest.mark.django_db
def test_one_declaration_line_writes_off_two_documents_of_different_systems(
    chain, owner, authority, client
):
    """Write-offs are keyed by the document as well as the declaration and its line."""
    from documents.models import CertificateLine

    first = decide_all(owner, chain, authority).certificate
    # Another system's licence with the same number: a document of its own.
    other = Certificate.objects.create(
        system="AUTO_IMPORT_LICENCE",
        number=first.number,
        authority=first.authority,
        holder_name=first.holder_name,
        holder_uscc=first.holder_uscc,
        issue_date=first.issue_date,
        valid_until=first.valid_until,
        issued_by=first.issued_by,
    )
    CertificateLine.objects.create(
        certificate=other,
        line_number=1,
        hs_code="2937121000",
        name="胰岛素",
        quantity=500,
        unit="支",
    )
    body = xml.write_off(
        message_id=xml.new_message_id(),
        declaration_number="223320260000000009",
        declaration_date="2026-11-23",
        port_code="2233",
        documents=[
            ("DRUG_PERMIT", first.number, [(1, "100", 3)]),
            ("AUTO_IMPORT_LICENCE", other.number, [(1, "100", 3)]),
        ],
    )
    assert post(client, body).status_code == 200
    rows = WriteOff.objects.order_by("pk")
    assert [(w.certificate_id, w.declaration_item) for w in rows] == [(first.pk, 3), (other.pk, 3)]
    assert post(client, body).status_code == 200  # the same message again: once only
    assert WriteOff.objects.count() == 2
