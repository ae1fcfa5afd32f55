import csv
import datetime as dt
from pathlib import Path

import pytest

from dua.identity.personnummer import PNR_PATTERN, PersonnummerError, digits_of, luhn_digit, mask, mask_text, parse

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
    n1 = "240615-" + "001" + str(luhn_digit("240615001"))
    n2 = "240701-" + "001" + str(luhn_digit("240701001"))
    assert parse(n1, REF).birth_date == dt.date(2024, 6, 15)
    assert parse(n2, REF).birth_date == dt.date(1924, 7, 1)


def test_plus_means_a_hundred_years_earlier():
    n = "121212+1212"  # valid check digit
    assert parse(n, REF).birth_date == dt.date(1912, 12, 12)
    assert parse("121212-1212", REF).birth_date == dt.date(2012, 12, 12)


def test_plus_is_decided_by_the_calendar_year_of_the_hundredth_birthday():
    # Folkbokföringslagen 18 §: '+' from the calendar year in which the person
    # turns 100.  On 2026-12-01 a woman born 1926-12-04 already writes '+'
    # although her birthday is three days away: born 1926, not 1826.
    assert luhn_digit("261204902") == 9
    assert parse("261204+9029", dt.date(2026, 12, 1)).birth_date == dt.date(1926, 12, 4)
    assert parse("261204+9029", dt.date(2026, 12, 4)).birth_date == dt.date(1926, 12, 4)
    # the latest year ending in 26 that is at least 100 years before 2125
    assert parse("261204+9029", dt.date(2125, 12, 31)).birth_date == dt.date(1926, 12, 4)
    # 1927 would be less than 100 years before 2026: the century before
    assert parse("270101+9024", dt.date(2026, 12, 1)).birth_date == dt.date(1827, 1, 1)


def test_birth_number_000_is_refused():
    assert luhn_digit("811218000") == 8
    with pytest.raises(PersonnummerError) as exc:
        parse("811218-0008", REF)
    assert exc.value.code == "pnr_serial"
    assert parse("811218-0016", REF).gender == "M"  # 001: the first birth number


@pytest.mark.parametrize(
    ("value", "gender"),
    [("850061-1234", "M"),   # month 00, day 1 (61)
     ("851260-1231", "M"),   # December, day unknown (60)
     ("850060-1243", "K")],  # neither known
)
def test_samordningsnummer_with_an_incomplete_birth_date(value, gender):
    p = parse(value, REF)
    assert p.is_samordning and p.birth_date is None and p.gender == gender
    assert p.normalized == "1985" + value[2:6] + value[7:]


def test_month_00_or_day_00_is_no_date_in_a_personnummer():
    for value in ("850001-1237", "851200-1234"):
        with pytest.raises(PersonnummerError) as exc:
            parse(value, REF)
        assert exc.value.code == "pnr_date"


@pytest.mark.parametrize("value", ["20080\uff15265709", "\u0668\u0661\u0661\u0662\u0661\u0668-\u0669\u0668\u0667\u0666",
                                   "811218-987\u00b2", "19811218\u20119876"])
def test_only_ascii_digits_are_digits(value):
    with pytest.raises(PersonnummerError) as exc:
        parse(value, REF)
    assert exc.value.code == "pnr_format"


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


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("198112189876", "XXXXXXXXXXXX"),
        ("8112189876", "XXXXXXXXXX"),
        ("811218+9876", "XXXXXX+XXXX"),
        ("19811218 9876", "XXXXXXXX XXXX"),
        ("811218\u20139876", "XXXXXX\u2013XXXX"),                        # en dash
        ("20080\uff15265709", "XXXXXXXXXXXX"),                            # one fullwidth digit
        ("\uff18\uff11\uff11\uff12\uff11\uff18\uff0d\uff19\uff18\uff17\uff16",
         "XXXXXX\uff0dXXXX"),                                             # all fullwidth
        ("\u0668\u0661\u0661\u0662\u0661\u0668-\u0669\u0668\u0667\u0666", "XXXXXX-XXXX"),  # Arabic-Indic
        ("19950312-T104", "XXXXXXXX-XXXX"),
        ("x1981121898761y", "xXXXXXXXXXXXXXy"),                           # thirteen digits
        ("af_status_0581_202405_198112189876.csv", "af_status_0581_202405_XXXXXXXXXXXX.csv"),
    ],
)
def test_masking_covers_every_form_a_number_takes_in_a_line(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", ["dexter_isp_0581_20240630.csv", "af_status_0581_202405.csv", "2024-01-08",
                                  "12,5", "D00001", "SFI C/D"])
def test_masking_leaves_dates_names_and_codes_alone(text):
    assert mask_text(text) == text


def test_digits_of_a_candidate_are_ascii():
    (m,) = PNR_PATTERN.finditer("x;\uff18\uff11\uff11\uff12\uff11\uff18\uff0d\uff19\uff18\uff17\uff16;y")
    assert digits_of(m.group(0)) == "8112189876"


VECTORS = Path(__file__).parent / "data" / "personnummer_vectors.csv"


def _vectors() -> list[dict[str, str]]:
    with VECTORS.open(encoding="utf-8") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter=";"))


def test_the_vector_file_has_its_sources_and_every_kind_of_case():
    rows = _vectors()
    assert 100 <= len(rows) <= 200
    assert {r["source"] for r in rows} == {"meta", "stdnum", "skv", "rules"}
    assert {r["expected"] for r in rows} == {"valid", "pnr_format", "pnr_date", "pnr_serial", "pnr_checksum",
                                             "pnr_temporary"}
    assert sum(r["expected"] == "valid" and r["birth_date"] == "" for r in rows) == 5


@pytest.mark.parametrize("row", _vectors(), ids=lambda r: f"{r['source']}-{r['value']}-{r['reference_date']}")
def test_public_and_rule_vectors(row):
    ref = dt.date.fromisoformat(row["reference_date"])
    if row["expected"] != "valid":
        with pytest.raises(PersonnummerError) as exc:
            parse(row["value"], ref)
        assert exc.value.code == row["expected"]
        return
    p = parse(row["value"], ref)
    assert p.normalized == row["normalized"]
    assert p.birth_date == (dt.date.fromisoformat(row["birth_date"]) if row["birth_date"] else None)
    assert p.gender == row["gender"]
    assert p.is_samordning == (row["samordning"] == "true")
