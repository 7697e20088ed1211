"""The enterprise's webhook dead letters: listed, filtered, paged, sent again, and strictly
its own (another enterprise's ids are ignored, never sent)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.utils import timezone

from notifications import services
from notifications.models import WebhookDelivery, WebhookEndpoint
from portal.accounts.selectors import membership_of

from ..conftest import client_for


def _endpoint(user, url="https://erp.example.cn/hook"):
    enterprise_id = membership_of(user).enterprise_id
    return WebhookEndpoint.objects.create(enterprise_id=enterprise_id, url=url, created_by=user)


def _dead(endpoint, user, n: int) -> list[WebhookDelivery]:
    """``n`` test events to ``endpoint`` whose retries gave up: the endpoint answered 503
    and the first attempt was longer ago than the retry horizon (the clock moved back,
    not waited for)."""
    for _ in range(n):
        services.send_test_event(user=user, endpoint=endpoint)
    long_ago = timezone.now() - timedelta(days=3)
    WebhookDelivery.objects.filter(endpoint=endpoint).update(
        first_attempt_at=long_ago, next_attempt_at=long_ago
    )
    while services.deliver_webhooks_due(post=lambda *args: 503):
        pass
    rows = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk"))
    assert all(row.state == WebhookDelivery.State.DEAD for row in rows)
    return rows


def _en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_dead_deliveries_listed_with_a_notice_and_sent_again(owner, other_owner):
    endpoint = _endpoint(owner)
    mine = _dead(endpoint, owner, 3)
    theirs = _dead(_endpoint(other_owner, "https://other.example.cn/hook"), other_owner, 1)
    client = _en(client_for(owner))

    webhooks = client.get("/notifications/webhooks/").content.decode()
    assert 'id="dead-deliveries-notice"' in webhooks
    assert "3 deliveries failed every retry" in webhooks

    page = client.get("/notifications/webhooks/dead/")
    assert page.status_code == 200
    html = page.content.decode()
    for row in mine:
        assert f'data-delivery="{row.pk}"' in html
    assert f'data-delivery="{theirs[0].pk}"' not in html, "another enterprise's dead letter"
    assert "other.example.cn" not in html
    assert "HTTP 503" in html and "https://erp.example.cn/hook" in html
    assert (
        mine[0]
        .first_attempt_at.astimezone(timezone.get_current_timezone())
        .strftime("%Y-%m-%d %H:%M")
        in html
    )
    assert 'name="csrfmiddlewaretoken"' in html and "data-confirm=" in html

    # One row's button.
    reply = client.post("/notifications/webhooks/dead/resend/", {"one": str(mine[0].pk)})
    assert reply.status_code == 302
    mine[0].refresh_from_db()
    assert mine[0].state == "PENDING" and mine[0].attempts == 0 and mine[0].error == ""
    assert mine[0].first_attempt_at is None
    assert "1 delivery is queued" in client.get(reply.url).content.decode()

    # The ticked rows, with another enterprise's id slipped in: that one is ignored.
    reply = client.post(
        "/notifications/webhooks/dead/resend/",
        {"selected": [str(mine[1].pk), str(mine[2].pk), str(theirs[0].pk)]},
        follow=True,
    )
    text = reply.content.decode()
    assert "2 deliveries are queued" in text
    assert "1 of the chosen rows were not sent again" in text
    states = dict(WebhookDelivery.objects.values_list("pk", "state"))
    assert states[mine[1].pk] == states[mine[2].pk] == "PENDING"
    assert states[theirs[0].pk] == "DEAD"
    assert (
        'id="dead-deliveries-notice"' not in client.get("/notifications/webhooks/").content.decode()
    )

    # Sent again, they are delivered this time.
    delivered = services.deliver_webhooks_due(post=lambda *args: 200)
    assert delivered == 3
    assert set(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("state", flat=True)
    ) == {"DELIVERED"}


@pytest.mark.django_db
def test_another_enterprises_ids_are_refused_and_bad_input_is_a_message(owner, other_owner, agent):
    _dead(_endpoint(owner), owner, 1)
    theirs = _dead(_endpoint(other_owner, "https://other.example.cn/hook"), other_owner, 2)
    client = _en(client_for(owner))

    reply = client.post(
        "/notifications/webhooks/dead/resend/",
        {"selected": [str(row.pk) for row in theirs] + ["abc", "-1", "²", "9" * 40]},
        follow=True,
    )
    assert reply.status_code == 200
    assert "2 of the chosen rows were not sent again" in reply.content.decode()
    assert set(
        WebhookDelivery.objects.filter(pk__in=[r.pk for r in theirs]).values_list(
            "state", flat=True
        )
    ) == {"DEAD"}

    nothing = client.post("/notifications/webhooks/dead/resend/", {"selected": ["x"]})
    assert nothing.status_code == 302  # "Select at least one row." (an existing string)
    assert [m.level for m in get_messages(nothing.wsgi_request)] == [messages.ERROR]
    assert client.get("/notifications/webhooks/dead/resend/").status_code == 405

    # Only the owner sees and sends the enterprise's dead letters; a GET never resends.
    assert client_for(agent.user).get("/notifications/webhooks/dead/").status_code == 403
    assert (
        client_for(agent.user)
        .post("/notifications/webhooks/dead/resend/", {"selected": [str(theirs[0].pk)]})
        .status_code
        == 403
    )
    # Filtering by another enterprise's address is a message, not their rows.
    foreign = WebhookEndpoint.objects.get(url="https://other.example.cn/hook")
    page = client.get("/notifications/webhooks/dead/", {"endpoint": foreign.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "This filter was not applied." in html
    assert "other.example.cn" not in html
    assert client.get("/notifications/webhooks/dead/?after=garbage").status_code == 200


@pytest.mark.django_db
def test_filtered_by_address_and_date_and_paged(owner):
    first = _endpoint(owner)
    second = _endpoint(owner, "https://backup.example.cn/hook")
    _dead(first, owner, 52)
    only = _dead(second, owner, 1)
    client = _en(client_for(owner))

    page = client.get("/notifications/webhooks/dead/", {"endpoint": second.pk}).content.decode()
    assert page.count("data-delivery=") == 1 and f'data-delivery="{only[0].pk}"' in page

    everything = client.get("/notifications/webhooks/dead/").content.decode()
    assert everything.count("data-delivery=") == 50 and 'rel="next"' in everything
    next_url = everything.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    rest = client.get("/notifications/webhooks/dead/" + next_url).content.decode()
    assert rest.count("data-delivery=") == 3

    today = timezone.localdate()
    later = (today + timedelta(days=1)).isoformat()
    none = client.get("/notifications/webhooks/dead/", {"date_from": later}).content.decode()
    assert "data-delivery=" not in none and "No failed deliveries" in none
    todays = client.get(
        "/notifications/webhooks/dead/",
        {"date_from": today.isoformat(), "date_to": today.isoformat()},
    ).content.decode()
    assert todays.count("data-delivery=") == 50
    bad = client.get("/notifications/webhooks/dead/", {"date_from": "abc"})
    assert bad.status_code == 200 and "This filter was not applied." in bad.content.decode()
