"""The notification list, the event feed, subscriptions (订阅) and webhooks of the
token's user, over ``notifications.services`` as the pages use it (the same rules,
the same owner-only webhooks, the enterprise's own events only)."""

import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictBool

from filings.selectors import any_filings_for_filer
from notifications import services
from notifications.models import Channel, Notification, Subscription, WebhookEndpoint
from portal.accounts.selectors import membership_of
from portal.languages import formatted

from .errors import BODY_ERRORS, COMMON_ERRORS, LANGUAGES, ApiError, invalid
from .filings import Bodies, IdCursorPagination, _run
from .schemas import BodyIn, Label, RowId

router = Router(tags=["notifications"])

PAGING = {"ordering": ("-id",), "page_size": 50, "max_page_size": 200}
MAX_IDS = 500


class EventOut(Schema):
    id: int
    subject: str = Field(description="application, certificate or test")
    system: str
    number: str
    certificate_number: str
    status: str
    status_label: Label
    text: Label
    at: datetime.datetime


class NotificationOut(Schema):
    id: int
    read: bool
    event: EventOut


def event_body(event) -> dict:
    both = {
        short: (event.status_label_in(code), event.text_in(code))
        for short, code in LANGUAGES.items()
    }
    return {
        "id": event.pk,
        "subject": event.subject,
        "system": event.system,
        "number": event.number,
        "certificate_number": event.certificate_number,
        "status": event.status,
        "status_label": {short: label for short, (label, _text) in both.items()},
        "text": {short: text for short, (_label, text) in both.items()},
        "at": event.created_at,
    }


def _enterprise_user(request):
    membership = membership_of(request.user)
    if membership is None:
        raise ApiError(
            403, "enterprise_only", _("Only enterprise accounts have notifications here.")
        )
    return membership


def _owner(request):
    membership = _enterprise_user(request)
    if not membership.is_owner:
        raise ApiError(
            403, "owner_only", _("Only the enterprise's owner manages its webhook addresses.")
        )
    return membership


def _ids(ids: list) -> list[int]:
    if len(ids) > MAX_IDS:
        raise invalid(ids=[_("At most 500 at a time.")])
    return ids


# --- the notification list and the event feed ---------------------------------------------


class NotificationFilters(Schema):
    unread: bool | None = Field(None, description="true: only the unread ones")


@router.get(
    "notifications",
    response={200: list[NotificationOut], **COMMON_ERRORS},
    operation_id="notifications",
    summary="Your notifications (the bell), newest first",
)
@paginate(IdCursorPagination, **PAGING)
def notifications(request, filters: Query[NotificationFilters]):
    _enterprise_user(request)
    qs = Notification.objects.filter(user=request.user).select_related("event")
    if filters.unread:
        qs = qs.filter(read_at__isnull=True)
    return Bodies(
        qs, lambda n: {"id": n.pk, "read": n.read_at is not None, "event": event_body(n.event)}
    )


class ReadIn(BodyIn):
    ids: list[RowId] | None = Field(
        None, description="The notifications to mark read; left out: all of yours."
    )


class Count(Schema):
    count: int


@router.post(
    "notifications/read",
    response={200: Count, **BODY_ERRORS},
    operation_id="notifications_read",
    summary="Mark notifications read (the given ids, or all)",
)
def notifications_read(request, payload: ReadIn):
    _enterprise_user(request)
    ids = None if payload.ids is None else _ids(payload.ids)
    return {"count": services.mark_read(user=request.user, ids=ids)}


class EventFilters(Schema):
    after: int = Field(0, ge=0, description="The last event id you have; 0: from the start.")
    limit: int = Field(200, ge=1, le=500)


@router.get(
    "events",
    response={200: list[EventOut], **COMMON_ERRORS},
    operation_id="events",
    summary="Your enterprise's status events after an id, oldest first (what the live "
    "push and the webhooks carry; poll it to catch up)",
)
def events(request, filters: Query[EventFilters]):
    from notifications.models import Event

    _enterprise_user(request)
    ids = [e["id"] for e in services.events_after(request.user, filters.after, filters.limit)]
    return [event_body(e) for e in Event.objects.filter(pk__in=ids).order_by("pk")]


