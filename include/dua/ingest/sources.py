"""Row rules of the three source files (``sources.md``), as data plus checks.

Each source has a column list and a ``validate`` function that turns one
parsed record into either a typed row for the raw table or a
:class:`RowRejected` carrying the reason code, the column and a message.
Nothing here touches the database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from dua.identity import personnummer as pnr


class RowRejected(Exception):
    def __init__(self, code: str, column: str | None, message: str):
        super().__init__(message)
        self.code = code
        self.column = column
        self.message = message


# Reason codes of rejected rows, with their meaning (documented in the README).
REASONS = {
    "field_count": "the line has another number of fields than the header",
    "missing_value": "a required field is empty",
    "invalid_date": "not a date of the form YYYY-MM-DD",
    "invalid_number": "not a number of the expected kind",
    "invalid_code": "a value outside the column's code list",
    "out_of_range": "a number outside its allowed range",
    "date_order": "dates in the wrong order",
    "pnr_format": "personnummer not in an accepted form",
    "pnr_date": "the date part of the personnummer is not a real date",
    "pnr_serial": "the birth number of the personnummer is 000 (valid: 001–999)",
    "pnr_checksum": "wrong check digit of the personnummer",
    "pnr_temporary": "a temporary number where a real personnummer is required",
    "kommunkod_mismatch": "kommunkod differs from the one in the file name",
    "statusmanad_mismatch": "statusmanad differs from the month in the file name",
    "duplicate_key": "two differing rows with the same key in one file",
    # what the reading of a line can find before any column rule
    "unbalanced_quote": "a quoted field is not closed on its line (one record per line)",
    "malformed_quote": "a closing quote is followed by something other than ';' or the line end",
    "invalid_character": "a NUL character, or a byte that is no character of the file's encoding",
    "line_too_long": "the line is longer than DUA_MAX_LINE_CHARS characters",
    # the server refused a row that passed every rule (a safety net: should not happen)
    "server_rejected": "PostgreSQL refused the row in the COPY",
    "row_error": "an unexpected error while checking the row (the loader's fault, not the row's)",
}

# Whole-file rejection rules.
FILE_REASONS = {
    "missing_column": "a required column is missing from the header",
    "duplicate_column": "the header names a column twice",
    "too_many_rejected": "the share of rejected rows exceeds the configured maximum",
    "empty_file": "the file has no header row",
    "unknown_file_name": "the file name matches none of the source contracts",
    "invalid_file_name": "the file name's date or month is not a real date",
    "unreadable_encoding": "the file is neither UTF-8 nor Windows-1252 text",
    "unsupported_encoding": "UTF-16 or UTF-32 text (byte order mark or NUL pattern): export it again as UTF-8",
    "malformed_header": "the header line cannot be read (quotes, NUL, bytes of no character, or too long)",
    "symlink_outside_inbox": "a symbolic link pointing out of the inbox: not followed",
    "unreadable_file": "the file cannot be read (permissions, or it vanished while read)",
    "copy_failed": "PostgreSQL refused rows that passed every rule, more than the loader sets aside",
    "load_error": "an unexpected error while loading the file (the loader's fault, not the file's)",
}


# --------------------------------------------------------------------------
# field parsers
#
# The loaders call these for every field of every row, so the values already
# seen valid are remembered (dates, small numbers and codes recur in every
# file): a repeated value costs a dictionary lookup.  The caches are bounded
# so that a stream of distinct values cannot grow them without limit.
#
# Digits are ASCII digits: ``[0-9]`` and ``re.ASCII`` (``\d`` would accept
# fullwidth or Arabic-Indic digits, which Python's int() reads and PostgreSQL
# refuses).  Patterns are used with ``fullmatch``.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DEC = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)", re.ASCII)
_FOUR_DIGITS = re.compile(r"[0-9]{4}", re.ASCII)
_TWO_DIGITS = re.compile(r"[0-9]{2}", re.ASCII)
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}", re.ASCII)
INT4_MAX = 2**31 - 1  # PostgreSQL integer
_CACHE_LIMIT = 100_000
_DATES: dict[str, dt.date] = {}


def _remember(cache: dict, value, result) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[value] = result


def parse_date(value: str, column: str) -> dt.date:
    d = _DATES.get(value)
    if d is not None:
        return d
    if not _DATE.fullmatch(value):
        raise RowRejected("invalid_date", column, f"{column}: {value!r} is not a date YYYY-MM-DD")
    try:
        d = dt.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        raise RowRejected("invalid_date", column, f"{column}: {value!r} is not a real date") from None
    _remember(_DATES, value, d)
    return d


def date_text(value: str, column: str) -> str:
    """``value`` when it is a real date ``YYYY-MM-DD``.  Valid values are ISO
    dates, so comparing the texts compares the dates."""
    if value not in _DATES:
        parse_date(value, column)
    return value


def parse_int(value: str, column: str, lo: int | None = None, hi: int | None = None) -> int:
    if not _INT.fullmatch(value):
        raise RowRejected("invalid_number", column, f"{column}: {value!r} is not a whole number")
    if len(value) > 12:  # beyond any column's range (and int() of thousands of digits refuses)
        raise RowRejected("out_of_range", column, f"{column}: a number of {len(value)} digits is outside {lo}–{hi}")
    n = int(value)
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        raise RowRejected("out_of_range", column, f"{column}: {n} is outside {lo}–{hi}")
    return n


def parse_decimal(value: str, column: str, lo: float, hi: float) -> str:
    if not _DEC.fullmatch(value):
        raise RowRejected("invalid_number", column, f"{column}: {value!r} is not a decimal number")
    text = value.replace(",", ".")
    n = float(text)
    if n < lo or n > hi:
        raise RowRejected("out_of_range", column, f"{column}: {value} is outside {lo:g}–{hi:g}")
    return text  # exact decimal text, cast by PostgreSQL


class _Memo:
    """Results of a pure field parser, remembered by (value, arguments)."""

    def __init__(self, parse: Callable):
        self._parse = parse
        self._seen: dict[tuple, object] = {}

    def __call__(self, value: str, column: str, *args):
        k = (value, column, *args)
        hit = self._seen.get(k, _MISSING)
        if hit is _MISSING:
            hit = self._parse(value, column, *args)  # raises RowRejected: not remembered
            _remember(self._seen, k, hit)
        return hit


_MISSING = object()
_int = _Memo(parse_int)
_decimal = _Memo(parse_decimal)


def month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


# --------------------------------------------------------------------------
@dataclass(frozen=True)
class FileContext:
    """What the file name says: municipality and date."""

    kommunkod: str | None
    file_date: dt.date | None  # export date (Dexter) or first day of month (Af)
    reference_date: dt.date | None  # date for the personnummer century rule

    @cached_property
    def file_date_text(self) -> str | None:
        return self.file_date.isoformat() if self.file_date else None

    @cached_property
    def file_month(self) -> str | None:
        """``YYYY-MM`` of the file date: what statusmanad must say."""
        return self.file_date.strftime("%Y-%m") if self.file_date else None

    @cached_property
    def reference_yy(self) -> str | None:
        return f"{self.reference_date.year % 100:02d}" if self.reference_date else None

    @cached_property
    def month_end_text(self) -> str | None:
        return month_end(self.file_date).isoformat() if self.file_date else None


class Record:
    """A parsed line: canonical column name → trimmed text ('' = NULL)."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, str]):
        self.values = values

    def opt(self, column: str) -> str | None:
        v = self.values.get(column, "")
        return v if v != "" else None

    def req(self, column: str) -> str:
        v = self.values.get(column, "")
        if v == "":
            raise RowRejected("missing_value", column, f"{column} is required but empty")
        return v


