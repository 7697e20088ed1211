"""Status push: every status change becomes an event after its transaction commits,
then goes live to the enterprise's browsers, to subscribers' bells and inboxes, to the
enterprise's webhooks, and to the approvers whose to-do list it changes.

It hears of changes from the audit log (``filings.audit.listen``, registered at
start), so the layers below never call it; it reads any filing system's
filings through the shared filing table and the system's declaration.
"""

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
from django.db.models import Q
from django.tasks import task
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from filings import audit, registry
from filings.models import AuditEntry, Filing
from filings.selectors import filer_membership
from portal import signing
from portal.accounts.selectors import membership_of, seats_of
from portal.languages import preferred_language
from portal.outbox import claim_due, fresh_start, retry_at
from portal.transactions import durable, top_level

from .models import (
    Channel,
    Event,
    Notification,
    Subscription,
    WebhookDelivery,
    WebhookEndpoint,
    languages,
)

logger = logging.getLogger(__name__)


# --- groups ---------------------------------------------------------------------------


def enterprise_group(enterprise_id, system: str) -> str:
    return f"enterprise.{enterprise_id}.{system.lower()}"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def queue_group(authority_id, system: str, level) -> str:
    return f"queue.{authority_id}.{system.lower()}.{level}"


def groups_for(user) -> list[str]:
    """What one signed-in user may hear: its own enterprise's events in the modules it
    holds, its own bell, and (approvers) the to-do lists of its seats."""
    groups = [user_group(user.pk)]
    membership = membership_of(user)
    if membership:
        for system in registry.all_systems():
            if filer_membership(user, system.key):
                groups.append(enterprise_group(membership.enterprise_id, system.key))
    for system_key, seat in seats_of(user).items():
        groups.append(queue_group(seat.authority_id, system_key, seat.level))
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


# --- events ------------------------------------------------------------------------------


def _label(target, transition: str) -> str:
    """The target's status after ``transition``, as its own model names it."""
    if isinstance(target, Filing):
        return target.status_label
    method = getattr(type(target), transition, None)
    meta = getattr(method, "_django_fsm", None)
    field = meta.field.name if meta else "status"
    if field == "customs_status" and hasattr(target, "customs_status_label"):
        return target.customs_status_label  # in the words of the certificate's system
    return str(getattr(target, f"get_{field}_display")())


def _labels(target, transition: str) -> dict[str, str]:
    """The target's status after ``transition`` in each language."""
    labels = {}
    for language in languages():
        with translation.override(language):
            labels[language] = _label(target, transition)
    return labels


def _describe(entry: AuditEntry):
    """(filing, subject, certificate number, labels) or None when no enterprise is told.

    For a filing's own change the filing is the target itself, as its system's model.
    """
    filing = entry.filing
    target = entry.target
    if filing is None or target is None:
        return None
    labels = _labels(target, entry.transition)
    if isinstance(target, Filing):
        certificate = getattr(target, "certificate", None)
        return target, "application", getattr(certificate, "number", ""), labels
    return filing, "certificate", getattr(target, "number", ""), labels


def publish(entry_id: int) -> Event | None:
    """Turn one recorded change into an event and push it (runs after its commit).

    The event keeps the status in every language; its message is written for each
    reader when shown, pushed or mailed.
    """
    entry = AuditEntry.objects.select_related("content_type", "filing").get(pk=entry_id)
    if entry.transition in audit.RECORD_ONLY:
        return None
    described = _describe(entry)
    if described is None:
        return None
    filing, subject, certificate_number, labels = described
    event = Event(
        enterprise_id=filing.enterprise_id,
        subject=subject,
        system=filing.system,
        filing=filing,
        number=filing.number,
        certificate_number=certificate_number,
        status=entry.to_state,
        labels=labels,
    )
    # Chinese kept on the row: webhooks carry it (with ``labels``).
    event.status_label = event.status_label_in(settings.LANGUAGE_CODE)
    event.text = event.text_in(settings.LANGUAGE_CODE)
    event.save()
    deliver(event)
    if subject == "application" and filing.authority_id:
        push_queue_change(filing, entry.from_state, entry.to_state, labels)
    return event


