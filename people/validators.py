"""Checks on identifiers: NHS numbers (modulus 11), UPNs (check letter) and postcodes."""

from __future__ import annotations

import re

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
POSTCODE_RE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$")


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid check digit exists (remainder 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_error(value: str) -> str | None:
    """A plain-English reason the NHS number is wrong, or None if it is valid."""
    digits = normalise_nhs_number(value)
    if not digits.isdigit() or len(digits) != 10:
        return "Enter an NHS number that is 10 digits long, like 943 476 5919"
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        return "Enter a valid NHS number: the last digit (check digit) does not match the rest"
    return None


def upn_check_letter(tail: str) -> str:
    """The check letter for the 12 characters after it (a letter in the last place counts by its position)."""
    total = 0
    for weight, ch in enumerate(tail, start=2):
        total += (UPN_LETTERS.index(ch) if ch.isalpha() else int(ch)) * weight
    return UPN_LETTERS[total % 23]


def upn_error(value: str) -> str | None:
    upn = (value or "").strip().upper()
    if len(upn) != 13 or not re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", upn):
        return "Enter a UPN that is 13 characters: a letter, 11 digits, then a digit or letter"
    if upn[12].isalpha() and upn[12] not in UPN_LETTERS:
        return "Enter a valid UPN: the last character is not a letter UPNs use"
    if upn[0] != upn_check_letter(upn[1:]):
        return "Enter a valid UPN: the check letter does not match the rest"
    return None


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: 'sw1a1aa' -> 'SW1A 1AA'."""
    pc = re.sub(r"\s+", "", (value or "").upper())
    if len(pc) > 3:
        pc = f"{pc[:-3]} {pc[-3:]}"
    return pc


def postcode_error(value: str) -> str | None:
    if not POSTCODE_RE.match(normalise_postcode(value)):
        return "Enter a real postcode, like SW1A 1AA"
    return None
