"""One numbering service for applications and certificates."""

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import NumberSequence


def next_value(key: str) -> int:
    """The next number for ``key``: unique under concurrent callers.

    The row lock (PostgreSQL) or the write lock taken by an IMMEDIATE
    transaction (SQLite) makes callers take turns.
    """
    with transaction.atomic():
        updated = NumberSequence.objects.filter(key=key).update(value=F("value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(key=key, value=1)
                    return 1
            except IntegrityError:
                # Another caller created the row first; take the next one after it.
                NumberSequence.objects.filter(key=key).update(value=F("value") + 1)
        return NumberSequence.objects.get(key=key).value


def next_number(prefix: str, width: int = 6) -> str:
    """``prefix`` followed by the next value for it, zero-padded: ``2026DP000017``."""
    return f"{prefix}{next_value(prefix):0{width}d}"
