"""HMAC-SHA256 signatures of machine messages, one scheme for both directions of the
customs exchange and for webhooks: ``X-SW-Timestamp`` and
``X-SW-Signature: sha256=<hex of HMAC(secret, "<timestamp>." + body)>``."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-SW-Signature"
TIMESTAMP_HEADER = "X-SW-Timestamp"
MAX_CLOCK_SKEW = 300  # seconds


class SignatureError(ValueError):
    """The sender could not be authenticated."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signed_headers(secret: str, body: bytes, content_type="application/xml; charset=utf-8"):
    timestamp = str(int(time.time()))
    return {
        "Content-Type": content_type,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify_signature(secret: str, timestamp: str | None, given: str | None, body: bytes) -> None:
    if not timestamp or not given:
        raise SignatureError("Missing signature.")
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError as error:
        raise SignatureError("Bad timestamp.") from error
    if age > MAX_CLOCK_SKEW:
        raise SignatureError("Timestamp too old or in the future.")
    if not hmac.compare_digest(signature(secret, timestamp, body), given):
        raise SignatureError("Bad signature.")
