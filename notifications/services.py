"""Status push: every status change becomes an event after its transaction commits,
then goes live to the enterprise's browsers, to subscribers' bells and inboxes, to the
enterprise's webhooks, and to the approvers whose to-do list it changes."""

import asyncio
import json
import logging
import threading
import urllib.error
import urllib.request
from urllib.parse import urlparse

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customs import xml as signing  # the same HMAC-SHA256 scheme as the customs exchange
from documents.models import LEVEL_FOR_STATE, Certificate, DrugPermitApplication
from documents.selectors import drug_permit_membership
from portal.outbox import claim_due, retry_at

from .models import (
    Channel,
    Event,
    Notification,
    Subscription,
    WebhookDelivery,
    WebhookEndpoint,
)

MAX_WEBHOOK_ATTEMPTS = 8
logger = logging.getLogger(__name__)


# --- groups ---------------------------------------------------------------------


def enterprise_group(enterprise_id) -> str:
    return f"enterprise.{enterprise_id}.drug_permit"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def queue_group(authority_id, level) -> str:
    return f"queue.{authority_id}.{level}"


def groups_for(user) -> list[str]:
    """What one signed-in user may hear: its own enterprise's events, its own bell,
    and (approvers) its level's to-do list."""
    groups = [user_group(user.pk)]
    membership = drug_permit_membership(user)
    if membership:
        groups.append(enterprise_group(membership.enterprise_id))
    seat = getattr(user, "approver_seat", None)
    if seat:
        groups.append(queue_group(seat.authority_id, seat.level))
    return groups


def _send(group: str, message: dict) -> None:
    """Best effort, after commit: the event is persisted, a dropped push is caught up."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        running = False
    else:
        running = True
    try:
        if running:  # this thread runs an event loop: send from a helper thread
            worker = threading.Thread(target=send, args=(group, message))
            worker.start()
            worker.join()
        else:
            send(group, message)
    except Exception:
        logger.exception("could not push to %s", group)


# --- events ---------------------------------------------------------------------------


def on_status_change(entry) -> None:
    """Called by the audit log inside the service's transaction: publish after commit."""
    entry_id = entry.pk
    transaction.on_commit(lambda: publish(entry_id))


def _describe(entry):
    """(enterprise id, subject, application number, certificate number, label) or None."""
    target = entry.target
    with translation.override("zh-hans"):
        if isinstance(target, DrugPermitApplication):
            return (
                target.enterprise_id,
                "application",
                target.number,
                getattr(getattr(target, "certificate", None), "number", ""),
                str(target.get_status_display()),
                target,
            )
        if isinstance(target, Certificate) and target.application_id:
            label = (
                target.get_customs_status_display()
                if entry.transition.startswith("customs_")
                else target.get_status_display()
            )
            return (
                target.application.enterprise_id,
                "certificate",
                target.application.number,
                target.number,
                str(label),
                target,
            )
    return None


def publish(entry_id: int) -> Event | None:
    from workflows.models import AuditEntry

    entry = AuditEntry.objects.select_related("content_type").get(pk=entry_id)
    described = _describe(entry)
    if described is None:
        return None
    enterprise_id, subject, number, certificate_number, label, target = described
    with translation.override("zh-hans"):
        text = (
            _("Application %(number)s: %(status)s") % {"number": number, "status": label}
            if subject == "application"
            else _("Certificate %(number)s: %(status)s")
            % {"number": certificate_number, "status": label}
        )
    event = Event.objects.create(
        enterprise_id=enterprise_id,
        subject=subject,
        number=number,
        certificate_number=certificate_number,
        status=entry.to_state,
        status_label=label,
        text=text,
    )
    deliver(event)
    if subject == "application":
        levels = set(LEVEL_FOR_STATE.get(entry.from_state, ())) | set(
            LEVEL_FOR_STATE.get(entry.to_state, ())
        )
        for level in levels:
            _send(
                queue_group(target.authority_id, level),
                {"type": "queue.changed", "payload": {"type": "queue", "number": number}},
            )
    return event


def _subscriptions(event: Event):
    application_ids = list(
        DrugPermitApplication.objects.filter(
            enterprise_id=event.enterprise_id, number=event.number
        ).values_list("pk", flat=True)
    )
    return Subscription.objects.filter(
        enterprise_id=event.enterprise_id, cancelled_at__isnull=True
    ).filter(Q(application__isnull=True) | Q(application_id__in=application_ids))


def deliver(event: Event) -> None:
    """Live to the enterprise, and to each subscriber by channel (once per user)."""
    _send(
        enterprise_group(event.enterprise_id), {"type": "status.event", "payload": event.payload()}
    )
    subscriptions = list(_subscriptions(event).select_related("user"))
    browser = {s.user_id for s in subscriptions if s.channel == Channel.BROWSER}
    email = {s.user_id: s.user for s in subscriptions if s.channel == Channel.EMAIL}
    webhook = any(s.channel == Channel.WEBHOOK for s in subscriptions)
    Notification.objects.bulk_create(
        [Notification(user_id=uid, event=event) for uid in browser], ignore_conflicts=True
    )
    for uid in browser:
        _send(
            user_group(uid),
            {
                "type": "notification.new",
                "payload": {**event.payload(), "type": "notification", "unread": unread(uid)},
            },
        )
    for user in email.values():
        if user.email:
            send_email.enqueue(event.pk, user.email)
    if webhook or event.subject == "test":
        queue_webhooks(event)


def unread(user_id) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


