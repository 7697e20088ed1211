import pytest
from django.core.exceptions import ValidationError

from portal.accounts.validators import uscc_check_character, validate_uscc


@pytest.mark.parametrize(
    "uscc",
    [
        "91350100M000100Y43",  # the example printed in GB 32100-2015 guidance
        "91110108MA01C2D3XY",
        "91310115MA1H7G5K31",
        "91110108ma01c2d3xy",  # lower case is accepted and normalised
        " 91350100M000100Y43 ",
    ],
)
def test_valid_codes_pass(uscc):
    validate_uscc(uscc)


@pytest.mark.parametrize(
    ("uscc", "code"),
    [
        ("", "uscc_length"),
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100Y433", "uscc_length"),
        ("91350100M000100Y44", "uscc_check"),  # one wrong check character
        ("91350100M000101Y43", "uscc_check"),  # one mistyped body character
        ("91350100MO00100Y43", "uscc_characters"),  # letter O is not in the alphabet
        ("91350100M000100I43", "uscc_characters"),
        ("91350100M00010ZY43", "uscc_characters"),
        ("9135010-M000100Y43", "uscc_characters"),
        ("91A50100M000100Y43", "uscc_division"),  # area code must be digits
    ],
)
def test_bad_codes_name_the_problem(uscc, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(uscc)
    assert excinfo.value.code == code


def test_check_character_zero_when_sum_is_a_multiple_of_31():
    # Search a body whose weighted sum is 0 mod 31: the check character is "0", not "31".
    from portal.accounts.validators import USCC_ALPHABET, USCC_WEIGHTS

    body = "9111010800000000"
    for ch in USCC_ALPHABET:
        candidate = body + ch
        pairs = zip(candidate, USCC_WEIGHTS, strict=True)
        total = sum(USCC_ALPHABET.index(c) * w for c, w in pairs)
        if total % 31 == 0:
            assert uscc_check_character(candidate) == "0"
            validate_uscc(candidate + "0")
            return
    pytest.fail("no body with a zero remainder found")
