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

from notifications import services
from notifications.consumers import StatusConsumer
from notifications.models import (
    Event,
    Notification,
    Subscription,
    WebhookDelivery,
    WebhookEndpoint,
)
from portal import signing
from workflows import services as workflow

from ..conftest import USCC_SHANGHAI, client_for, make_enterprise
from ..drug_permit_helpers import accept, complete_draft, decide


def submit(filing, actor):
    return workflow.submit(filing=filing, actor=actor, second_factor_verified=True)


def withdraw(filing, actor):
    return workflow.withdraw(filing=filing, actor=actor)


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

        await sync_to_async(submit)(mine, owner)
        event = await owner_socket.receive_json_from(timeout=5)
        assert event["type"] == "status" and event["number"] == mine.number
        assert event["status_label"] == "待受理"
        assert await other_socket.receive_nothing(timeout=0.5), "another enterprise hears nothing"

        # A dropped connection catches up on what it missed.
        await owner_socket.disconnect()
        await sync_to_async(withdraw)(mine, owner)
        back = connect(owner)
        await back.connect()
        await back.receive_json_from()  # hello
        await back.send_json_to({"type": "catch_up", "after": event["id"]})
        missed = await back.receive_json_from(timeout=5)
        assert missed["number"] == mine.number and missed["status"] == "WITHDRAWAL_PENDING"
        assert (await back.receive_json_from())["type"] == "caught_up"
        # The other enterprise's own events never appear in this catch-up.
        await sync_to_async(submit)(theirs, other)
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
        submit(application, owner)
        raise RuntimeError("rolled back")
    assert not Event.objects.exists()
    application.refresh_from_db()
    submit(application, owner)
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
        submit(first, owner)
    client.post(
        "/notifications/subscriptions/",
        {"scope": "chosen", "applications": [first.number], "channels": ["BROWSER", "EMAIL"]},
    )
    assert Subscription.objects.filter(user=owner, cancelled_at=None).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(first, owner)
        submit(second, owner)  # not subscribed
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
        decide(first, chain[1], "approve_withdrawal")
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
        except signing.SignatureError:
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
            submit(application, owner)
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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_approvers_to_do_list_hears_which_row_came_and_went(chain, owner, authority):
    """A live update carries the row it concerns; the page never re-fetches itself."""
    application = complete_draft(owner, authority)

    async def scenario():
        level_1, level_2, foreign = connect(chain[1]), connect(chain[2]), connect(chain["other-l1"])
        for socket in (level_1, level_2, foreign):
            assert (await socket.connect())[0]
            assert (await socket.receive_json_from())["type"] == "hello"

        await sync_to_async(submit)(application, owner)
        came = await level_1.receive_json_from(timeout=5)
        assert came["type"] == "queue" and came["action"] == "added"
        assert came["row"]["number"] == application.number
        assert came["row"]["enterprise"] == "甲公司" and came["row"]["url"].endswith(
            f"/todo/{application.number}/"
        )
        assert await level_2.receive_nothing(timeout=0.3)
        assert await foreign.receive_nothing(timeout=0.3), "another authority hears nothing"

        await sync_to_async(accept)(application, chain[1])
        went = await level_1.receive_json_from(timeout=5)
        assert (went["action"], went["row"]["number"]) == ("removed", application.number)
        arrived = await level_2.receive_json_from(timeout=5)
        assert (arrived["action"], arrived["row"]["status"]) == ("added", "FIRST_REVIEW")
        for socket in (level_1, level_2, foreign):
            await socket.disconnect()

    async_to_sync(scenario)()