def _required(column: str) -> str:
    """Raise for an empty required field: ``g(column) or _required(column)``."""
    raise RowRejected("missing_value", column, f"{column} is required but empty")


def _code(value: str | None, column: str, allowed: frozenset[str]) -> str | None:
    if value is None or value in allowed:
        return value
    raise RowRejected("invalid_code", column, f"{column}: {value!r} is not one of {', '.join(sorted(allowed))}")


def _kommunkod(rec: Record, ctx: FileContext) -> str:
    kk = rec.req("kommunkod")
    if kk == ctx.kommunkod:  # the file name's code is four digits already
        return kk
    if not _FOUR_DIGITS.fullmatch(kk):
        raise RowRejected("invalid_code", "kommunkod", f"kommunkod: {kk!r} is not four digits")
    if ctx.kommunkod is not None:
        raise RowRejected(
            "kommunkod_mismatch", "kommunkod", f"kommunkod {kk} differs from {ctx.kommunkod} of the file name"
        )
    return kk


# Parsed numbers and their pseudonyms, so that a person seen in last month's
# file costs a dictionary lookup, not a parse and an HMAC.  The reference date
# only matters for the 10-digit forms (their century), and there only its year
# unless the number's two-digit year is the reference year's: then the birth
# date may fall before or after the reference date and the whole date is part
# of the key.  The cache lives in the loader's memory only, like the key.
_PERSONS: dict[tuple, tuple[str, pnr.Personnummer, str | None] | RowRejected] = {}


