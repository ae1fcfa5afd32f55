"""Swedish personnummer and samordningsnummer: parsing, validation, pseudonyms.

Accepted forms (``sources.md``): ``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``,
``YYMMDD-NNNN``, ``YYMMDDNNNN`` and ``YYMMDD+NNNN``, ASCII digits only.

Century of a 10-digit number, decided against the reference date (the file's
export date):

- ``-`` or no separator: the latest year ending in ``YY`` that does not put
  the birth date after the reference date;
- ``+`` (Folkbokföringslag 18 §: used from the calendar year in which the
  person turns 100): the latest year ending in ``YY`` that is at least 100
  years before the reference date's year — decided by calendar year, so
  ``261204+9029`` on 2026-12-01 is born 1926-12-04.

Valid when the date part is a real date, the birth number (digits 7–9 of the
10-digit form) is not ``000`` and the last digit is the Luhn check digit of
the 10-digit form.  A *samordningsnummer* has day + 60; Skatteverket also
issues them with an incomplete birth date — month ``00`` and/or day ``60``
(day ``00`` + 60): valid, birth date unknown (``None``).  The 9th digit of the
10-digit form is odd for men, even for women.

Dexter also issues *temporary* numbers whose last four characters contain a
letter (``19950312-T104``): accepted where the source allows them, flagged,
never linked to Arbetsförmedlingen data, gender unknown.

Every rule reads ASCII digits ``[0-9]`` only.  Masking (:func:`mask`,
:func:`mask_text`) is deliberately wider: it hides any character that is a
digit in any script, so that a number written with, say, fullwidth digits
never reaches a message or the quarantine in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

_FORM = re.compile(r"([0-9]{2})?([0-9]{2})([0-9]{2})([0-9]{2})([-+]?)([0-9A-Z]{4})", re.ASCII)
_FOUR_DIGITS = re.compile(r"[0-9]{4}", re.ASCII)
_LETTER = re.compile(r"[A-Z]", re.ASCII)

# Birth date of a samordningsnummer without a known month or day.
UNKNOWN = 0


class PersonnummerError(ValueError):
    """The value is not an acceptable personnummer; ``code`` is the reason code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Personnummer:
    normalized: str  # 12 characters, YYYYMMDDNNNN (letters kept for temporary numbers)
    birth_date: dt.date | None  # None: a samordningsnummer with month 00 or day 60
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


def _latest_year(yy: int, not_after: int) -> int:
    """The latest year ending in ``yy`` that is not after ``not_after``."""
    return not_after - (not_after - yy) % 100


