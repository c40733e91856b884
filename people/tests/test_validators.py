import pytest

from people.validators import (
    nhs_check_digit,
    nhs_number_error,
    normalise_postcode,
    postcode_error,
    upn_check_letter,
    upn_error,
)


@pytest.mark.parametrize("value", ["943 476 5919", "9434765919", "4010232137"])
def test_valid_nhs_numbers_pass(value):
    assert nhs_number_error(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9434765918", "check digit"),
        ("943476591", "10 digits"),
        ("94347659190", "10 digits"),
        ("94347659A9", "10 digits"),
        ("", "10 digits"),
    ],
)
def test_invalid_nhs_numbers_say_why(value, message):
    assert message in nhs_number_error(value)


def test_nine_digits_whose_check_would_be_ten_have_no_valid_nhs_number():
    # 10 - (sum mod 11) == 10 means no valid number exists with these nine digits.
    first_nine = next(f"{n:09d}" for n in range(999000000, 999000100) if nhs_check_digit(f"{n:09d}") is None)
    assert all(nhs_number_error(first_nine + str(d)) for d in range(10))


def test_upn_check_letter_round_trip():
    tail = "999123420001"
    upn = upn_check_letter(tail) + tail
    assert upn_error(upn) is None
    wrong = ("A" if upn[0] != "A" else "B") + tail
    assert "check letter" in upn_error(wrong)


def test_upn_shape_errors():
    assert "13 characters" in upn_error("A12345")
    assert "13 characters" in upn_error("1999123420001")


def test_postcodes():
    assert normalise_postcode("sw1a1aa") == "SW1A 1AA"
    assert postcode_error("SW1A 1AA") is None
    assert postcode_error("not a postcode")