def _person(rec: Record, ctx: FileContext, key: bytes,
            allow_temporary: bool) -> tuple[str, pnr.Personnummer, str | None]:
    """Pseudonym, parsed number and birth date (ISO text) of the row's person."""
    value = rec.req("personnummer")
    assert ctx.reference_date is not None
    ref = ctx.reference_date
    if len(value) >= 12:
        ref_key: object = None
    elif value[:2] == ctx.reference_yy:
        ref_key = ref
    else:
        ref_key = ref.year
    ck = (key, value, ref_key, allow_temporary)
    hit = _PERSONS.get(ck)
    if hit is None:
        try:
            parsed = pnr.parse(value, ctx.reference_date, allow_temporary=allow_temporary)
            birth = parsed.birth_date.isoformat() if parsed.birth_date else None
            hit = (parsed.pseudonym(key), parsed, birth)
        except pnr.PersonnummerError as exc:
            hit = RowRejected(exc.code, "personnummer", f"personnummer {pnr.mask(value)}: {exc}")
        _remember(_PERSONS, ck, hit)
    if isinstance(hit, RowRejected):
        raise RowRejected(hit.code, hit.column, hit.message)
    return hit


_json_text = json.encoder.encode_basestring  # the C encoder of json.dumps(ensure_ascii=False)


class ExtraColumns(tuple):
    """The names of a file's unknown columns (a tuple), and per column the
    number of values in which something that looks like a personnummer was
    masked (``masked``): such values are stored masked, never in clear, and the
    columns are listed in the data-quality report."""

    masked: dict[str, int]

    def __new__(cls, names=()):
        self = super().__new__(cls, names)
        self.masked = {}
        return self


def _extra(rec: Record, extra_columns: tuple[str, ...]) -> str | None:
    """The unknown columns as a JSON object (what ``json.dumps`` writes), with
    every personnummer-like part of a value masked."""
    if not extra_columns:
        return None
    get = rec.values.get
    masked = getattr(extra_columns, "masked", None)
    parts = []
    for c in extra_columns:
        v = get(c, "")
        if v and pnr.PNR_PATTERN.search(v):
            v = pnr.mask_text(v)
            if masked is not None:
                masked[c] = masked.get(c, 0) + 1
        parts.append(_json_text(c) + ": " + _json_text(v))
    return "{" + ", ".join(parts) + "}"


