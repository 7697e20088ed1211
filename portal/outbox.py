"""What the two outboxes (customs messages, webhook deliveries) share: claiming due rows
with a lease, so several workers never send the same row at once, and the backoff."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

MAX_BACKOFF_SECONDS = 300


def claim_due(queryset, *, limit: int, lease_seconds: float) -> list:
    """Take up to ``limit`` due PENDING rows and push their next attempt past the lease.

    If the worker dies while sending, the lease expires and another worker
    (or this one, restarted) sends the row again, with the same id.
    """
    now = timezone.now()
    with transaction.atomic():
        due = queryset.filter(state="PENDING", next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        batch = list(due[:limit])
        queryset.model.objects.filter(pk__in=[row.pk for row in batch]).update(
            next_attempt_at=now + timedelta(seconds=lease_seconds)
        )
    return batch


def retry_at(attempts: int):
    """When to try again after ``attempts`` failed tries: exponential, capped."""
    delay = min(settings.CUSTOMS_RETRY_BASE_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    return timezone.now() + timedelta(seconds=delay)
