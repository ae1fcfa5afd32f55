import datetime as dt

import pytest

from dua.personnummer import PersonnummerError, luhn_digit, mask, mask_text, parse

REF = dt.date(2024, 6, 30)


def test_luhn_digit_of_a_known_number():
    # 811218-987? : 8*2=16→7, 1, 1*2=2, 2, 1*2=2, 8, 9*2=18→9, 8, 7*2=14→5 → sum 44 → 6
    assert luhn_digit("811218987") == 6


@pytest.mark.parametrize(
    "value",
    ["19811218-9876", "198112189876", "811218-9876", "8112189876"],
)
def test_four_forms_of_the_same_number(value):
    p = parse(value, REF)
    assert p.normalized == "198112189876"
    assert p.birth_date == dt.date(1981, 12, 18)
    assert p.gender == "M"  # 9th digit 7 is odd
    assert not p.is_samordning and not p.is_temporary


def test_gender_from_ninth_digit_even_is_woman():
    # 9th digit 8 (even); by hand: 6*2=12→3, 4, 0*2=0, 1, 0*2=0, 1, 2*2=4, 3, 8*2=16→7 → 23 → 7
    assert luhn_digit("640101238") == 7
    assert parse("640101-2387", REF).gender == "K"


def test_century_is_latest_not_after_the_export_date():
    # 240615 before the 2024-06-30 export: born 2024; 240701 after it: born 1924
    n1 = "240615-" + "000" + str(luhn_digit("240615000"))
    n2 = "240701-" + "000" + str(luhn_digit("240701000"))
    assert parse(n1, REF).birth_date == dt.date(2024, 6, 15)
    assert parse(n2, REF).birth_date == dt.date(1924, 7, 1)


def test_plus_means_a_hundred_years_earlier():
    n = "121212+1212"  # valid check digit
    assert parse(n, REF).birth_date == dt.date(1912, 12, 12)
    assert parse("121212-1212", REF).birth_date == dt.date(2012, 12, 12)


def test_samordningsnummer_day_plus_sixty():
    p = parse("701063-2391", REF)
    assert p.is_samordning
    assert p.birth_date == dt.date(1970, 10, 3)


def test_temporary_number_accepted_only_where_allowed():
    p = parse("19950312-T104", REF, allow_temporary=True)
    assert p.is_temporary and p.gender is None and p.birth_date == dt.date(1995, 3, 12)
    with pytest.raises(PersonnummerError) as exc:
        parse("19950312-T104", REF)
    assert exc.value.code == "pnr_temporary"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("811218-9875", "pnr_checksum"),
        ("811318-9876", "pnr_date"),  # month 13
        ("810230-1234", "pnr_date"),  # 30 February
        ("81121-9876", "pnr_format"),
        ("19811218+9876", "pnr_format"),  # '+' with a 12-digit number
        ("abc", "pnr_format"),
        ("", "pnr_format"),
    ],
)
def test_invalid_numbers_have_reason_codes(value, code):
    with pytest.raises(PersonnummerError) as exc:
        parse(value, REF, allow_temporary=True)
    assert exc.value.code == code


def test_pseudonym_is_keyed_and_form_independent():
    a = parse("811218-9876", REF).pseudonym(b"k1")
    b = parse("198112189876", REF).pseudonym(b"k1")
    c = parse("811218-9876", REF).pseudonym(b"k2")
    assert a == b and a != c and len(a) == 64
    assert "9876" not in a or "811218" not in a


def test_masking_hides_every_digit():
    assert mask("19811218-9876") == "XXXXXXXX-XXXX"
    assert mask_text("x;811218-9876;y") == "x;XXXXXX-XXXX;y"
