"""Certificates to customs and back, through the simulator over real HTTP."""

from datetime import timedelta
from decimal import Decimal

import pytest

from customs import services, xml
from customs.models import InboundMessage, OutboundMessage, WriteOff
from documents import services as documents
from documents.models import Certificate, CertificateStatus, CustomsStatus

from .conftest import run_outbox_worker, send, start_simulator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fresh(certificate):
    return Certificate.objects.get(pk=certificate.pk)


def test_send_deliver_receipt_accepted(customs, certificate, chain):
    message = send(certificate, chain[4])
    assert fresh(certificate).customs_status == CustomsStatus.SENT
    assert message.state == OutboundMessage.State.PENDING, "nothing leaves before the worker"
    assert services.deliver_due() == 1
    message.refresh_from_db()
    assert message.state == OutboundMessage.State.DELIVERED
    assert [m["number"] for m in customs.received()] == [certificate.number]
    assert customs.simulator.pump() == 1
    assert fresh(certificate).customs_status == CustomsStatus.ACCEPTED
    message.refresh_from_db()
    assert message.receipt_result == "ACCEPTED"


def test_write_offs_apply_once_and_overdraw_is_flagged(customs, certificate, chain):
    send(certificate, chain[4])
    services.deliver_due()
    customs.simulator.pump()
    customs.simulator.declare(
        number=certificate.number, line=1, quantity="300", declaration="223320260000000001"
    )
    customs.simulator.declare(
        number=certificate.number, line=1, quantity="800", declaration="223320260000000002"
    )
    assert customs.simulator.pump() == 2
    (row,) = services.ledger(fresh(certificate))
    assert (row["licensed"], row["written_off"], row["remainder"]) == (
        Decimal(1000),
        Decimal(1100),
        Decimal(-100),
    )
    assert list(WriteOff.objects.values_list("exceeds_remainder", flat=True).order_by("pk")) == [
        False,
        True,
    ]
    # Customs sends the first one again (lost reply): nothing changes.
    body = InboundMessage.objects.filter(kind="WriteOff").order_by("pk").first().body.encode()
    assert services.receive(body, **signed(body)) == "duplicate: already applied"
    # The same declaration line in a new message is not counted twice either
    # (tests/customs/test_conflicts.py: one whose values differ is kept as a conflict).
    first = WriteOff.objects.get(declaration_number="223320260000000001")
    again = xml.write_off(
        message_id=xml.new_message_id(),
        declaration_number="223320260000000001",
        declaration_date=first.declaration_date.isoformat(),
        port_code=first.port_code,
        documents=[("DRUG_PERMIT", certificate.number, [(1, "300", 1)])],
    )
    assert services.receive(again, **signed(again)) == "write-off already applied"
    assert WriteOff.objects.count() == 2


def signed(body):
    headers = xml.signed_headers(xml_secret(), body)
    return {"timestamp": headers[xml.TIMESTAMP_HEADER], "signature": headers[xml.SIGNATURE_HEADER]}


def xml_secret():
    from django.conf import settings

    return settings.CUSTOMS_SECRET


def test_void_refused_by_customs_when_in_use_then_accepted_when_not(
    customs, chain, owner, authority
):
    from ..drug_permit_helpers import decide_all

    used, unused = (decide_all(owner, chain, authority).certificate for _ in range(2))
    for certificate in (used, unused):
        send(certificate, chain[4])
    services.deliver_due()
    customs.simulator.pump()
    customs.simulator.declare(number=used.number, line=1, quantity="10")
    customs.simulator.pump()
    for certificate in (used, unused):
        services.void_certificate(certificate=fresh(certificate), actor=chain[4], reason="企业申请")
        assert fresh(certificate).status == CertificateStatus.VOID_REQUESTED
    services.deliver_due()
    assert len(customs.received("VOID")) == 2
    customs.simulator.pump()
    refused, voided = fresh(used), fresh(unused)
    assert refused.status == CertificateStatus.ISSUED
    assert "不能作废" in refused.customs_reason
    assert voided.status == CertificateStatus.VOID
    assert voided.filing.specific.status == "VOID"  # customs agreed: the filing is void too
    assert refused.filing.specific.status == "APPROVED"


def test_a_never_sent_certificate_voids_at_once(certificate, chain):
    services.void_certificate(certificate=certificate, actor=chain[4], reason="错误签发")
    assert fresh(certificate).status == CertificateStatus.VOID
    assert not OutboundMessage.objects.exists()


