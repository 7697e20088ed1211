"""Identifiers of enterprises, checked as the issuing standards define them."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the 31 characters a USCC may use (no I, O, S, V, Z) and the
# weights of positions 1-17 for the check character in position 18.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    return (value or "").strip().upper()


def validate_uscc(value: str) -> None:
    """Raise a ValidationError naming what is wrong with a USCC."""
    value = normalize_uscc(value)
    if len(value) != 18:
        raise ValidationError(
            _("The unified social credit code must be 18 characters; you entered %(n)d."),
            code="uscc_length",
            params={"n": len(value)},
        )
    bad = sorted({c for c in value if c not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _(
                "The unified social credit code may only use digits and capital letters other "
                "than I, O, S, V and Z; not allowed: %(chars)s."
            ),
            code="uscc_characters",
            params={"chars": " ".join(bad)},
        )
    if not value[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of the unified social credit code are the six-digit area code."),
            code="uscc_division",
        )
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _(
                "The check character (the last one) of this unified social credit code is wrong: "
                "please check the code for typing errors."
            ),
            code="uscc_check",
        )


TRADE_REGISTRATION_RE = re.compile(r"^\d{8}$")


def validate_trade_registration(value: str) -> None:
    if not TRADE_REGISTRATION_RE.match(value or ""):
        raise ValidationError(
            _("The foreign-trade operator record number is the 8-digit number on the record form."),
            code="trade_registration",
        )


PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def validate_phone(value: str) -> None:
    if not PHONE_RE.match((value or "").replace(" ", "")):
        raise ValidationError(
            _("Enter a mobile number (11 digits) or a landline with area code, e.g. 010-12345678."),
            code="phone",
        )