# --- subscriptions ----------------------------------------------------------------------------


class SubscriptionOut(Schema):
    id: int
    channel: str
    application: str | None = None
    system: str = Field(description="With no application: every one of this system ('' = all)")
    active: bool
    created_at: datetime.datetime
    cancelled_at: datetime.datetime | None = None


class SubscribeIn(BodyIn):
    channels: list[str] = Field(description="BROWSER, EMAIL and/or WEBHOOK")
    applications: list[str] = Field(
        default_factory=list, description="Application numbers (submitted ones)"
    )
    all: StrictBool = Field(
        False, description="Every application of the enterprise (or of `system`)"
    )
    system: str = Field("", description="With all: only this system's applications")


def subscription_body(s) -> dict:
    return {
        "id": s.pk,
        "channel": s.channel,
        "application": s.filing.number if s.filing_id else None,
        "system": s.system,
        "active": s.active,
        "created_at": s.created_at,
        "cancelled_at": s.cancelled_at,
    }


@router.get(
    "subscriptions",
    response={200: list[SubscriptionOut], **COMMON_ERRORS},
    operation_id="subscriptions",
    summary="Your subscriptions, newest first",
)
@paginate(IdCursorPagination, **PAGING)
def subscriptions(request):
    _enterprise_user(request)
    qs = Subscription.objects.filter(user=request.user).select_related("filing")
    return Bodies(qs, subscription_body)


@router.post(
    "subscriptions",
    response={201: list[SubscriptionOut], **BODY_ERRORS},
    operation_id="subscribe",
    summary="Subscribe to applications (or all of them) on channels",
)
def subscribe(request, payload: SubscribeIn):
    _enterprise_user(request)
    numbers = list(dict.fromkeys(payload.applications))[:MAX_IDS]
    found = list(
        any_filings_for_filer(request.user).exclude(status="DRAFT").filter(number__in=numbers)
    )
    unknown = sorted(set(numbers) - {f.number for f in found})
    if unknown:
        raise invalid(
            applications=[
                formatted(
                    _("No submitted application of yours has this number: %(number)s"),
                    number=n,
                )
                for n in unknown[:10]
            ]
        )
    fields = {}
    bad_channels = [c for c in payload.channels if c not in Channel.values]
    if bad_channels:
        fields["channels"] = [_("Choose BROWSER, EMAIL or WEBHOOK.")]
    if payload.system and not payload.all:
        fields["system"] = [_("A system applies only with all.")]
    if fields:
        raise invalid(**fields)
    created = _run(
        lambda: services.subscribe(
            user=request.user,
            filings=found,
            all_filings=payload.all,
            channels=payload.channels,
            system=payload.system,
        )
    )
    return Status(201, [subscription_body(s) for s in created])


@router.delete(
    "subscriptions/{subscription_id}",
    response={204: None, **COMMON_ERRORS},
    operation_id="unsubscribe",
    summary="Cancel one of your subscriptions",
)
def unsubscribe(request, subscription_id: int):
    _enterprise_user(request)
    get_object_or_404(
        Subscription.objects.filter(user=request.user, cancelled_at__isnull=True),
        pk=subscription_id,
    )
    services.cancel(user=request.user, ids=[subscription_id])
    return Status(204, None)


# --- webhooks (the enterprise's owner) ---------------------------------------------------------


class WebhookOut(Schema):
    id: int
    url: str
    secret: str = Field(description="Verify each request's X-SW-Signature with it")
    active: bool
    created_at: datetime.datetime


class WebhookIn(BodyIn):
    url: str = Field(max_length=500, description="An HTTPS address of your system")


