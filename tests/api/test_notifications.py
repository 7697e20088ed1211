"""Notifications, the event feed, subscriptions and webhooks through the API: the same
services as the pages, the enterprise's own only, webhooks for its owner only."""

import pytest

from notifications import services
from notifications.models import Subscription, WebhookDelivery
from tests.drug_permit_helpers import complete_draft
from tests.notifications.test_dead_webhooks import _dead, _endpoint
from workflows.services import submit, withdraw

from .helpers import ApiClient

pytestmark = pytest.mark.django_db


def test_subscribe_hear_read_and_cancel(
    chain, owner, authority, other_owner, django_capture_on_commit_callbacks
):
    first, second = complete_draft(owner, authority), complete_draft(owner, authority)
    api = ApiClient(owner)
    with django_capture_on_commit_callbacks(execute=True):
        submit(filing=first, actor=owner, second_factor_verified=True)

    # Refusals name the field, in both languages; nothing is subscribed.
    refused = api.post("/subscriptions", {"channels": ["BROWSER"]})
    assert refused.status_code == 422
    assert refused.json()["messages"]["en"] == [
        "Choose applications, or all of your enterprise's applications."
    ]
    for body, field in (
        ({"channels": ["FAX"], "applications": [first.number]}, "channels"),
        ({"channels": ["BROWSER"], "applications": [second.number]}, "applications"),  # draft
        ({"channels": ["BROWSER"], "applications": ["NOPE"]}, "applications"),
    ):
        response = api.post("/subscriptions", body)
        assert response.status_code == 422 and field in response.json()["fields"], body
    unknown = api.post("/subscriptions", {"channels": ["BROWSER"], "applications": ["X1"]})
    assert unknown.json()["fields"]["applications"]["en"] == [
        "No submitted application of yours has this number: X1"
    ]
    assert "X1" in unknown.json()["fields"]["applications"]["zh"][0]
    assert (
        unknown.json()["fields"]["applications"]["zh"]
        != unknown.json()["fields"]["applications"]["en"]
    )
    # Another enterprise cannot subscribe to it: it is not one of its applications.
    stranger = ApiClient(other_owner)
    assert (
        stranger.post(
            "/subscriptions", {"channels": ["BROWSER"], "applications": [first.number]}
        ).status_code
        == 422
    )
    assert not Subscription.objects.exists()

    created = api.post("/subscriptions", {"channels": ["BROWSER"], "applications": [first.number]})
    assert created.status_code == 201
    (subscription,) = created.json()
    assert subscription["application"] == first.number and subscription["active"]
    assert [s["id"] for s in api.get("/subscriptions").json()["results"]] == [subscription["id"]]
    assert stranger.get("/subscriptions").json()["results"] == []

    with django_capture_on_commit_callbacks(execute=True):
        withdraw(filing=first, actor=owner)
    (note,) = api.get("/notifications", unread="true").json()["results"]
    assert note["event"]["number"] == first.number and not note["read"]
    assert note["event"]["text"]["en"].startswith(f"Application {first.number}")
    assert note["event"]["text"]["zh"] != note["event"]["text"]["en"]
    assert stranger.get("/notifications").json()["results"] == []

    # The feed: the enterprise's events after an id (the submit, then the withdrawal).
    feed = api.get("/events", after=0).json()
    assert [e["number"] for e in feed] == [first.number, first.number]
    assert api.get("/events", after=feed[-1]["id"]).json() == []
    assert stranger.get("/events").json() == []
    assert api.get("/events", after=-1).status_code == 422

    assert api.post("/notifications/read", {"ids": [note["id"]]}).json() == {"count": 1}
    assert api.get("/notifications", unread="true").json()["results"] == []
    assert services.unread(owner.pk) == 0

    assert stranger.delete(f"/subscriptions/{subscription['id']}").status_code == 404
    assert api.delete(f"/subscriptions/{subscription['id']}").status_code == 204
    assert api.delete(f"/subscriptions/{subscription['id']}").status_code == 404
    assert not api.get("/subscriptions").json()["results"][0]["active"]


def test_webhooks_for_the_owner_only(owner, agent, other_owner, settings):
    api = ApiClient(owner)
    bad = api.post("/webhooks", {"url": "http://erp.example.cn/hook"})
    assert bad.status_code == 422
    assert bad.json()["messages"]["en"][0].startswith("Enter an HTTPS address")
    created = api.post("/webhooks", {"url": "https://erp.example.cn/hook"})
    assert created.status_code == 201
    hook = created.json()
    assert hook["secret"] and [w["id"] for w in api.get("/webhooks").json()] == [hook["id"]]

    # The enterprise's agent and another enterprise: refused, and nothing of it shown.
    agent_api = ApiClient(agent.user)
    for response in (
        agent_api.get("/webhooks"),
        agent_api.post("/webhooks", {"url": "https://erp.example.cn/x"}),
        agent_api.post(f"/webhooks/{hook['id']}/test"),
    ):
        assert response.status_code == 403 and response.json()["code"] == "owner_only"
    stranger = ApiClient(other_owner)
    assert stranger.get("/webhooks").json() == []
    assert stranger.post(f"/webhooks/{hook['id']}/test").status_code == 404

    tested = api.post(f"/webhooks/{hook['id']}/test")
    assert tested.status_code == 202
    (delivery,) = api.get("/webhooks/deliveries").json()["results"]
    assert delivery["event"] == tested.json()["event"] and delivery["state"] == "PENDING"
    assert api.get("/webhooks/deliveries", state="NOPE").status_code == 422
    assert stranger.get("/webhooks/deliveries").json()["results"] == []

    # Dead letters go back in the queue; another enterprise's ids are ignored.
    dead = _dead(_endpoint(owner), owner, 2)
    theirs = _dead(_endpoint(other_owner), other_owner, 1)
    listed = api.get("/webhooks/deliveries", state="DEAD").json()["results"]
    assert {d["id"] for d in listed} == {d.pk for d in dead}
    ids = [dead[0].pk, theirs[0].pk]
    assert api.post("/webhooks/deliveries/resend", {"ids": ids}).json() == {
        "resent": [dead[0].pk],
        "not_resent": [theirs[0].pk],
    }
    assert WebhookDelivery.objects.get(pk=dead[0].pk).state == "PENDING"
    assert WebhookDelivery.objects.get(pk=theirs[0].pk).state == "DEAD"
    too_many = api.post("/webhooks/deliveries/resend", {"ids": list(range(1, 502))})
    assert too_many.status_code == 422 and "ids" in too_many.json()["fields"]
    # Ids are JSON integers within a bigint: not false, not beyond what a database keeps.
    for ids in ([False], [2**80], [0]):
        for path in ("/webhooks/deliveries/resend", "/notifications/read"):
            refused = api.post(path, {"ids": ids})
            assert refused.status_code == 422, (path, ids, refused.content)
            assert refused.json()["code"] == "invalid_request"
