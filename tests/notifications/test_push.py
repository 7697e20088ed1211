"""Status push: events after commit, the socket (auth, isolation, catch-up), subscriptions,
e-mail, the bell and signed webhooks."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import transaction

from customs import xml as signing
from notifications import services
from notifications.consumers import StatusConsumer
from notifications.models import (
    Event,
    Notification,
    Subscription,
    WebhookDelivery,
    WebhookEndpoint,
)
from workflows import drug_permit as dp

from ..conftest import USCC_SHANGHAI, client_for, make_enterprise
from ..drug_permit_helpers import complete_draft


def connect(user):
    communicator = WebsocketCommunicator(StatusConsumer.as_asgi(), "/ws/status/")
    communicator.scope["user"] = user
    return communicator


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_socket_auth_isolation_and_catch_up(chain, owner, authority):
    other = make_enterprise(USCC_SHANGHAI, "owner-sh", name_zh="上海同行医药有限公司").user
    mine = complete_draft(owner, authority)
    theirs = complete_draft(other, authority)

    async def scenario():
        anonymous = connect(AnonymousUser())
        connected, code = await anonymous.connect()
        assert not connected and code == 4401

        owner_socket, other_socket = connect(owner), connect(other)
        assert (await owner_socket.connect())[0] and (await other_socket.connect())[0]
        assert (await owner_socket.receive_json_from())["type"] == "hello"
        assert (await other_socket.receive_json_from())["type"] == "hello"

        await sync_to_async(dp.submit)(application=mine, actor=owner)
        event = await owner_socket.receive_json_from(timeout=5)
        assert event["type"] == "status" and event["number"] == mine.number
        assert event["status_label"] == "待受理"
        assert await other_socket.receive_nothing(timeout=0.5), "another enterprise hears nothing"

        # A dropped connection catches up on what it missed.
        await owner_socket.disconnect()
        await sync_to_async(dp.request_withdrawal)(application=mine, actor=owner)
        back = connect(owner)
        await back.connect()
        await back.receive_json_from()  # hello
        await back.send_json_to({"type": "catch_up", "after": event["id"]})
        missed = await back.receive_json_from(timeout=5)
        assert missed["number"] == mine.number and missed["status"] == "WITHDRAWAL_PENDING"
        assert (await back.receive_json_from())["type"] == "caught_up"
        # The other enterprise's own events never appear in this catch-up.
        await sync_to_async(dp.submit)(application=theirs, actor=other)
        await back.send_json_to({"type": "catch_up", "after": 0})
        numbers = set()
        while (message := await back.receive_json_from(timeout=5))["type"] != "caught_up":
            numbers.add(message["number"])
        assert numbers == {mine.number}
        await back.disconnect()
        await other_socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_change_publishes_nothing(chain, owner, authority):
    application = complete_draft(owner, authority)
    with pytest.raises(RuntimeError), transaction.atomic():
        dp.submit(application=application, actor=owner)
        raise RuntimeError("rolled back")
    assert not Event.objects.exists()
    application.refresh_from_db()
    dp.submit(application=application, actor=owner)
    assert Event.objects.get().number == application.number


@pytest.mark.django_db
def test_subscriptions_bell_and_email(chain, owner, authority, django_capture_on_commit_callbacks):
    first, second = complete_draft(owner, authority), complete_draft(owner, authority)
    client = client_for(owner)
    response = client.post(
        "/notifications/subscriptions/", {"scope": "chosen", "channels": ["BROWSER"]}
    )
    assert "请选择申请单" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        dp.submit(application=first, actor=owner)
    client.post(
        "/notifications/subscriptions/",
        {"scope": "chosen", "applications": [first.number], "channels": ["BROWSER", "EMAIL"]},
    )
    assert Subscription.objects.filter(user=owner, cancelled_at=None).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        dp.request_withdrawal(application=first, actor=owner)
        dp.submit(application=second, actor=owner)  # not subscribed
    assert [n.event.number for n in Notification.objects.filter(user=owner)] == [first.number]
    assert len(mail.outbox) == 1 and first.number in mail.outbox[0].subject
    page = client.get("/drug-permits/").content.decode()
    assert 'id="bell-count" aria-live="polite">1<' in page
    client.post("/notifications/read/", {"all": "1"})
    assert services.unread(owner.pk) == 0
    # Cancelling (several at once) stops them.
    ids = list(Subscription.objects.filter(user=owner).values_list("pk", flat=True))
    client.post("/notifications/subscriptions/", {"action": "cancel", "selected": ids})
    records = client.get("/notifications/subscriptions/").content.decode()
    assert records.count("已于") == 2
    with django_capture_on_commit_callbacks(execute=True):
        dp.approve_withdrawal(application=first, actor=chain[1])
    assert Notification.objects.filter(user=owner).count() == 1 and len(mail.outbox) == 1


class Receiver(BaseHTTPRequestHandler):
    received: list = []
    secret = ""
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            signing.verify_signature(
                self.secret,
                self.headers.get(signing.TIMESTAMP_HEADER),
                self.headers.get(signing.SIGNATURE_HEADER),
                body,
            )
            valid = True
        except signing.MessageError:
            valid = False
        type(self).received.append((valid, json.loads(body), self.headers.get("X-SW-Event-Id")))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_webhooks_signed_retried_logged_and_tested(
    chain, owner, authority, agent, django_capture_on_commit_callbacks, settings
):
    settings.CUSTOMS_RETRY_BASE_SECONDS = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    client = client_for(owner)
    try:
        bad = client.post("/notifications/webhooks/", {"url": "http://erp.example.cn/hook"})
        assert "请输入 HTTPS 地址" in bad.content.decode()
        assert client_for(agent.user).get("/notifications/webhooks/").status_code == 403
        client.post("/notifications/webhooks/", {"url": url})
        endpoint = WebhookEndpoint.objects.get()
        Receiver.secret, Receiver.received, Receiver.status = endpoint.secret, [], 200
        client.post(f"/notifications/webhooks/{endpoint.pk}/test/")
        assert services.deliver_webhooks_due() == 1
        (valid, payload, event_id), *_ = Receiver.received
        assert valid and payload["type"] == "test.status" and event_id == str(payload["id"])

        client.post("/notifications/subscriptions/", {"scope": "all", "channels": ["WEBHOOK"]})
        application = complete_draft(owner, authority)
        Receiver.status = 500  # the enterprise's system is down: retried
        with django_capture_on_commit_callbacks(execute=True):
            dp.submit(application=application, actor=owner)
        services.deliver_webhooks_due()
        delivery = WebhookDelivery.objects.get(event__number=application.number)
        assert delivery.state == "PENDING" and delivery.attempts == 1
        Receiver.status = 200
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        services.deliver_webhooks_due()
        delivery.refresh_from_db()
        assert delivery.state == "DELIVERED" and delivery.attempts == 2
        assert Receiver.received[-1][1]["number"] == application.number
        assert all(valid for valid, _payload, _id in Receiver.received)
        log = client.get("/notifications/webhooks/").content.decode()
        assert "已送达" in log and application.number in log
    finally:
        server.shutdown()
        server.server_close()