def parse(value: str, reference_date: dt.date, allow_temporary: bool = False) -> Personnummer:
    """Parse and validate; ``reference_date`` is the file's export date.

    Raises :class:`PersonnummerError` with a reason code:
    ``pnr_format``, ``pnr_date``, ``pnr_serial``, ``pnr_checksum``, ``pnr_temporary``.
    """
    raw = value.strip().upper()
    m = _FORM.fullmatch(raw)
    if not m:
        raise PersonnummerError("pnr_format", "personnummer is not in an accepted form")
    century, yy_text, mm_text, dd_text, sep, last4 = m.groups()
    if century is not None and sep == "+":
        raise PersonnummerError("pnr_format", "'+' is only used with the 10-digit form")

    temporary = not _FOUR_DIGITS.fullmatch(last4)
    if temporary and not allow_temporary:
        raise PersonnummerError("pnr_temporary", "temporary number where a real personnummer is required")
    if temporary and not _LETTER.search(last4):
        raise PersonnummerError("pnr_format", "personnummer is not in an accepted form")

    yy, mm, dd = int(yy_text), int(mm_text), int(dd_text)
    samordning = dd >= 60
    day = dd - 60 if samordning else dd
    # a samordningsnummer may leave the month (00) and/or the day (60) unknown
    month_known, day_known = mm != UNKNOWN, day != UNKNOWN
    if not samordning and not (month_known and day_known):
        raise PersonnummerError("pnr_date", "the date part of the personnummer is not a real date")
    if mm > 12 or day > 31:
        raise PersonnummerError("pnr_date", "the date part of the personnummer is not a real date")

    ref = reference_date
    if century is not None:
        year = int(century) * 100 + yy
    elif sep == "+":
        year = _latest_year(yy, ref.year - 100)
    else:
        year = _latest_year(yy, ref.year)
        if year == ref.year:
            # the earliest date the known parts allow must not be after the
            # reference date (an impossible date such as 29 February is
            # compared by month and day: it cannot decide the century)
            earliest = (mm if month_known else 1, day if day_known else 1)
            if earliest > (ref.month, ref.day):
                year -= 100

    birth: dt.date | None = None
    if month_known and day_known:
        birth = _real_date(year, mm, day)
        if birth is None:
            raise PersonnummerError("pnr_date", "the date part of the personnummer is not a real date")

    normalized = f"{year:04d}{mm_text}{dd_text}{last4}"
    if temporary:
        return Personnummer(normalized, birth, None, samordning, True)

    if last4[:3] == "000":
        raise PersonnummerError("pnr_serial", "the birth number of the personnummer is 000 (valid: 001–999)")
    ten = f"{yy_text}{mm_text}{dd_text}{last4}"
    if luhn_digit(ten[:9]) != int(ten[9]):
        raise PersonnummerError("pnr_checksum", "the check digit of the personnummer is wrong")
    gender = "M" if int(ten[8]) % 2 == 1 else "K"
    return Personnummer(normalized, birth, gender, samordning, False)


# --------------------------------------------------------------------------
# Masking.  A "digit" here is any character with a digit value in any script:
# Unicode decimal digits (``\d`` of a str pattern: fullwidth ５, Arabic-Indic
# ٥, …) and the other characters with a digit value (superscripts ⁵, circled
# ⑤, …; listed below from unicodedata 14, which Python 3.11 carries).
_OTHER_DIGITS = (
    "\u00b2-\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c"
    "\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792"
    "\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a\U0001f100-\U0001f10a"
)
_D = rf"[\d{_OTHER_DIGITS}]"
# separators people write between date and birth number: hyphen, plus,
# the Unicode dashes and minus, fullwidth hyphen and plus, spaces
_SEP = r"[-+\u2010-\u2015\u2212\ufe63\uff0b\uff0d \u00a0\u202f]"
_ALNUM = rf"(?:{_D}|[A-Za-z\uff21-\uff3a\uff41-\uff5a])"

# Candidate personnummer inside free text: (century) date, separator, four
# characters; or any run of ten or more digits (a number with extra digits
# around it is still masked).  Used to mask whole raw lines, file names and
# unknown columns, and by the privacy scans of the tests.
# The last four characters hold at least one digit ("T104", never "char").
PNR_PATTERN = re.compile(
    rf"(?<!{_D})(?:(?:{_D}{{2}})?{_D}{{6}}{_SEP}?(?={_ALNUM}{{0,3}}{_D}){_ALNUM}{{4}}(?!{_D})|{_D}{{10,}})")

_WORD = re.compile(r"[^\W_]")  # letters and digits of every script


def mask(value: str) -> str:
    """Mask a personnummer-like value for messages and quarantine: keep the
    length and separators, hide every digit and letter (of any script)."""
    return _WORD.sub("X", value)


def mask_text(text: str) -> str:
    """``text`` with every personnummer-like part masked."""
    return PNR_PATTERN.sub(lambda m: mask(m.group(0)), text)


def looks_like_personnummer(text: str) -> bool:
    return PNR_PATTERN.search(text) is not None


def digits_of(candidate: str) -> str:
    """The digits of a :data:`PNR_PATTERN` match as ASCII (``-``, ``+`` and
    spaces dropped): what a privacy scan compares with known numbers."""
    import unicodedata

    out = []
    for ch in candidate:
        d = unicodedata.digit(ch, None)
        if d is not None:
            out.append(str(d))
        elif ch.isascii() and ch.isalpha():
            out.append(ch.upper())
    return "".join(out)
