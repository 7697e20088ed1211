"""``Idempotency-Key`` on create and submit (see models.IdempotencyKey).

The caller looks the key up first (``replay``); when the work runs, ``remember``
writes the key row inside the service's own transaction.  Two requests racing with
one key: the second's transaction fails on the unique key and rolls back whole, and
it answers with the first one's stored response.
"""

import hashlib
import json

from django.utils.translation import gettext_lazy as _

from .errors import ApiError
from .models import IdempotencyKey

MAX_LENGTH = 255


def digest(request, payload) -> str:
    canonical = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_LENGTH:
        raise ApiError(
            422,
            "invalid_idempotency_key",
            _("An Idempotency-Key is 1 to 255 characters."),
        )
    return key


def replay(user, key: str | None, request_hash: str) -> IdempotencyKey | None:
    """The stored response for this key, if any; the same key with another request
    is refused (422)."""
    if key is None:
        return None
    found = IdempotencyKey.objects.filter(user=user, key=key).first()
    if found is not None and found.request_hash != request_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            _(
                "This Idempotency-Key was already used for another request (another "
                "body or address). Use a new key for a new request."
            ),
        )
    return found


def remember(user, key: str | None, request_hash: str, status_code: int, response) -> None:
    """Inside the service's transaction: the key and the response it gave."""
    if key is None:
        return
    IdempotencyKey.objects.create(
        user=user,
        key=key,
        request_hash=request_hash,
        status_code=status_code,
        response=response,
    )
