"""Swedish personnummer and samordningsnummer: parsing, validation, pseudonyms.

Accepted forms (``sources.md``): ``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``,
``YYMMDD-NNNN``, ``YYMMDDNNNN`` and ``YYMMDD+NNNN`` (``+``: 100 years or
older).  A 10-digit number gets the latest century that does not put the
birth date after the file's export date, one century earlier with ``+``.
Valid when the date part is a real date (samordningsnummer: day + 60) and the
last digit is the Luhn check digit of the 10-digit form.  The 9th digit of
the 10-digit form is odd for men, even for women.

Dexter also issues *temporary* numbers whose last four characters contain a
letter (``19950312-T104``): accepted where the source allows them, flagged,
never linked to Arbetsförmedlingen data, gender unknown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

_FORM = re.compile(r"^(\d{2})?(\d{6})([-+]?)([0-9A-Z]{4})$")


class PersonnummerError(ValueError):
    """The value is not an acceptable personnummer; ``code`` is the reason code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Personnummer:
    normalized: str  # 12 characters, YYYYMMDDNNNN (letters kept for temporary numbers)
    birth_date: dt.date | None
    gender: str | None  # "K" | "M" | None
    is_samordning: bool
    is_temporary: bool

    def pseudonym(self, key: bytes) -> str:
        """Keyed pseudonym (HMAC-SHA256, hex).  Temporary numbers get their own
        namespace so that they can never collide with a real number."""
        prefix = b"T:" if self.is_temporary else b"P:"
        return hmac.new(key, prefix + self.normalized.encode("ascii"), hashlib.sha256).hexdigest()


def luhn_digit(nine_digits: str) -> int:
    """Check digit for the first nine digits of the 10-digit form (weights 2,1,2,...)."""
    total = 0
    for i, ch in enumerate(nine_digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse(value: str, reference_date: dt.date, allow_temporary: bool = False) -> Personnummer:
    """Parse and validate; ``reference_date`` is the file's export date.

    Raises :class:`PersonnummerError` with a reason code:
    ``pnr_format``, ``pnr_date``, ``pnr_checksum``, ``pnr_temporary``.
    """
    raw = value.strip().upper()
    m = _FORM.match(raw)
    if not m:
        raise PersonnummerError("pnr_format", "personnummer is not in an accepted form")
    century, yymmdd, sep, last4 = m.groups()
    if century is not None and sep == "+":
        raise PersonnummerError("pnr_format", "'+' is only used with the 10-digit form")

    temporary = not last4.isdigit()
    if temporary and not allow_temporary:
        raise PersonnummerError("pnr_temporary", "temporary number where a real personnummer is required")
    if temporary and not re.search(r"[A-Z]", last4):
        raise PersonnummerError("pnr_format", "personnummer is not in an accepted form")

    yy, mm, dd = int(yymmdd[0:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    samordning = dd > 60
    real_day = dd - 60 if samordning else dd

    if century is not None:
        year = int(century) * 100 + yy
    else:
        # the latest century that does not put the birth date after the export date
        year = (reference_date.year // 100) * 100 + yy
        candidate = _real_date(year, mm, real_day)
        if candidate is None:
            # an invalid date (e.g. 29 Feb) cannot decide the century; compare month/day
            if (year, mm, real_day) > (reference_date.year, reference_date.month, reference_date.day):
                year -= 100
        elif candidate > reference_date:
            year -= 100
        if sep == "+":
            year -= 100

    birth = _real_date(year, mm, real_day)
    if birth is None:
        raise PersonnummerError("pnr_date", "the date part of the personnummer is not a real date")

    normalized = f"{year:04d}{yymmdd[2:]}{last4}"
    if temporary:
        return Personnummer(normalized, birth, None, samordning, True)

    ten = yymmdd + last4
    if luhn_digit(ten[:9]) != int(ten[9]):
        raise PersonnummerError("pnr_checksum", "the check digit of the personnummer is wrong")
    gender = "M" if int(ten[8]) % 2 == 1 else "K"
    return Personnummer(normalized, birth, gender, samordning, False)


def mask(value: str) -> str:
    """Mask a personnummer-like value for messages and quarantine: keep the
    length and separators, hide every digit and letter of the number."""
    return re.sub(r"[0-9A-Za-z]", "X", value)


# Candidate personnummer inside free text: used to mask whole raw lines and by
# the privacy scan of the tests.
PNR_PATTERN = re.compile(r"(?<![0-9])(?:\d{2})?\d{6}[-+]?[0-9A-Za-z]{4}(?![0-9])")


def mask_text(text: str) -> str:
    return PNR_PATTERN.sub(lambda m: mask(m.group(0)), text)