def test_correction_is_a_revision_sent_again_and_supersedes_the_old_print(
    customs, certificate, chain, client
):
    send(certificate, chain[4])
    services.deliver_due()
    customs.simulator.pump()
    old_code = documents.code_for(certificate).code
    values = services.correctable_values(fresh(certificate))
    values.update({"remarks": "更正数量", "line-1-quantity": "800"})
    services.correct_certificate(
        certificate=fresh(certificate), actor=chain[4], values=values, reason="企业申请更正数量"
    )
    corrected = fresh(certificate)
    assert corrected.revision == 2 and corrected.customs_status == CustomsStatus.NOT_SENT
    assert corrected.revisions.count() == 2  # Wagtail revisions: as issued, as corrected
    (correction,) = documents.certificate_changes(corrected)
    assert correction["reason"] == "企业申请更正数量"
    changed = {(c.before, c.after) for line in correction["comparison"].lines for c in line.changes}
    assert ("1000", "800") in changed
    assert ("", "更正数量") in {(c.before, c.after) for c in correction["comparison"].fields}
    send(corrected, chain[4])
    services.deliver_due()
    assert [m["kind"] for m in customs.received()] == ["ISSUE", "CORRECT"]
    customs.simulator.pump()
    assert fresh(certificate).customs_status == CustomsStatus.ACCEPTED
    assert "800支" in documents.certificate_values(fresh(certificate))["goods"][0].replace(" ", "")
    page = client.get(f"/verify/{old_code}/").content.decode()
    assert "已更正" in page
    assert (
        "真实有效" in client.get(f"/verify/{documents.code_for(corrected).code}/").content.decode()
    )


def test_customs_rejection_is_shown_with_its_reason(customs, certificate, chain):
    Certificate.objects.filter(pk=certificate.pk).update(valid_until="2020-01-01")
    send(fresh(certificate), chain[4])
    services.deliver_due()
    customs.simulator.pump()
    rejected = fresh(certificate)
    assert rejected.customs_status == CustomsStatus.REJECTED
    assert "有效期已过" in rejected.customs_reason


def test_simulator_down_then_up_delivers_everything_once(
    live_server, settings, tmp_path, chain, owner, authority
):
    from ..drug_permit_helpers import decide_all

    settings.CUSTOMS_ENDPOINT = "http://127.0.0.1:9/customs/messages/"  # nothing listens
    settings.CUSTOMS_RETRY_BASE_SECONDS = 0
    certificates = [decide_all(owner, chain, authority).certificate for _ in range(3)]
    for certificate in certificates:
        send(certificate, chain[4])
    for _ in range(2):
        assert services.deliver_due() == 3
    assert set(OutboundMessage.objects.values_list("state", "attempts")) == {("PENDING", 2)}
    server, running = start_simulator(
        tmp_path / "up.sqlite3", f"{live_server.url}/customs/inbound/", settings.CUSTOMS_SECRET
    )
    try:
        settings.CUSTOMS_ENDPOINT = running.url
        assert services.deliver_due() == 3
        assert sorted(m["number"] for m in running.received()) == sorted(
            c.number for c in certificates
        )
        running.simulator.pump()
    finally:
        server.shutdown()
        server.server_close()
    assert {fresh(c).customs_status for c in certificates} == {CustomsStatus.ACCEPTED}


def test_every_retry_failing_marks_send_failed_and_a_resend_keeps_the_id(
    settings, certificate, chain
):
    settings.CUSTOMS_ENDPOINT = "http://127.0.0.1:9/customs/messages/"
    settings.CUSTOMS_RETRY_BASE_SECONDS = 0
    # A horizon of nothing: the first failed attempt is past it, so the message is a dead
    # letter at once (tests/customs/test_long_outage.py runs the real 24-hour horizon).
    settings.OUTBOX_RETRY_HORIZON = timedelta(0)
    message = send(certificate, chain[4])
    services.deliver_due()
    assert OutboundMessage.objects.get().state == "DEAD"
    failed = fresh(certificate)
    assert failed.customs_status == CustomsStatus.SEND_FAILED and failed.customs_reason
    again = send(failed, chain[4])
    assert again.message_id == message.message_id and again.state == "PENDING"
    assert OutboundMessage.objects.count() == 1


@pytest.mark.parametrize("fault", ["crash-before-send", "crash-after-send"])
def test_killed_worker_restarted_delivers_each_certificate_exactly_once(
    customs, chain, owner, authority, fault
):
    from ..drug_permit_helpers import decide_all

    certificates = [decide_all(owner, chain, authority).certificate for _ in range(2)]
    for certificate in certificates:
        send(certificate, chain[4])
    crashed = run_outbox_worker(customs.url, PORTAL_CUSTOMS_FAULT=fault)
    assert crashed.returncode == 3, crashed.stderr
    assert len(customs.received()) == (1 if fault == "crash-after-send" else 0)
    assert OutboundMessage.objects.filter(state="PENDING").count() == 2
    restarted = run_outbox_worker(customs.url)
    assert restarted.returncode == 0, restarted.stderr
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"DELIVERED"}
    received = [m["number"] for m in customs.received()]
    assert sorted(received) == sorted(c.number for c in certificates), "each exactly once"
