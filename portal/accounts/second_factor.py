"""The second factor (TOTP authenticator + recovery codes), on django-otp.

Back-office users must pass it before anything in /admin/; enterprise users
enrol one from their account page and give a code when a system declares
``submit_needs_second_factor``.  A session counts as verified once
``django_otp.login`` stored the device in it (until sign-out).
"""

import io

import segno
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import ENTERPRISE_ROLES, role_of

RECOVERY_CODES = 10


def is_back_office(user) -> bool:
    """Users who must pass the second factor before they can act."""
    if not user.is_authenticated:
        return False
    role = role_of(user)
    if role is None:
        return user.is_staff
    return role not in ENTERPRISE_ROLES


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(request) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user, kept across reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def qr_svg(device) -> str:
    buffer = io.BytesIO()
    segno.make(device.config_url, micro=False).save(buffer, kind="svg", scale=4, xmldecl=False)
    return buffer.getvalue().decode()


def secret_of(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def confirm_enrolment(request, token: str) -> list[str] | None:
    """Confirm the pending device with a code; returns the new recovery codes."""
    device = pending_device(request.user)
    if not device.verify_token((token or "").strip()):
        return None
    TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(request.user)
    otp_login(request, device)
    return codes


def wait_seconds(user, *, pending: bool = False) -> int:
    """Seconds before the authenticator accepts another code: django-otp doubles a wait
    after each wrong code (1, 2, 4 ... s), and a right code typed within it is refused."""
    import math

    from django.utils import timezone

    devices = TOTPDevice.objects.filter(user=user, confirmed=not pending)
    wait = 0.0
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            wait = max(wait, (data["locked_until"] - timezone.now()).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def verify(request, token: str) -> bool:
    """A TOTP code or a recovery code (used once); marks the session verified."""
    token = (token or "").strip().replace(" ", "")
    if not token:
        return False
    for device in list(TOTPDevice.objects.filter(user=request.user, confirmed=True)) + list(
        StaticDevice.objects.filter(user=request.user, confirmed=True)
    ):
        if device.verify_token(token):
            otp_login(request, device)
            return True
    return False


def check_code(user, token: str) -> bool:
    """A code checked without a request (the submit step's fresh code)."""
    token = (token or "").strip().replace(" ", "")
    if not token:
        return False
    for device in list(TOTPDevice.objects.filter(user=user, confirmed=True)) + list(
        StaticDevice.objects.filter(user=user, confirmed=True)
    ):
        if device.verify_token(token):
            return True
    return False


def enrol_with_secret(user, secret_b32: str) -> TOTPDevice:
    """Demo and tests: a confirmed device with a known secret (idempotent)."""
    from base64 import b32decode

    key = b32decode(secret_b32).hex()
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="authenticator", defaults={"key": key, "confirmed": True}
    )
    return device


def reset(user):
    """Delete every device: the user enrols again at the next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