# --------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceSpec:
    name: str  # dexter | af | catalogue
    table: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    raw_columns: tuple[str, ...]  # columns written by COPY after file_id, line_no
    key_columns: tuple[str, ...]  # positions in the typed row are looked up by name
    validate: Callable[[Record, FileContext, bytes, tuple[str, ...]], tuple] = field(repr=False)

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional

    @cached_property
    def _key_positions(self) -> tuple[int, ...]:
        return tuple(self.raw_columns.index(c) for c in self.key_columns)

    def key_of(self, row: tuple) -> tuple:
        return tuple([row[i] for i in self._key_positions])


# --- Dexter ----------------------------------------------------------------
SKOLFORM = frozenset({"SFI", "GRUNDVUX", "GYMNVUX"})
SFI_KURSER = frozenset({"SFIA", "SFIB", "SFIC", "SFID"})
STUDIEVAG = frozenset({"1", "2", "3"})
DEXTER_STATUS = frozenset({"Pågående", "Avslutad", "Avbruten"})
AVBROTTSORSAK = frozenset(
    {"PROGRESSION", "FRANVARO", "LEDIGHET", "TIDSBEGR_ANSTALLNING", "ANSTALLNING", "PRAKTIK",
     "FORALDRALEDIGHET", "EGEN_BEGARAN", "OVRIGT"}
)
BETYG = frozenset({"A", "B", "C", "D", "E", "F", "G", "IG"})
FINANSIERING = frozenset({"ETABLERING", "CSN", "FORSORJNINGSSTOD", "AKTIVITETSSTOD", "EGEN", "OVRIG"})


def _validate_dexter(rec: Record, ctx: FileContext, key: bytes, extra: tuple[str, ...]) -> tuple:
    g = rec.values.get
    person_id, p, birth = _person(rec, ctx, key, allow_temporary=True)
    kommunkod = _kommunkod(rec, ctx)
    deltagande_id = g("deltagande_id") or _required("deltagande_id")
    skolform = _code(g("skolform") or _required("skolform"), "skolform", SKOLFORM)
    kurskod = g("kurskod") or _required("kurskod")
    if skolform == "SFI":
        _code(kurskod, "kurskod", SFI_KURSER)
        studievag_text = g("studievag") or _required("studievag")
    else:
        studievag_text = g("studievag") or None
    studievag = int(_code(studievag_text, "studievag", STUDIEVAG)) if studievag_text else None
    start = date_text(g("startdatum") or _required("startdatum"), "startdatum")
    planned = date_text(g("planerat_slutdatum") or _required("planerat_slutdatum"), "planerat_slutdatum")
    if planned < start:
        raise RowRejected("date_order", "planerat_slutdatum", "planerat_slutdatum is before startdatum")
    status = _code(g("status") or _required("status"), "status", DEXTER_STATUS)
    slut_text = g("slutdatum") or None
    if slut_text is None and status != "Pågående":
        _required("slutdatum")
    slut = date_text(slut_text, "slutdatum") if slut_text else None
    if slut is not None and slut < start:
        raise RowRejected("date_order", "slutdatum", "slutdatum is before startdatum")
    orsak_text = g("avbrottsorsak") or None
    if orsak_text is None and status == "Avbruten":
        _required("avbrottsorsak")
    orsak = _code(orsak_text, "avbrottsorsak", AVBROTTSORSAK)
    betyg = _code(g("betyg") or None, "betyg", BETYG)
    franvaro_text = g("franvaro_procent") or None
    franvaro = _decimal(franvaro_text, "franvaro_procent", 0, 100) if franvaro_text else None
    takt = _int(g("studietakt_procent") or _required("studietakt_procent"), "studietakt_procent", 1, 100)
    finansiering = _code(g("finansiering") or None, "finansiering", FINANSIERING)
    isp_text = g("isp_uppdaterad") or None
    isp = date_text(isp_text, "isp_uppdaterad") if isp_text else None
    return (
        ctx.file_date_text, person_id, p.is_temporary, p.is_samordning, birth, p.gender,
        kommunkod, deltagande_id, skolform, kurskod, studievag, g("kurspaket") or None,
        start, planned, slut, status, orsak, betyg, franvaro, takt, finansiering, isp,
        _extra(rec, extra),
    )


