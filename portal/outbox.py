"""What the two outboxes (customs messages, webhook deliveries) share: claiming due rows
with a lease, so several workers never send the same row at once, the backoff, and the
horizon after which a row stops being retried and becomes a dead letter."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.transactions import durable

# States both outbox tables use (each model declares them in its own ``State``).
PENDING, DELIVERED, DEAD = "PENDING", "DELIVERED", "DEAD"


def claim_due(queryset, *, limit: int, lease_seconds: float) -> list:
    """Take up to ``limit`` due PENDING rows and push their next attempt past the lease.

    If the worker dies while sending, the lease expires and another worker
    (or this one, restarted) sends the row again, with the same id.
    """
    now = timezone.now()
    with durable():  # the lease commits before anything is sent
        due = queryset.filter(state=PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        batch = list(due[:limit])
        queryset.model.objects.filter(pk__in=[row.pk for row in batch]).update(
            next_attempt_at=now + timedelta(seconds=lease_seconds)
        )
    return batch


def backoff_seconds(attempts: int) -> float:
    """The wait after ``attempts`` failed tries: base * 2**(attempts-1), capped."""
    base = settings.CUSTOMS_RETRY_BASE_SECONDS
    cap = settings.OUTBOX_MAX_BACKOFF_SECONDS
    return min(base * 2 ** min(attempts - 1, 30), cap)


def retry_at(attempts: int, *, first_attempt_at=None, now=None):
    """When to try again after ``attempts`` failed tries, or None when the retry horizon
    (``OUTBOX_RETRY_HORIZON`` since the first attempt) has passed: a dead letter."""
    now = now or timezone.now()
    first = first_attempt_at or now
    if now - first >= settings.OUTBOX_RETRY_HORIZON:
        return None
    return now + timedelta(seconds=backoff_seconds(attempts))


def fresh_start() -> dict:
    """The fields that put a dead letter back in the queue with a fresh horizon."""
    return {
        "state": PENDING,
        "attempts": 0,
        "first_attempt_at": None,
        "next_attempt_at": timezone.now(),
    }
