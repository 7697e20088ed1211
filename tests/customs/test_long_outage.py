"""Customs down for hours: retries back off to a cap and go on until the horizon (24 h);
past it the message is a dead letter, and sending it again delivers it exactly once.

The clock is moved (``django.utils.timezone.now`` patched), never waited for."""

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from customs import services
from customs.models import OutboundMessage
from documents.models import Certificate, CustomsStatus

from .conftest import send, start_simulator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DOWN = "http://127.0.0.1:9/customs/messages/"  # nothing listens


def fresh(certificate):
    return Certificate.objects.get(pk=certificate.pk)


ANSWERED = Counter()  # message id -> POSTs customs answered 2xx (duplicates included)


def counting_post(body, *, message_id):
    status = services.http_post(body, message_id=message_id)
    if 200 <= status < 300:
        ANSWERED[message_id] += 1
    return status


def run_worker_until(clock, until):
    """Run the worker at each moment a message falls due, up to ``until``; returns the
    moments it ran."""
    ran = []
    while True:
        due = (
            OutboundMessage.objects.filter(state="PENDING")
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if due is None or due > until:
            return ran
        clock.return_value = max(due, clock.return_value)
        services.deliver_due(post=counting_post)
        ran.append(clock.return_value)


def start_at_now():
    return mock.patch("django.utils.timezone.now", return_value=timezone.now())


def test_two_hour_outage_keeps_retrying_then_delivers_each_once(
    live_server, settings, tmp_path, chain, owner, authority
):
    from ..drug_permit_helpers import decide_all

    settings.CUSTOMS_ENDPOINT = DOWN
    settings.CUSTOMS_RETRY_BASE_SECONDS = 2
    certificates = [decide_all(owner, chain, authority).certificate for _ in range(3)]
    ANSWERED.clear()
    with start_at_now() as clock:
        start = clock.return_value
        for certificate in certificates:
            send(certificate, chain[4])
        ran = run_worker_until(clock, start + timedelta(hours=2))
        # old horizon was 8 attempts (~4 minutes); now still retrying after 2 hours
        offsets = [round((t - start).total_seconds()) for t in ran]
        assert offsets[:10] == [0, 2, 6, 14, 30, 62, 126, 254, 510, 1022]
        assert offsets[10] - offsets[9] == 900, "capped at 15 minutes"
        assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"PENDING"}
        assert {fresh(c).customs_status for c in certificates} == {CustomsStatus.SENT}
        server, running = start_simulator(
            tmp_path / "up.sqlite3", f"{live_server.url}/customs/inbound/", settings.CUSTOMS_SECRET
        )
        try:
            settings.CUSTOMS_ENDPOINT = running.url
            run_worker_until(clock, start + timedelta(hours=3))
            received = Counter(m["message_id"] for m in running.received())
            running.simulator.pump()
        finally:
            server.shutdown()
            server.server_close()
    ids = set(OutboundMessage.objects.values_list("message_id", flat=True))
    assert set(received) == ids and len(ids) == 3, "none missing"
    assert set(received.values()) == {1}, "none twice"
    assert ANSWERED == Counter({i: 1 for i in ids}), "each POSTed successfully exactly once"
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"DELIVERED"}
    assert {fresh(c).customs_status for c in certificates} == {CustomsStatus.ACCEPTED}


def test_beyond_the_horizon_a_dead_letter_then_sent_again_exactly_once(
    live_server, settings, tmp_path, chain, owner, authority
):
    from ..drug_permit_helpers import decide_all

    settings.CUSTOMS_ENDPOINT = DOWN
    certificates = [decide_all(owner, chain, authority).certificate for _ in range(2)]
    ANSWERED.clear()
    with start_at_now() as clock:
        start = clock.return_value
        for certificate in certificates:
            send(certificate, chain[4])
        run_worker_until(clock, start + timedelta(hours=23, minutes=50))
        assert {fresh(c).customs_status for c in certificates} == {CustomsStatus.SENT}
        run_worker_until(clock, start + timedelta(hours=25))
        dead = list(OutboundMessage.objects.all())
        assert {m.state for m in dead} == {"DEAD"}
        for message in dead:
            assert message.last_error and message.first_attempt_at == start
            assert message.last_attempt_at - start >= timedelta(hours=24)
            assert message.attempts > 90
        assert {fresh(c).customs_status for c in certificates} == {CustomsStatus.SEND_FAILED}
        assert {fresh(c).customs_reason for c in certificates} != {""}

        sent, refused = services.send_certificates(certificates=certificates, actor=chain[4])
        assert refused == [] and len(sent) == 2
        assert {fresh(c).customs_status for c in certificates} == {CustomsStatus.SENT}
        again = list(OutboundMessage.objects.all())
        assert {(m.state, m.attempts, m.first_attempt_at) for m in again} == {("PENDING", 0, None)}
        assert {m.message_id for m in again} == {m.message_id for m in dead}, "same ids"
        server, running = start_simulator(
            tmp_path / "up.sqlite3", f"{live_server.url}/customs/inbound/", settings.CUSTOMS_SECRET
        )
        try:
            settings.CUSTOMS_ENDPOINT = running.url
            clock.return_value += timedelta(minutes=1)
            run_worker_until(clock, clock.return_value + timedelta(hours=1))
            received = Counter(m["message_id"] for m in running.received())
        finally:
            server.shutdown()
            server.server_close()
    assert received == Counter({m.message_id: 1 for m in dead})
    assert ANSWERED == Counter({m.message_id: 1 for m in dead})
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"DELIVERED"}