DEXTER = SourceSpec(
    name="dexter",
    table="raw.dexter_enrolment",
    required=("personnummer", "kommunkod", "deltagande_id", "skolform", "kurskod", "startdatum",
              "planerat_slutdatum", "status", "studietakt_procent"),
    optional=("studievag", "kurspaket", "slutdatum", "avbrottsorsak", "betyg", "franvaro_procent",
              "finansiering", "isp_uppdaterad"),
    raw_columns=("export_date", "person_id", "pnr_is_temporary", "pnr_is_samordning", "birth_date",
                 "pnr_gender", "kommunkod", "deltagande_id", "skolform", "kurskod", "studievag",
                 "kurspaket", "startdatum", "planerat_slutdatum", "slutdatum", "status", "avbrottsorsak",
                 "betyg", "franvaro_procent", "studietakt_procent", "finansiering", "isp_uppdaterad", "extra"),
    key_columns=("kommunkod", "deltagande_id"),
    validate=_validate_dexter,
)

# --- Arbetsförmedlingen status ----------------------------------------------
KON = frozenset({"K", "M"})
AVAKT_ORSAK = frozenset({"ARBETE", "ARBETE_MED_STOD", "STUDIER", "EGET_FORETAG", "FLYTT", "EJ_KONTAKT", "OVRIGT"})
UTBILDNINGSNIVA = frozenset({"FGY_KORT", "FGY", "GY", "EGY_KORT", "EGY", "OKAND"})
JN = frozenset({"J", "N"})


def _validate_af(rec: Record, ctx: FileContext, key: bytes, extra: tuple[str, ...]) -> tuple:
    g = rec.values.get
    person_id, p, birth = _person(rec, ctx, key, allow_temporary=False)
    kommunkod = _kommunkod(rec, ctx)
    manad = g("statusmanad") or _required("statusmanad")
    assert ctx.file_date is not None
    if manad != ctx.file_month:
        if not _MONTH.fullmatch(manad):
            raise RowRejected("invalid_date", "statusmanad", f"statusmanad: {manad!r} is not YYYY-MM")
        raise RowRejected("statusmanad_mismatch", "statusmanad",
                          f"statusmanad {manad} differs from {ctx.file_month} of the file name")
    kon = _code(g("kon") or _required("kon"), "kon", KON)
    kategori = g("sokandekategori") or None
    if kategori is not None and not _TWO_DIGITS.fullmatch(kategori):
        raise RowRejected("invalid_code", "sokandekategori", f"sokandekategori: {kategori!r} is not two digits")
    inskriven = date_text(g("inskrivningsdatum") or _required("inskrivningsdatum"), "inskrivningsdatum")
    avakt_text = g("avaktualiseringsdatum") or None
    avakt = date_text(avakt_text, "avaktualiseringsdatum") if avakt_text else None
    if avakt is not None and avakt > ctx.month_end_text:
        raise RowRejected("date_order", "avaktualiseringsdatum", "avaktualiseringsdatum is after the month end")
    orsak_text = g("avaktualiseringsorsak") or None
    if orsak_text is None and avakt is not None:
        _required("avaktualiseringsorsak")
    orsak = _code(orsak_text, "avaktualiseringsorsak", AVAKT_ORSAK)
    tillstand = g("uppehallstillstand_datum") or _required("uppehallstillstand_datum")
    tillstand = date_text(tillstand, "uppehallstillstand_datum")
    etab_start_text = g("etablering_startdatum") or None
    etab_start = date_text(etab_start_text, "etablering_startdatum") if etab_start_text else None
    planned_text = g("etablering_planerat_slutdatum") or None
    if planned_text is None and etab_start:
        _required("etablering_planerat_slutdatum")
    etab_planned = date_text(planned_text, "etablering_planerat_slutdatum") if planned_text else None
    etab_slut_text = g("etablering_slutdatum") or None
    etab_slut = date_text(etab_slut_text, "etablering_slutdatum") if etab_slut_text else None
    niva = _code(g("utbildningsniva") or _required("utbildningsniva"), "utbildningsniva", UTBILDNINGSNIVA)
    funk = _code(g("funktionsnedsattning") or _required("funktionsnedsattning"), "funktionsnedsattning", JN)
    grad_text = g("aktivitetsgrad") or None
    grad = _int(grad_text, "aktivitetsgrad", 0, 100) if grad_text else None
    return (
        person_id, p.is_samordning, birth, p.gender, kommunkod, ctx.file_date_text, kon, kategori,
        inskriven, avakt, orsak, tillstand, etab_start, etab_planned, etab_slut, niva, funk, grad,
        _extra(rec, extra),
    )


