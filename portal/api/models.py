"""Idempotency keys: a retried create or submit never files twice.

A key is the client's ``Idempotency-Key`` header, scoped to the user.  Its row is
written in the same transaction as the service's own work, so either both the
filing and the stored response exist, or neither.  Rows are kept at least
``KEEP`` (24 hours); ``manage.py purge_idempotency_keys`` removes older ones.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEEP = timedelta(hours=24)


class IdempotencyKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=255)
    # sha256 of the operation, the path and the canonical body: the same key with
    # another request is refused.
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


def purge_expired(*, now=None) -> int:
    """Delete keys older than ``KEEP``; returns how many."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