def queue_rows(filing, labels: dict[str, str]) -> dict[str, dict]:
    """The to-do list's row of one filing in each language (the socket keeps its own)."""
    rows = {}
    for language in languages():
        with translation.override(language):
            rows[language] = queue_row(filing, labels.get(language, ""))
    return rows


def queue_row(filing, label: str) -> dict:
    """What a to-do list shows of one filing, so a live update changes just that row."""
    system = filing.declaration
    try:
        url = reverse(f"{system.admin_slug}:todo_detail", args=[filing.number])
    except NoReverseMatch:
        url = ""
    return {
        "number": filing.number,
        "enterprise": filing.enterprise.name_zh,
        "status": filing.status,
        "status_label": label,
        "submitted": timezone.localtime(filing.submitted_at).strftime("%Y-%m-%d %H:%M")
        if filing.submitted_at
        else "",
        "columns": [str(c.of(filing) or "") for c in system.staff_columns],
        "url": url,
    }


def push_queue_change(filing, from_state: str, to_state: str, labels: dict[str, str]) -> None:
    """Tell each level's to-do (and withdrawal) list which row came, went or changed."""
    system = filing.declaration
    rows = None
    for queue in ("todo", "withdrawals"):
        before = system.acting_levels(from_state, queue=queue)
        after = system.acting_levels(to_state, queue=queue)
        for level in before | after:
            action = (
                "changed"
                if level in before and level in after
                else "added"
                if level in after
                else "removed"
            )
            if rows is None:
                rows = queue_rows(filing, labels)
            _send(
                queue_group(filing.authority_id, filing.system, level),
                {
                    "type": "queue.changed",
                    "payload": {
                        "type": "queue",
                        "queue": queue,
                        "system": filing.system,
                        "action": action,
                        "row": rows[settings.LANGUAGE_CODE],
                        "rows": rows,
                    },
                },
            )


def _subscriptions(event: Event):
    """Subscriptions to this filing, to all of its system's, or to all of the enterprise's."""
    return Subscription.objects.filter(
        enterprise_id=event.enterprise_id, cancelled_at__isnull=True
    ).filter(
        Q(filing__isnull=True, system="")
        | Q(filing__isnull=True, system=event.system)
        | Q(filing_id=event.filing_id)
    )


def deliver(event: Event) -> None:
    """Live to the enterprise, and to each subscriber by channel (once per user)."""
    _send(
        enterprise_group(event.enterprise_id, event.system),
        {"type": "status.event", "payload": event.payload()},
    )
    subscriptions = [
        s
        for s in _subscriptions(event).select_related("user__membership")
        if filer_membership(s.user, event.system)
    ]
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
            send_email.enqueue(event.pk, user.email, preferred_language(user))
    if webhook or event.subject == "test":
        queue_webhooks(event)


def unread(user_id) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def event_url(event: Event) -> str:
    """Where the enterprise reads the filing the event is about."""
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{event.detail_url or '/'}"