@task()
def send_email(event_id: int, address: str) -> None:
    event = Event.objects.get(pk=event_id)
    send_mail(
        subject=f"[单一窗口] {event.text}",
        message=f"{event.text}\n\n{settings.WAGTAILADMIN_BASE_URL}/drug-permits/{event.number}/",
        from_email=None,
        recipient_list=[address],
    )


def mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    count = qs.update(read_at=timezone.now())
    _send(
        user_group(user.pk),
        {"type": "notification.new", "payload": {"type": "unread", "unread": unread(user.pk)}},
    )
    return count


# --- subscriptions (订阅) -------------------------------------------------------------------


def _membership(user):
    membership = getattr(user, "membership", None)
    if membership is None or not membership.is_active:
        raise PermissionDenied
    return membership


def subscribe(*, user, applications, all_applications: bool, channels: list[str]) -> list:
    """Subscribe to chosen applications (or all of the enterprise's) on each channel."""
    membership = _membership(user)
    errors = []
    channels = [c for c in channels if c in Channel.values]
    if not channels:
        errors.append(_("Choose at least one channel."))
    if not all_applications and not applications:
        errors.append(_("Choose applications, or all of your enterprise's applications."))
    if Channel.EMAIL in channels and not user.email:
        errors.append(_("Your account has no e-mail address for e-mail notifications."))
    if (
        Channel.WEBHOOK in channels
        and not WebhookEndpoint.objects.filter(
            enterprise_id=membership.enterprise_id, active=True
        ).exists()
    ):
        errors.append(_("Your enterprise has no webhook address yet; the owner registers one."))
    if errors:
        raise ValidationError(errors)
    targets = [None] if all_applications else list(applications)
    created = []
    with transaction.atomic():
        for application in targets:
            for channel in channels:
                exists = Subscription.objects.filter(
                    user=user, application=application, channel=channel, cancelled_at__isnull=True
                ).exists()
                if not exists:
                    created.append(
                        Subscription.objects.create(
                            user=user,
                            enterprise_id=membership.enterprise_id,
                            application=application,
                            channel=channel,
                        )
                    )
    return created


def cancel(*, user, ids) -> int:
    return Subscription.objects.filter(user=user, pk__in=ids, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )


# --- webhooks ----------------------------------------------------------------------------


def _check_url(url: str) -> None:
    parsed = urlparse(url)
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme == "https" and parsed.hostname:
        return
    if parsed.scheme == "http" and loopback and settings.WEBHOOK_ALLOW_HTTP_LOOPBACK:
        return
    raise ValidationError(_("Enter an HTTPS address, such as https://erp.example.cn/hooks/sw."))


def register_webhook(*, user, url: str) -> WebhookEndpoint:
    membership = _membership(user)
    if not membership.is_owner:
        raise PermissionDenied
    _check_url(url.strip())
    return WebhookEndpoint.objects.create(
        enterprise_id=membership.enterprise_id, url=url.strip(), created_by=user
    )


def send_test_event(*, user, endpoint: WebhookEndpoint) -> Event:
    membership = _membership(user)
    if not membership.is_owner or endpoint.enterprise_id != membership.enterprise_id:
        raise PermissionDenied
    with translation.override("zh-hans"):
        text = str(_("Test event from the Single Window"))
    event = Event.objects.create(
        enterprise_id=membership.enterprise_id,
        subject="test",
        status="TEST",
        status_label="TEST",
        text=text,
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=timezone.now())
    return event


def queue_webhooks(event: Event) -> None:
    endpoints = WebhookEndpoint.objects.filter(enterprise_id=event.enterprise_id, active=True)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=e, event=event, next_attempt_at=timezone.now())
            for e in endpoints
        ],
        ignore_conflicts=True,
    )


def webhook_body(event: Event) -> bytes:
    payload = event.payload()
    payload["type"] = f"{event.subject}.status"
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def post_webhook(url: str, body: bytes, secret: str, event_id: int) -> int:
    headers = signing.signed_headers(secret, body)
    headers["Content-Type"] = "application/json; charset=utf-8"
    headers["X-SW-Event-Id"] = str(event_id)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def deliver_webhooks_due(*, limit: int = 20, post=post_webhook) -> int:
    """One pass of the outbox worker over webhook deliveries."""
    batch = claim_due(
        WebhookDelivery.objects.select_related("endpoint", "event"), limit=limit, lease_seconds=30
    )
    for delivery in batch:
        attempts = delivery.attempts + 1
        try:
            status = post(
                delivery.endpoint.url,
                webhook_body(delivery.event),
                delivery.endpoint.secret,
                delivery.event_id,
            )
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except Exception as failure:
            status, error = None, f"{type(failure).__name__}: {failure}"[:500]
        if not error:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                state="DELIVERED",
                attempts=attempts,
                response_status=status,
                error="",
                delivered_at=timezone.now(),
            )
        elif attempts >= MAX_WEBHOOK_ATTEMPTS:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                state="FAILED", attempts=attempts, response_status=status, error=error
            )
        else:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                attempts=attempts,
                response_status=status,
                error=error,
                next_attempt_at=retry_at(attempts),
            )
    return len(batch)


def events_after(user, after: int, limit: int = 200) -> list[dict]:
    """Catch-up for a reconnecting browser: its enterprise's events after ``after``."""
    membership = drug_permit_membership(user)
    if membership is None:
        return []
    events = (
        Event.objects.filter(enterprise_id=membership.enterprise_id, pk__gt=after)
        .exclude(subject="test")
        .order_by("pk")[:limit]
    )
    return [event.payload() for event in events]


def latest_event_id(user) -> int:
    membership = getattr(user, "membership", None)
    if membership is None:
        return 0
    last = (
        Event.objects.filter(enterprise_id=membership.enterprise_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return last or 0