class DeliveryOut(Schema):
    id: int
    endpoint: int
    url: str
    event: int
    state: str
    state_label: Label
    attempts: int
    response_status: int | None = None
    error: str
    last_attempt_at: datetime.datetime | None = None
    delivered_at: datetime.datetime | None = None


def webhook_body(endpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "secret": endpoint.secret,
        "active": endpoint.active,
        "created_at": endpoint.created_at,
    }


def delivery_body(delivery) -> dict:
    from .filings import _label

    return {
        "id": delivery.pk,
        "endpoint": delivery.endpoint_id,
        "url": delivery.endpoint.url,
        "event": delivery.event_id,
        "state": delivery.state,
        "state_label": _label(delivery.get_state_display()),
        "attempts": delivery.attempts,
        "response_status": delivery.response_status,
        "error": delivery.error,
        "last_attempt_at": delivery.last_attempt_at,
        "delivered_at": delivery.delivered_at,
    }


def _endpoints(membership):
    return WebhookEndpoint.objects.filter(enterprise_id=membership.enterprise_id)


@router.get(
    "webhooks",
    response={200: list[WebhookOut], **COMMON_ERRORS},
    operation_id="webhooks",
    summary="Your enterprise's webhook addresses (owner only)",
)
def webhooks(request):
    return [webhook_body(e) for e in _endpoints(_owner(request)).order_by("pk")]


@router.post(
    "webhooks",
    response={201: WebhookOut, **BODY_ERRORS},
    operation_id="webhook_register",
    summary="Register a webhook address (owner only); every event is POSTed there, signed",
)
def webhook_register(request, payload: WebhookIn):
    _owner(request)
    endpoint = _run(lambda: services.register_webhook(user=request.user, url=payload.url))
    return Status(201, webhook_body(endpoint))


class TestOut(Schema):
    event: int


@router.post(
    "webhooks/{webhook_id}/test",
    response={202: TestOut, **COMMON_ERRORS},
    operation_id="webhook_test",
    summary="Queue a test event to one address (see its deliveries)",
)
def webhook_test(request, webhook_id: int):
    membership = _owner(request)
    endpoint = get_object_or_404(_endpoints(membership), pk=webhook_id)
    event = _run(lambda: services.send_test_event(user=request.user, endpoint=endpoint))
    return Status(202, {"event": event.pk})


class DeliveryFilters(Schema):
    state: str | None = Field(None, description="PENDING, DELIVERED, FAILED or DEAD")


@router.get(
    "webhooks/deliveries",
    response={200: list[DeliveryOut], **COMMON_ERRORS},
    operation_id="webhook_deliveries",
    summary="The delivery log of your enterprise's webhooks, newest first",
)
@paginate(IdCursorPagination, **PAGING)
def webhook_deliveries(request, filters: Query[DeliveryFilters]):
    from notifications.models import WebhookDelivery

    membership = _owner(request)
    qs = WebhookDelivery.objects.filter(endpoint__in=_endpoints(membership)).select_related(
        "endpoint"
    )
    if filters.state:
        if filters.state not in WebhookDelivery.State.values:
            raise invalid(state=[_("Choose PENDING, DELIVERED, FAILED or DEAD.")])
        qs = qs.filter(Q(state=filters.state))
    return Bodies(qs, delivery_body)


class ResendIn(BodyIn):
    ids: list[RowId] = Field(description="Dead deliveries to send again")


class ResendOut(Schema):
    resent: list[int]
    not_resent: list[int] = Field(description="Not dead letters of your enterprise (ignored)")


@router.post(
    "webhooks/deliveries/resend",
    response={200: ResendOut, **BODY_ERRORS},
    operation_id="webhook_resend",
    summary="Send dead deliveries again, with a fresh retry horizon",
)
def webhook_resend(request, payload: ResendIn):
    _owner(request)
    ids = list(dict.fromkeys(_ids(payload.ids)))
    resent = _run(lambda: services.resend_webhook_deliveries(user=request.user, ids=ids))
    return {"resent": resent, "not_resent": [i for i in ids if i not in set(resent)]}