@task()
def send_email(event_id: int, address: str, language: str | None = None) -> None:
    """One event to one subscriber, in the subscriber's language."""
    event = Event.objects.get(pk=event_id)
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    send_mail(
        subject=event.email_subject(language),
        message=f"{event.text_in(language)}\n\n{event_url(event)}",
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
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied
    return membership


@top_level(atomic=False)
def subscribe(*, user, filings, all_filings: bool, channels: list[str], system: str = "") -> list:
    """Subscribe to chosen filings (or all of the enterprise's, or with ``system`` all of
    that system's) on each channel."""
    membership = _membership(user)
    errors = []
    if all_filings and system and not (registry.find(system) and filer_membership(user, system)):
        raise PermissionDenied
    channels = [c for c in channels if c in Channel.values]
    if not channels:
        errors.append(_("Choose at least one channel."))
    if not all_filings and not filings:
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
    for filing in filings or ():
        if filing.enterprise_id != membership.enterprise_id or not filer_membership(
            user, filing.system
        ):
            raise PermissionDenied
    if errors:
        raise ValidationError(errors)
    targets = [None] if all_filings else list(filings)
    scope = system if all_filings else ""
    created = []
    with durable():
        for filing in targets:
            for channel in channels:
                exists = Subscription.objects.filter(
                    user=user,
                    filing=filing,
                    system=scope,
                    channel=channel,
                    cancelled_at__isnull=True,
                ).exists()
                if not exists:
                    created.append(
                        Subscription.objects.create(
                            user=user,
                            enterprise_id=membership.enterprise_id,
                            filing=filing,
                            system=scope,
                            channel=channel,
                        )
                    )
    return created


def cancel(*, user, ids) -> int:
    return Subscription.objects.filter(user=user, pk__in=ids, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )


# --- webhooks -------------------------------------------------------------------------------


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


@top_level
def send_test_event(*, user, endpoint: WebhookEndpoint) -> Event:
    membership = _membership(user)
    if not membership.is_owner or endpoint.enterprise_id != membership.enterprise_id:
        raise PermissionDenied
    event = Event(
        enterprise_id=membership.enterprise_id,
        subject="test",
        status="TEST",
        status_label="TEST",
        labels={language: "TEST" for language in languages()},
    )
    event.text = event.text_in(settings.LANGUAGE_CODE)
    event.save()
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
    """Chinese ``text`` and ``status_label``, and ``labels``: the status in each language."""
    payload = event.payload()
    payload.pop("texts", None)
    payload["type"] = f"{event.subject}.status"
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def post_webhook(url: str, body: bytes, secret: str, event_id: int) -> int:
    headers = signing.signed_headers(secret, body, "application/json; charset=utf-8")
    headers["X-SW-Event-Id"] = str(event_id)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


@top_level(atomic=False)
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
        now = timezone.now()
        first = delivery.first_attempt_at or now
        seen = {
            "attempts": attempts,
            "first_attempt_at": first,
            "last_attempt_at": now,
            "response_status": status,
        }
        rows = WebhookDelivery.objects.filter(pk=delivery.pk)
        if not error:
            rows.update(state="DELIVERED", error="", delivered_at=now, **seen)
        elif (again := retry_at(attempts, first_attempt_at=first, now=now)) is None:
            rows.update(state=WebhookDelivery.State.DEAD, error=error, **seen)
        else:
            rows.update(error=error, next_attempt_at=again, **seen)
    return len(batch)


def dead_webhook_deliveries(user):
    """The webhook deliveries of ``user``'s enterprise whose retries gave up."""
    membership = membership_of(user)
    if membership is None:
        return WebhookDelivery.objects.none()
    return (
        WebhookDelivery.objects.filter(
            endpoint__enterprise=membership.enterprise, state=WebhookDelivery.State.DEAD
        )
        .select_related("endpoint", "event")
        .order_by("-last_attempt_at", "-pk")
    )


@top_level
def resend_webhook_deliveries(*, user, ids) -> list[int]:
    """Put the given dead deliveries of ``user``'s enterprise back in the queue with a
    fresh horizon; returns the ids that went back (others were not dead or not theirs)."""
    chosen = list(dead_webhook_deliveries(user).filter(pk__in=ids).values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=chosen).update(error="", **fresh_start())
    return chosen


def events_after(user, after: int, limit: int = 200, language: str | None = None) -> list[dict]:
    """Catch-up for a reconnecting browser: its enterprise's events after ``after``, in
    ``language`` (default: the active one)."""
    membership = membership_of(user)
    if membership is None:
        return []
    systems = [s.key for s in registry.all_systems() if filer_membership(user, s.key)]
    events = (
        Event.objects.filter(enterprise_id=membership.enterprise_id, pk__gt=after)
        .filter(system__in=systems)
        .order_by("pk")[:limit]
    )
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return [event.payload(language) for event in events]


def latest_event_id(user) -> int:
    membership = membership_of(user)
    if membership is None:
        return 0
    last = (
        Event.objects.filter(enterprise_id=membership.enterprise_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return last or 0