AF = SourceSpec(
    name="af",
    table="raw.af_status",
    required=("personnummer", "kommunkod", "statusmanad", "kon", "inskrivningsdatum",
              "uppehallstillstand_datum", "utbildningsniva", "funktionsnedsattning"),
    optional=("sokandekategori", "avaktualiseringsdatum", "avaktualiseringsorsak", "etablering_startdatum",
              "etablering_planerat_slutdatum", "etablering_slutdatum", "aktivitetsgrad"),
    raw_columns=("person_id", "pnr_is_samordning", "birth_date", "pnr_gender", "kommunkod", "status_month",
                 "kon", "sokandekategori", "inskrivningsdatum", "avaktualiseringsdatum", "avaktualiseringsorsak",
                 "uppehallstillstand_datum", "etablering_startdatum", "etablering_planerat_slutdatum",
                 "etablering_slutdatum", "utbildningsniva", "funktionsnedsattning", "aktivitetsgrad", "extra"),
    key_columns=("person_id",),
    validate=_validate_af,
)


# --- Job-track catalogue -----------------------------------------------------
def _validate_catalogue(rec: Record, ctx: FileContext, key: bytes, extra: tuple[str, ...]) -> tuple:
    g = rec.values.get
    jobbspar_id = g("jobbspar_id") or _required("jobbspar_id")
    kommunkod = _kommunkod(rec, ctx)
    namn = g("namn") or _required("namn")
    kurspaket = g("kurspaket") or _required("kurspaket")
    veckor_text = g("kurstid_veckor") or None
    veckor = _int(veckor_text, "kurstid_veckor", 0, INT4_MAX) if veckor_text else None
    platser = _int(g("platser_per_ar") or _required("platser_per_ar"), "platser_per_ar", 0, INT4_MAX)
    fran = date_text(g("giltig_fran") or _required("giltig_fran"), "giltig_fran")
    till_text = g("giltig_till") or None
    till = date_text(till_text, "giltig_till") if till_text else None
    if till is not None and till < fran:
        raise RowRejected("date_order", "giltig_till", "giltig_till is before giltig_fran")
    return (jobbspar_id, kommunkod, namn, g("bransch") or None, kurspaket, veckor, platser,
            g("forkunskaper") or None, fran, till, _extra(rec, extra))


CATALOGUE = SourceSpec(
    name="catalogue",
    table="raw.jobbspar_katalog",
    required=("jobbspar_id", "kommunkod", "namn", "kurspaket", "platser_per_ar", "giltig_fran"),
    optional=("bransch", "kurstid_veckor", "forkunskaper", "giltig_till"),
    raw_columns=("jobbspar_id", "kommunkod", "namn", "bransch", "kurspaket", "kurstid_veckor", "platser_per_ar",
                 "forkunskaper", "giltig_fran", "giltig_till", "extra"),
    key_columns=("jobbspar_id",),
    validate=_validate_catalogue,
)

SPECS = {s.name: s for s in (DEXTER, AF, CATALOGUE)}
