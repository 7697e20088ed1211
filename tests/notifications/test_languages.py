"""Events are written when read or sent, in the reader's language: the bell's list, the
socket, e-mail; webhooks carry Chinese plus the status in every language.  Also the
notification centre's system column and filter, and subscriptions to one system."""

import json
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import mail

from notifications import services
from notifications.consumers import StatusConsumer
from notifications.models import Event, Notification
from portal.languages import preferred_language, remember_language
from workflows import services as workflow

from ..conftest import client_for
from ..drug_permit_helpers import complete_draft

CJK = re.compile(r"[\u4e00-\u9fff]")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def subscribe(client, scope="all", channels=("BROWSER",)):
    return client.post(
        "/notifications/subscriptions/", {"scope": scope, "channels": list(channels)}
    )


@pytest.mark.django_db
def test_the_same_event_reads_chinese_for_one_user_and_english_for_another(
    chain, owner, agent, authority, django_capture_on_commit_callbacks
):
    owner_client, agent_client = client_for(owner), english(client_for(agent.user))
    subscribe(owner_client)
    subscribe(agent_client)
    application = complete_draft(owner, authority)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(filing=application, actor=owner, second_factor_verified=True)
    event = Event.objects.get(number=application.number)
    assert Notification.objects.filter(event=event).count() == 2
    assert event.labels == {"zh-hans": "待受理", "en": "Pending acceptance"}
    assert event.text_in("zh-hans") == f"申请单 {application.number}：待受理"
    assert event.text_in("en") == f"Application {application.number}: Pending acceptance"

    chinese = owner_client.get("/notifications/").content.decode()
    assert f"申请单 {application.number}：待受理" in chinese and "药品进出口准许证" in chinese
    page = agent_client.get("/notifications/").content.decode()
    assert f"Application {application.number}: Pending acceptance" in page
    assert "Drug import/export permit" in page
    assert not CJK.search(re.sub(r"<[^>]+>", "", page.split('id="notifications"')[1]))


@pytest.mark.django_db
def test_old_events_keep_their_stored_text(owner):
    event = Event.objects.create(
        enterprise=owner.membership.enterprise,
        subject="application",
        system="DRUG_PERMIT",
        number="DP1",
        status="APPROVED",
        status_label="已批准",
        text="申请单 DP1：已批准",
    )
    assert event.text_in("en") == "申请单 DP1：已批准"
    assert event.status_label_in("en") == "已批准"


@pytest.mark.django_db
def test_system_column_filter_and_a_subscription_to_one_system(
    chain, owner, authority, django_capture_on_commit_callbacks
):
    client = client_for(owner)
    subscribe(client, scope="system:AV_IMPORT")
    first = complete_draft(owner, authority)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(filing=first, actor=owner, second_factor_verified=True)
    assert not Notification.objects.filter(user=owner).exists(), "another system's only"
    subscribe(client, scope="system:DRUG_PERMIT")
    second = complete_draft(owner, authority)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(filing=second, actor=owner, second_factor_verified=True)
    assert [n.event.number for n in Notification.objects.filter(user=owner)] == [second.number]
    records = client.get("/notifications/subscriptions/").content.decode()
    assert "全部药品进出口准许证申请单" in records

    assert (
        second.number in client.get("/notifications/", {"system": "DRUG_PERMIT"}).content.decode()
    )
    other = client.get("/notifications/", {"system": "AV_IMPORT"}).content.decode()
    assert second.number not in other
    bad = client.get("/notifications/", {"system": "NOPE"})
    assert bad.status_code == 200 and second.number in bad.content.decode()
    assert "message--warning" in bad.content.decode()


@pytest.mark.django_db
def test_email_in_the_recipients_chosen_language(
    chain, owner, agent, authority, django_capture_on_commit_callbacks
):
    english_client = english(client_for(agent.user))
    response = english_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert preferred_language(agent.user) == "en" and preferred_language(owner) == "zh-hans"
    subscribe(english_client, channels=("EMAIL",))
    subscribe(client_for(owner), channels=("EMAIL",))
    application = complete_draft(owner, authority)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(filing=application, actor=owner, second_factor_verified=True)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[agent.user.email] == (
        f"[Single Window] Application {application.number}: Pending acceptance"
    )
    assert subjects[owner.email] == f"[单一窗口] 申请单 {application.number}：待受理"


@pytest.mark.django_db
def test_webhooks_carry_chinese_and_the_status_in_every_language(
    chain, owner, authority, django_capture_on_commit_callbacks
):
    application = complete_draft(owner, authority)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(filing=application, actor=owner, second_factor_verified=True)
    body = json.loads(services.webhook_body(Event.objects.get(number=application.number)))
    assert body["status_label"] == "待受理" and body["text"].startswith("申请单")
    assert body["labels"] == {"zh-hans": "待受理", "en": "Pending acceptance"}
    assert "texts" not in body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_push_over_an_english_socket_is_english(chain, owner, authority):
    application = complete_draft(owner, authority)
    remember_language(owner, "zh-hans")

    async def scenario():
        english_socket = WebsocketCommunicator(StatusConsumer.as_asgi(), "/ws/status/")
        english_socket.scope["user"] = owner
        english_socket.scope["cookies"] = {"django_language": "en"}
        chinese_socket = WebsocketCommunicator(StatusConsumer.as_asgi(), "/ws/status/")
        chinese_socket.scope["user"] = owner
        for socket in (english_socket, chinese_socket):
            assert (await socket.connect())[0]
            assert (await socket.receive_json_from())["type"] == "hello"
        await sync_to_async(workflow.submit)(
            filing=application, actor=owner, second_factor_verified=True
        )
        pushed = await english_socket.receive_json_from(timeout=5)
        assert pushed["status_label"] == "Pending acceptance"
        assert pushed["text"] == f"Application {application.number}: Pending acceptance"
        assert "labels" not in pushed and "texts" not in pushed
        assert (await chinese_socket.receive_json_from(timeout=5))["status_label"] == "待受理"
        # Catching up is in the socket's language too.
        await english_socket.send_json_to({"type": "catch_up", "after": pushed["id"] - 1})
        missed = await english_socket.receive_json_from(timeout=5)
        assert missed["status_label"] == "Pending acceptance"
        for socket in (english_socket, chinese_socket):
            await socket.disconnect()

    async_to_sync(scenario)()
