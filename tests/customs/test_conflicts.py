"""Customs data that disagrees with what was recorded is kept as a conflict, never dropped."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from customs import services, xml
from customs.models import CustomsConflict, InboundMessage, WriteOff
from documents.models import Certificate, CustomsStatus
from filings.models import AuditEntry

from ..conftest import client_for as signed_in
from ..drug_permit_helpers import decide_all


def client_for(user):
    """Signed in, reading the portal in English (the portal is Chinese first)."""
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


pytestmark = pytest.mark.django_db


def post_inbound(client, body):
    headers = xml.signed_headers(settings.CUSTOMS_SECRET, body)
    return client.post(
        "/customs/inbound/",
        data=body,
        content_type="application/xml",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def write_off(client, number, quantity, declaration="223320260000000001", line=1):
    body = xml.write_off(
        message_id=xml.new_message_id(),
        declaration_number=declaration,
        declaration_date=timezone.localdate(),
        port_code="2233",
        documents=[("DRUG_PERMIT", number, [(line, quantity, 1)])],
    )
    return post_inbound(client, body)


def receipt(client, message, accepted, reason=""):
    body = xml.receipt(
        message_id=xml.new_message_id(),
        in_reply_to=message.message_id,
        system=message.certificate.system,
        number=message.certificate.number,
        accepted=accepted,
        reason=reason,
        received_at=timezone.now(),
    )
    return post_inbound(client, body)


@pytest.fixture
def certificate(chain, owner, authority):
    return decide_all(owner, chain, authority).certificate


def admin_url(certificate):
    return f"/admin/drug-permit/certificates/{certificate.number}/"


def resolve(client, certificate, conflict, decision, reason="checked with customs", confirm="yes"):
    return client.post(
        admin_url(certificate),
        {
            "action": "resolve_conflict",
            "conflict": str(conflict.pk),
            "decision": decision,
            "reason": reason,
            "confirm": confirm,
        },
        follow=True,
    )


def test_conflicting_write_off_is_recorded_flagged_and_kept(client, certificate, chain, owner):
    assert write_off(client, certificate.number, "300").status_code == 200
    response = write_off(client, certificate.number, "400")
    assert response.status_code == 200, "customs is told the message was received"
    assert InboundMessage.objects.count() == 2
    conflict = CustomsConflict.objects.get()
    assert conflict.kind == "WRITE_OFF" and conflict.state == "OPEN"
    assert conflict.recorded["quantity"] == "300.000" and conflict.incoming["quantity"] == "400.000"
    assert WriteOff.objects.get().quantity == Decimal(300), "recorded data stands meanwhile"
    (row,) = services.ledger(certificate)
    assert row["open_conflicts"] == 1
    # Flagged for the approver and for the enterprise.
    staff = client_for(chain[4])
    page = staff.get(admin_url(certificate)).content.decode()
    assert 'id="customs-conflicts"' in page and "conflict-flag" in page
    assert 'name="decision"' in page
    # The values under their names in the reader's language, not the message's keys.
    assert "Quantity: 300.000" in page and "Quantity: 400.000" in page
    assert "Declaration number: 223320260000000001" in page and "port_code" not in page
    mine = client_for(owner).get(
        f"/drug-permits/certificates/{certificate.number}/",
    )
    assert 'id="customs-conflicts"' in mine.content.decode()
    assert 'name="decision"' not in mine.content.decode(), "the enterprise cannot resolve"
    # Keep.
    response = resolve(staff, certificate, conflict, "keep")
    assert "The conflict is resolved." in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.state == "KEPT" and conflict.resolved_by == chain[4]
    assert WriteOff.objects.get().quantity == Decimal(300)
    entry = AuditEntry.objects.filter(transition="customs_conflict_keep").get()
    assert entry.opinion == "checked with customs"
    assert services.ledger(certificate)[0]["open_conflicts"] == 0
    # Resolved once only.
    again = resolve(staff, certificate, conflict, "replace")
    assert "already resolved" in again.content.decode()
    assert WriteOff.objects.get().quantity == Decimal(300)


def test_replace_takes_the_incoming_write_off_within_the_limit(client, certificate, chain):
    write_off(client, certificate.number, "300")
    write_off(client, certificate.number, "450")
    conflict = CustomsConflict.objects.get()
    staff = client_for(chain[4])
    resolve(staff, certificate, conflict, "replace")
    conflict.refresh_from_db()
    assert conflict.state == "REPLACED"
    assert WriteOff.objects.get().quantity == Decimal(450)
    (row,) = services.ledger(certificate)
    assert (row["written_off"], row["remainder"]) == (Decimal(450), Decimal(550))
    assert AuditEntry.objects.filter(transition="customs_conflict_replace").count() == 1


def test_replace_beyond_the_licensed_quantity_is_refused(client, certificate, chain):
    write_off(client, certificate.number, "300")
    write_off(client, certificate.number, "1500")
    conflict = CustomsConflict.objects.get()
    response = resolve(client_for(chain[4]), certificate, conflict, "replace")
    assert response.status_code == 200
    assert "more than the licensed" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.state == "OPEN"
    assert WriteOff.objects.get().quantity == Decimal(300)
    assert not AuditEntry.objects.filter(transition__startswith="customs_conflict").exists()


def test_exact_duplicate_write_off_is_no_conflict(client, certificate):
    write_off(client, certificate.number, "300")
    response = write_off(client, certificate.number, "300")
    assert response.status_code == 200
    assert not CustomsConflict.objects.exists()
    assert WriteOff.objects.count() == 1


def test_bad_resolve_input_is_a_clear_message(client, certificate, chain):
    write_off(client, certificate.number, "300")
    write_off(client, certificate.number, "400")
    conflict = CustomsConflict.objects.get()
    staff = client_for(chain[4])
    for decision, reason, confirm, text in [
        ("destroy", "x", "yes", "Choose to keep the recorded data or replace it."),
        ("keep", "  ", "yes", "Enter the reason for the decision."),
        ("keep", "ok", "", "Confirm the decision to resolve the conflict."),
    ]:
        response = resolve(staff, certificate, conflict, decision, reason, confirm)
        assert response.status_code == 200 and text in response.content.decode()
    response = staff.post(
        admin_url(certificate),
        {"action": "resolve_conflict", "conflict": "abc", "decision": "keep"},
        follow=True,
    )
    assert "Choose a conflict of this certificate." in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.state == "OPEN"


def test_other_enterprise_and_authority_neither_see_nor_resolve(
    client, certificate, chain, other_owner
):
    write_off(client, certificate.number, "300")
    write_off(client, certificate.number, "400")
    conflict = CustomsConflict.objects.get()
    stranger = client_for(other_owner)
    assert stranger.get(f"/drug-permits/certificates/{certificate.number}/").status_code == 404
    foreign = client_for(chain["other-l1"])
    assert foreign.get(admin_url(certificate)).status_code == 404
    assert resolve(foreign, certificate, conflict, "replace").status_code == 404
    conflict.refresh_from_db()
    assert conflict.state == "OPEN"
    from django.core.exceptions import PermissionDenied

    from customs import conflicts

    with pytest.raises(PermissionDenied):
        conflicts.resolve(conflict=conflict, actor=chain["other-l1"], decision="keep", reason="x")


def test_contradicting_receipt_is_a_conflict_kept_or_replaced(client, certificate, chain):
    message = services.send_certificate(certificate=certificate, actor=chain[4])
    assert receipt(client, message, accepted=False, reason="HS code unknown").status_code == 200
    assert Certificate.objects.get(pk=certificate.pk).customs_status == CustomsStatus.REJECTED
    # The same answer again under a new id: no conflict.
    receipt(client, message, accepted=False, reason="HS code unknown")
    assert not CustomsConflict.objects.exists()
    # Accepted after rejected: a conflict, nothing changed yet.
    assert receipt(client, message, accepted=True).status_code == 200
    conflict = CustomsConflict.objects.get()
    assert conflict.kind == "RECEIPT"
    assert conflict.recorded["result"] == "REJECTED" and conflict.incoming["result"] == "ACCEPTED"
    assert Certificate.objects.get(pk=certificate.pk).customs_status == CustomsStatus.REJECTED
    staff = client_for(chain[4])
    page = staff.get(admin_url(certificate)).content.decode()
    assert f'id="conflict-{conflict.pk}"' in page
    resolve(staff, certificate, conflict, "replace", reason="customs confirmed acceptance")
    conflict.refresh_from_db()
    assert conflict.state == "REPLACED"
    message.refresh_from_db()
    assert message.receipt_result == "ACCEPTED"
    assert Certificate.objects.get(pk=certificate.pk).customs_status == CustomsStatus.ACCEPTED
    assert AuditEntry.objects.filter(transition="customs_conflict_replace").count() == 1
    # A later contradiction kept: the accepted status stands.
    receipt(client, message, accepted=False, reason="late rejection")
    second = CustomsConflict.objects.get(state="OPEN")
    resolve(staff, certificate, second, "keep")
    second.refresh_from_db()
    assert second.state == "KEPT"
    assert Certificate.objects.get(pk=certificate.pk).customs_status == CustomsStatus.ACCEPTED
