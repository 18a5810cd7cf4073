"""ISO 6346 container numbers: 3 owner letters, category U/J/Z, 6 digits, a check digit."""

import re

from customs.errors import Invalid

_PATTERN = re.compile(r"^[A-Z]{3}[UJZ]\d{7}$")
# Letter values skip multiples of 11 (A=10, B=12, ... K=21, L=23, ...).
_LETTER_VALUES = {
    letter: value
    for letter, value in zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [v for v in range(10, 39) if v % 11 != 0],
        strict=True,
    )
}


def check_digit(first_ten: str) -> int:
    total = 0
    for position, char in enumerate(first_ten):
        value = int(char) if char.isdigit() else _LETTER_VALUES[char]
        total += value * (2**position)
    return total % 11 % 10


def normalise_container_no(raw: str) -> str:
    """Upper-cases, strips spaces, and refuses a number whose check digit does not add up."""
    number = re.sub(r"[\s-]", "", raw).upper()
    if not _PATTERN.match(number):
        raise Invalid(
            f"container number {raw!r} is not ISO 6346: expected 3 owner letters, "
            "U/J/Z, 6 digits and a check digit, e.g. CSQU3054383",
            code="invalid_container_no",
        )
    expected = check_digit(number[:10])
    if int(number[10]) != expected:
        raise Invalid(
            f"container number {number} fails the ISO 6346 check: "
            f"the check digit should be {expected}, not {number[10]}",
            code="invalid_container_no",
        )
    return number
