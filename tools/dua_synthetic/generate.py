"""Synthetic source files that follow ``sources.md`` to the letter.

``generate()`` writes, per municipality, one Arbetsförmedlingen status file per
month, a Dexter ISP export every six months (the last one at the end of the
last month), a corrected re-delivery of one month under ``corrections/`` and,
for all municipalities together, one ``jobbspar_katalog.csv``.

Everything is derived from ``seed`` (``random.Random`` instances seeded with
strings, never the global generator, never the clock): the same arguments give
byte-identical files.  Memory stays flat as ``persons`` grows: municipalities
are generated one after the other, and within one municipality persons are
generated one by one -- a person's whole timeline -- and written straight to
the open file handles of every monthly Af file and every Dexter export.

The files carry the messiness of real exports, all deterministic: Windows-1252,
UTF-8 with BOM and plain UTF-8 files, LF and CRLF line endings, varying header
case, spacing and column order, an unknown extra column, fully quoted files,
``,`` as decimal separator, the five accepted personnummer forms (``+`` only
for persons aged 100 or more), samordningsnummer, Dexter's temporary numbers,
identical duplicate rows, and a small share of deliberately invalid rows
(see ``INVALID_KINDS``) whose file, line and expected reason code are listed in
``GenerateSummary.invalid_rows``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dua.identity.personnummer import luhn_digit

DEFAULT_END_MONTH = dt.date(2026, 9, 1)

AF_COLUMNS = (
    "personnummer",
    "kommunkod",
    "statusmanad",
    "kon",
    "sokandekategori",
    "inskrivningsdatum",
    "avaktualiseringsdatum",
    "avaktualiseringsorsak",
    "uppehallstillstand_datum",
    "etablering_startdatum",
    "etablering_planerat_slutdatum",
    "etablering_slutdatum",
    "utbildningsniva",
    "funktionsnedsattning",
    "aktivitetsgrad",
)
DEXTER_COLUMNS = (
    "personnummer",
    "kommunkod",
    "deltagande_id",
    "skolform",
    "kurskod",
    "studievag",
    "kurspaket",
    "startdatum",
    "planerat_slutdatum",
    "slutdatum",
    "status",
    "avbrottsorsak",
    "betyg",
    "franvaro_procent",
    "studietakt_procent",
    "finansiering",
    "isp_uppdaterad",
)
CATALOGUE_COLUMNS = (
    "jobbspar_id",
    "kommunkod",
    "namn",
    "bransch",
    "kurspaket",
    "kurstid_veckor",
    "platser_per_ar",
    "forkunskaper",
    "giltig_fran",
    "giltig_till",
)

# Deliberately broken rows: kind -> reason code the loader gives (sources.REASONS).
INVALID_KINDS = {
    "pnr_checksum": "wrong Luhn check digit",
    "pnr_date": "date part of the personnummer is not a real date (month 13 / 00)",
    "pnr_format": "personnummer with a digit missing",
    "invalid_code": "skolform / kon / utbildningsniva outside the code list",
    "invalid_date": "a required date that is not a real date (e.g. 2025-02-30) or not YYYY-MM-DD",
    "missing_value": "a required (or conditionally required) field left empty",
    "date_order": "slutdatum/planerat_slutdatum before startdatum; avaktualiseringsdatum after the month end",
    "out_of_range": "franvaro_procent above 100 / studietakt_procent 0",
    "kommunkod_mismatch": "kommunkod of another municipality than the file name's",
    "duplicate_key": "two differing rows with the same key (both rejected)",
}

SOURCE_AF = "af_status"
SOURCE_DEXTER = "dexter_isp"
SOURCE_CATALOGUE = "jobbspar_katalog"

_MAX_INVALID_SHARE = 0.02  # hard cap per file (the loader rejects a file above 5 %)
_INVALID_RATE = 0.007  # chance per row of a deliberately broken row
_IDENTICAL_DUP_RATE = 0.001  # identical duplicate rows (load once, not invalid)


# ---------------------------------------------------------------- summary
@dataclass(frozen=True)
class InvalidRow:
    """A row broken on purpose: the loader must quarantine it with ``reason``."""

    file: Path
    line_no: int  # physical line, header = 1
    reason: str
    column: str | None


@dataclass
class GenerateSummary:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: {SOURCE_AF: 0, SOURCE_DEXTER: 0, SOURCE_CATALOGUE: 0})
    persons: int = 0
    municipalities: list[str] = field(default_factory=list)
    months: list[dt.date] = field(default_factory=list)  # first day of each Af month
    export_dates: list[dt.date] = field(default_factory=list)  # Dexter export dates
    corrections: list[Path] = field(default_factory=list)  # corrected re-deliveries
    invalid_rows: list[InvalidRow] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# ---------------------------------------------------------------- dates
def add_months(d: dt.date, n: int) -> dt.date:
    """Keep the day of month, clamped to the target month's last day."""
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _days(d: dt.date, n: float) -> dt.date:
    return d + dt.timedelta(days=int(n))


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d is not None else ""


def _pick(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    r = rng.random() * sum(w for _, w in table)
    for value, w in table:
        r -= w
        if r < 0:
            return value
    return table[-1][0]


# ---------------------------------------------------------------- personnummer
# (day of year, birth number of one gender) pairs: 499 birth numbers of each
# gender a day (men 001, 003 … 997; women 002, 004 … 998; 000 is not issued)
_SLOTS = 365 * 499


@dataclass(slots=True)
class Pnr:
    birth: dt.date
    serial: str  # three digits, the last one odd for men
    samordning: bool
    temp: str | None = None  # last four characters of a Dexter temporary number

    @property
    def gender(self) -> str:
        return "M" if int(self.serial[2]) % 2 == 1 else "K"

    def _parts(self, bad: str | None = None) -> tuple[str, str, str, str]:
        yyyy = f"{self.birth.year:04d}"
        mm = f"{self.birth.month:02d}"
        dd = f"{self.birth.day + (60 if self.samordning else 0):02d}"
        if bad == "date":
            # month 00 is a valid samordningsnummer (birth month unknown): 13 for those
            mm = "13" if self.birth.month % 2 or self.samordning else "00"
        if self.temp is not None and bad is None:
            return yyyy, mm, dd, self.temp
        check = luhn_digit(yyyy[2:] + mm + dd + self.serial)
        if bad == "checksum":
            check = (check + 1 + self.birth.day % 8) % 10
        return yyyy, mm, dd, self.serial + str(check)

    def format(self, form: str, ref: dt.date, bad: str | None = None) -> str:
        """``form``: 12- (YYYYMMDD-NNNN), 12, 10- (YYMMDD-NNNN, YYMMDD+NNNN at 100+), 10."""
        yyyy, mm, dd, last4 = self._parts(bad)
        if bad == "format":
            last4 = last4[:3]
        if form == "12-":
            return f"{yyyy}{mm}{dd}-{last4}"
        if form == "12":
            return f"{yyyy}{mm}{dd}{last4}"
        # '+' from the calendar year in which the person turns 100 (Folkbokföringslag 18 §)
        centenarian = ref.year - self.birth.year >= 100
        sep = "+" if centenarian else ("-" if form == "10-" else "")
        return f"{yyyy[2:]}{mm}{dd}{sep}{last4}"


def _make_pnr(g: int, offset: int, birth_year: int, man: bool, samordning: bool) -> Pnr:
    """A number unique per counter ``g`` (below 182 135): the counter picks the
    (day of year, birth number) slot through a bijection, the year is free."""
    slot = (g * 7919 + offset) % _SLOTS
    day_of_year, k = divmod(slot, 499)
    birth = dt.date(birth_year, 1, 1) + dt.timedelta(days=day_of_year)
    serial = f"{2 * k + (1 if man else 2):03d}"  # third digit odd for men, even for women
    return Pnr(birth, serial, samordning)


# ---------------------------------------------------------------- reference data
@dataclass(frozen=True)
class Track:
    jobbspar_id: str
    kommunkod: str
    namn: str
    bransch: str
    kurspaket: str
    veckor: int
    platser: int
    forkunskaper: str
    fran: dt.date
    till: dt.date | None
    courses: tuple[str, ...]
    women_share: float


def _tracks(kommunkod: str, end_month: dt.date) -> list[Track]:
    y = end_month.year
    return [
        Track(
            f"{kommunkod}-HOTELL",
            kommunkod,
            "Hotell",
            "Hotell och restaurang",
            "JS_HOTELL",
            30,
            50,
            "SFI C/D",
            dt.date(y - 3, 1, 15),
            dt.date(y - 1, 12, 31),
            ("SERSER0", "HOTREC0", "HOTFRU0"),
            0.55,
        ),
        Track(
            f"{kommunkod}-FASTIGHET",
            kommunkod,
            "Fastighetsskötsel",
            "Fastighetsservice",
            "JS_FASTIGHET",
            36,
            60,
            "SFI C",
            dt.date(y - 3, 8, 15),
            None,
            ("FASFAS0", "FASSER0", "FASMIL0", "ARBARB0"),
            0.25,
        ),
        Track(
            f"{kommunkod}-BARNSKOTARE",
            kommunkod,
            "Barnskötare",
            "Förskola och fritidshem",
            "JS_BARNSKOTARE",
            40,
            70,
            "SFI D / svenska som andraspråk grund",
            dt.date(y - 2, 1, 10),
            None,
            ("BARBAR0", "PEDPED0", "SPESPE0", "HALHAL0"),
            0.8,
        ),
    ]


LEVELS = ("SFIA", "SFIB", "SFIC", "SFID")
GRUND_COURSES = ("GRNSVA2", "GRNMAT2", "GRNENG2", "GRNSAM2", "GRNNAT2", "GRNDAT1")
GYMN_COURSES = ("SVASVA01", "SVASVA02", "MATMAT01a", "ENGENG05", "SAMSAM01a", "NAKNAK01a", "DATDAT01S")
INTERRUPTION_REASONS = (
    ("PROGRESSION", 0.14),
    ("FRANVARO", 0.24),
    ("LEDIGHET", 0.06),
    ("TIDSBEGR_ANSTALLNING", 0.07),
    ("ANSTALLNING", 0.15),
    ("PRAKTIK", 0.06),
    ("FORALDRALEDIGHET", 0.09),
    ("EGEN_BEGARAN", 0.14),
    ("OVRIGT", 0.05),
)
PASS_GRADES = (("A", 0.08), ("B", 0.12), ("C", 0.25), ("D", 0.25), ("E", 0.30))
EDU_ADULT = (("FGY_KORT", 0.2), ("FGY", 0.18), ("GY", 0.26), ("EGY_KORT", 0.08), ("EGY", 0.21), ("OKAND", 0.07))
EDU_YOUTH = (("FGY_KORT", 0.33), ("FGY", 0.4), ("GY", 0.22), ("OKAND", 0.05))
OFFICES = ("AF Söder", "AF Öster", "Lokalkontor Västra Hamnen", "Distans Gävle", "Kundtjänst Örebro")
LEARNING_CENTRES = ("Lärcentrum Öster", "Komvux Västra", "Sfi-skolan Södra", "Hermods Malmö", "Lernia Vux")

# Af status groups and their category codes / deregistration reasons
GROUP_CODES = {
    "WORK": (("41", 0.75), ("31", 0.25)),
    "SUBS": (
        ("33", 0.3),
        ("36", 0.14),
        ("40", 0.1),
        ("42", 0.14),
        ("38", 0.05),
        ("51", 0.12),
        ("30", 0.05),
        ("50", 0.05),
        ("43", 0.05),
    ),
    "STUD": (("32", 1.0),),
    "OWN": (("46", 1.0),),
    "PROG": (
        ("70", 0.3),
        ("72", 0.22),
        ("54", 0.15),
        ("81", 0.1),
        ("76", 0.1),
        ("59", 0.04),
        ("83", 0.05),
        ("87", 0.04),
    ),
    "UNEMP": (("11", 0.75), ("14", 0.15), ("21", 0.05), ("22", 0.05)),
    "MUNI": (("15", 1.0),),
    "OTHER": (("98", 0.6), ("97", 0.4)),
}
GROUP_DEREG = {
    "WORK": ("ARBETE", 0.55),
    "SUBS": ("ARBETE_MED_STOD", 0.4),
    "STUD": ("STUDIER", 0.5),
    "OWN": ("EGET_FORETAG", 0.5),
    "OTHER": ("", 0.9),
}
OTHER_DEREG = (("FLYTT", 0.45), ("EJ_KONTAKT", 0.35), ("OVRIGT", 0.2))
EXIT_EARLY = (
    ("WORK", 0.42),
    ("SUBS", 0.2),
    ("STUD", 0.18),
    ("OWN", 0.03),
    ("PROG", 0.05),
    ("UNEMP", 0.05),
    ("OTHER", 0.07),
)
EXIT_NORMAL = (
    ("WORK", 0.16),
    ("SUBS", 0.16),
    ("STUD", 0.07),
    ("OWN", 0.02),
    ("PROG", 0.27),
    ("UNEMP", 0.24),
    ("MUNI", 0.03),
    ("OTHER", 0.05),
)
NEXT_SEEKER = (
    ("WORK", 0.2),
    ("SUBS", 0.18),
    ("STUD", 0.06),
    ("OWN", 0.01),
    ("PROG", 0.22),
    ("UNEMP", 0.25),
    ("MUNI", 0.03),
    ("OTHER", 0.05),
)
NEXT_EMPLOYED = (("SAME", 0.45), ("UNEMP", 0.25), ("WORK", 0.15), ("SUBS", 0.05), ("PROG", 0.05), ("OTHER", 0.05))
SPELL_DAYS = {
    "WORK": (120, 420),
    "SUBS": (120, 420),
    "STUD": (120, 300),
    "OWN": (180, 500),
    "PROG": (90, 270),
    "UNEMP": (60, 300),
    "MUNI": (90, 240),
    "OTHER": (30, 90),
}
START_OUTSIDE = (
    ("UNEMP", 0.45),
    ("PROG", 0.22),
    ("STUD", 0.1),
    ("WORK", 0.1),
    ("SUBS", 0.05),
    ("MUNI", 0.05),
    ("OTHER", 0.03),
)
START_YOUTH = (("UNEMP", 0.35), ("PROG", 0.3), ("STUD", 0.22), ("WORK", 0.1), ("OTHER", 0.03))


# ---------------------------------------------------------------- persons
@dataclass(slots=True)
class Enrolment:
    did: str
    skolform: str
    kurskod: str
    studievag: str
    kurspaket: str
    start: dt.date
    planned: dt.date
    end: dt.date  # actual end (may lie after the last export: then Pågående there)
    status: str  # final status: Avslutad | Avbruten
    reason: str = ""
    grade: str = ""
    absence: float | None = None
    pace: int = 100
    fin: str = ""
    planned_rev: dt.date | None = None  # revised planned end, from revised_on
    revised_on: dt.date | None = None
    deleted_on: dt.date | None = None  # removed from Dexter: missing from exports from then on
    isp_blank: bool = False
    centre: str = ""


@dataclass(slots=True)
class Person:
    idx: int
    pnr: Pnr
    gender: str
    has_af: bool
    temp_until: dt.date | None = None  # temporary number shown in exports before this date (None: always)
    temp: Pnr | None = None
    permit: dt.date | None = None
    edu: str = "OKAND"
    disability: str = "N"
    events: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (date, reg|cat|dereg, value)
    etab_start: dt.date | None = None
    etab_planned: dt.date | None = None
    etab_exit: dt.date | None = None
    grades: list[tuple[dt.date, int]] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    office: str = ""

    # --- Arbetsförmedlingen
    def state_on(self, d: dt.date) -> tuple[dt.date | None, str, dt.date | None, str]:
        """(inskrivningsdatum, sokandekategori, avaktualiseringsdatum, orsak) on day d."""
        insk: dt.date | None = None
        cat = ""
        dereg: dt.date | None = None
        reason = ""
        for when, kind, value in self.events:
            if when > d:
                break
            if kind == "reg":
                insk, cat, dereg, reason = when, value, None, ""
            elif kind == "cat":
                cat = value
            else:
                dereg, reason, cat = when, value, ""
        return insk, cat, dereg, reason

    def in_establishment(self, d: dt.date) -> bool:
        s, x = self.etab_start, self.etab_exit
        return s is not None and s <= d and (x is None or x >= d)

    def af_row(self, first: dt.date, kommunkod: str) -> dict[str, str] | None:
        if not self.has_af or self.permit is None:
            return None
        end = month_end(first)
        insk, cat, dereg, reason = self.state_on(end)
        if insk is None:
            return None
        if dereg is not None and dereg <= add_months(end, -13):
            return None
        if not (end < add_months(self.permit, 36) or self.in_establishment(end)):
            return None
        s = self.etab_start if self.etab_start is not None and self.etab_start <= end else None
        x = self.etab_exit if s is not None and self.etab_exit is not None and self.etab_exit <= end else None
        grade = ""
        if s is not None and x is None:
            for when, g in self.grades:
                if when <= end:
                    grade = str(g)
        return {
            "kommunkod": kommunkod,
            "statusmanad": f"{first.year:04d}-{first.month:02d}",
            "kon": self.gender,
            "sokandekategori": cat,
            "inskrivningsdatum": insk.isoformat(),
            "avaktualiseringsdatum": _iso(dereg),
            "avaktualiseringsorsak": reason,
            "uppehallstillstand_datum": self.permit.isoformat(),
            "etablering_startdatum": _iso(s),
            "etablering_planerat_slutdatum": _iso(self.etab_planned) if s else "",
            "etablering_slutdatum": _iso(x),
            "utbildningsniva": self.edu,
            "funktionsnedsattning": self.disability,
            "aktivitetsgrad": grade,
            "handlaggarkontor": self.office,
        }

    # --- Dexter
    def number_on(self, d: dt.date) -> Pnr:
        if self.temp is not None and (self.temp_until is None or d < self.temp_until):
            return self.temp
        return self.pnr


def dexter_row(e: Enrolment, export: dt.date, kommunkod: str) -> dict[str, str] | None:
    """The enrolment as an export of ``export`` shows it, or None when absent."""
    if e.start > export or (e.deleted_on is not None and export >= e.deleted_on):
        return None
    ended = e.end <= export
    if ended and e.end < add_months(export, -36):
        return None
    planned = e.planned
    if e.revised_on is not None and e.planned_rev is not None and e.revised_on <= export:
        planned = e.planned_rev
    updated = e.start
    if e.revised_on is not None and e.revised_on <= export:
        updated = e.revised_on
    if ended:
        updated = max(updated, e.end)
    return {
        "kommunkod": kommunkod,
        "deltagande_id": e.did,
        "skolform": e.skolform,
        "kurskod": e.kurskod,
        "studievag": e.studievag,
        "kurspaket": e.kurspaket,
        "startdatum": e.start.isoformat(),
        "planerat_slutdatum": planned.isoformat(),
        "slutdatum": e.end.isoformat() if ended else "",
        "status": e.status if ended else "Pågående",
        "avbrottsorsak": e.reason if ended else "",
        "betyg": e.grade if ended else "",
        "franvaro_procent": "" if e.absence is None else f"{e.absence:.1f}",
        "studietakt_procent": str(e.pace),
        "finansiering": e.fin,
        "isp_uppdaterad": "" if e.isp_blank else updated.isoformat(),
        "larcentrum": e.centre,
    }


@dataclass
class _Context:
    kommunkod: str
    seed: int
    first_month: dt.date
    end_month: dt.date
    horizon: dt.date  # last day of the last month = last export date
    first_export: dt.date
    tracks: list[Track]
    pnr_offset: int
    g_base: int


class _PersonBuilder:
    """Builds one person's whole timeline from its own random generator."""

    def __init__(self, ctx: _Context, idx: int):
        self.ctx = ctx
        self.idx = idx
        self.rng = random.Random(f"dua-generate/{ctx.seed}/{ctx.kommunkod}/person/{idx}")
        self.n_enrol = 0
        self.p: Person

    # -- helpers
    def _did(self) -> str:
        self.n_enrol += 1
        return f"{100000 + self.idx}{self.n_enrol:02d}"

    def _fin(self, d: dt.date) -> str:
        rng, p = self.rng, self.p
        if p.has_af and p.in_establishment(d):
            return "ETABLERING" if rng.random() < 0.9 else ""
        if p.has_af:
            _, cat, _, reason = p.state_on(d)
            if cat in ("70", "72", "54", "81", "76", "69"):
                return "AKTIVITETSSTOD"
            if cat in ("41", "31", "33", "36", "40", "42", "46") or reason in ("ARBETE", "ARBETE_MED_STOD"):
                return _pick(rng, (("EGEN", 0.5), ("CSN", 0.2), ("", 0.3)))
        return _pick(rng, (("CSN", 0.35), ("FORSORJNINGSSTOD", 0.2), ("EGEN", 0.1), ("OVRIG", 0.05), ("", 0.3)))

    def _enrol(
        self,
        skolform: str,
        kurskod: str,
        start: dt.date,
        weeks: float,
        *,
        studievag: str = "",
        kurspaket: str = "",
        p_interrupt: float = 0.1,
        p_fail: float = 0.07,
        slow: bool = False,
        high_absence: bool = False,
    ) -> Enrolment:
        rng = self.rng
        planned = _days(start, max(14, weeks * 7))
        r = rng.random()
        reason, grade = "", ""
        if r < p_interrupt:
            status = "Avbruten"
            end = _days(start, max(3, (planned - start).days * rng.uniform(0.15, 0.85)))
            reason = _pick(rng, INTERRUPTION_REASONS)
        else:
            status = "Avslutad"
            over = rng.randint(20, 120) if slow else rng.randint(-10, 18)
            end = max(_days(planned, over), _days(start, 7))
            if r < p_interrupt + p_fail:
                grade = "IG" if kurskod == "GRNORI1" else "F"
            elif kurskod == "GRNORI1":
                grade = "G"
            elif rng.random() < 0.95:
                grade = _pick(rng, PASS_GRADES)
        if high_absence or reason == "FRANVARO":
            absence: float | None = round(rng.uniform(20, 55), 1)
        elif rng.random() < 0.08:
            absence = None
        else:
            absence = round(rng.uniform(0, 16), 1)
        pace = int(_pick(rng, (("100", 0.6), ("75", 0.15), ("50", 0.2), ("25", 0.05))))
        e = Enrolment(
            self._did(),
            skolform,
            kurskod,
            studievag,
            kurspaket,
            start,
            planned,
            end,
            status,
            reason,
            grade,
            absence,
            pace,
            self._fin(start),
        )
        if end > _days(planned, 14):  # the ISP was revised when the planned end passed
            e.revised_on = planned
            e.planned_rev = _days(end, rng.randint(0, 25))
        e.isp_blank = rng.random() < 0.07
        e.centre = rng.choice(LEARNING_CENTRES)
        if rng.random() < 0.005:
            e.deleted_on = _days(start, rng.randint(20, 150))
        self.p.enrolments.append(e)
        return e

    # -- Sfi
    def sfi(self, start: dt.date, path: str, level: int, slow: bool) -> None:
        rng, horizon = self.rng, self.ctx.horizon
        base = {"1": 26.0, "2": 20.0, "3": 13.0}[path]
        high_absence = rng.random() < (0.3 if slow else 0.1)
        t = start
        for _ in range(9):
            if level >= 4 or t > horizon:
                return
            weeks = base * (1.7 if slow else 1.0) * rng.uniform(0.8, 1.25)
            e = self._enrol(
                "SFI",
                LEVELS[level],
                t,
                weeks,
                studievag=path,
                p_interrupt=0.22 if slow else 0.08,
                p_fail=0.2 if slow else 0.06,
                slow=slow,
                high_absence=high_absence,
            )
            if e.status == "Avbruten":
                if e.reason == "ANSTALLNING" or rng.random() < 0.35:
                    return
                t = _days(e.end, rng.randint(30, 120))
            elif e.grade in ("F", ""):
                t = _days(e.end, rng.randint(10, 60))
            else:
                level += 1
                t = _days(e.end, rng.randint(5, 40))

    # -- Komvux
    def komvux(self, start: dt.date, n: int, grund_share: float) -> dt.date:
        rng = self.rng
        t = start
        last = start
        for _ in range(n):
            if t > self.ctx.horizon:
                break
            if rng.random() < grund_share:
                kurskod = "GRNORI1" if rng.random() < 0.06 else rng.choice(GRUND_COURSES)
                skolform = "GRUNDVUX"
            else:
                kurskod, skolform = rng.choice(GYMN_COURSES), "GYMNVUX"
            e = self._enrol(skolform, kurskod, t, rng.uniform(8, 20), p_interrupt=0.12, p_fail=0.08)
            last = max(last, e.end)
            t = e.start if rng.random() < 0.3 else _days(e.end, rng.randint(0, 35))
        return last

    # -- job track: returns the end date E of the participation, or None
    def track(self, earliest: dt.date, latest: dt.date) -> dt.date | None:
        rng, p = self.rng, self.p
        if latest < earliest:
            return None
        start = _days(earliest, rng.uniform(0, (latest - earliest).days))
        weights = [(t.jobbspar_id, t.women_share if p.gender == "K" else 1 - t.women_share) for t in self.ctx.tracks]
        first = _pick(rng, weights)
        order = sorted(self.ctx.tracks, key=lambda t: t.jobbspar_id != first)
        for tr in order:
            if tr.fran <= start <= min(tr.till or self.ctx.horizon, self.ctx.horizon):
                break
        else:
            return None
        t = start
        end = start
        per = tr.veckor / len(tr.courses)
        with_sva = rng.random() < 0.4
        courses = (("GRUNDVUX", "GRNSVA2"),) if with_sva else ()
        courses += tuple(("GYMNVUX", c) for c in tr.courses)
        for skolform, kurskod in courses:
            e = self._enrol(
                skolform,
                kurskod,
                t,
                per * rng.uniform(0.85, 1.15),
                kurspaket=tr.kurspaket,
                p_interrupt=0.07,
                p_fail=0.04,
            )
            end = max(end, e.end)
            if e.status == "Avbruten":
                break
            t = e.start if skolform == "GRUNDVUX" else _days(e.end, rng.randint(0, 7))
        return end

    # -- Af timeline
    def _emit(self, t: dt.date, group: str, registered: bool, youth: bool) -> bool:
        """Append the event that puts the person in ``group`` at t; True when deregistered."""
        rng, ev = self.rng, self.p.events
        dereg = GROUP_DEREG.get(group)
        if dereg is not None and rng.random() < dereg[1] and registered:
            reason = dereg[0] or _pick(rng, OTHER_DEREG)
            ev.append((t, "dereg", reason))
            return True
        if group == "PROG" and youth and rng.random() < 0.4:
            code = "69"
        elif group == "UNEMP" and rng.random() < 0.004:
            code = "99"  # a code outside Arbetsförmedlingen's list: loaded, group OTHER
        else:
            code = _pick(rng, GROUP_CODES[group])
        ev.append((t, "cat" if registered else "reg", code))
        return False

    def _machine(self, t: dt.date, group: str, youth: bool, force_work: dt.date | None) -> None:
        rng, horizon = self.rng, self.ctx.horizon
        registered = True
        while t <= horizon:
            if self._emit(t, group, registered, youth):
                if rng.random() < 0.12:  # registers again later
                    t = _days(t, rng.randint(90, 300))
                    group, registered = "UNEMP", False
                    continue
                return
            registered = True
            lo, hi = SPELL_DAYS[group]
            nxt = _days(t, rng.randint(lo, hi))
            if force_work is not None and t < force_work <= nxt:
                t, force_work = force_work, None
                group = "WORK" if rng.random() < 0.65 else "SUBS"
                continue
            t = nxt
            if group in ("WORK", "SUBS", "STUD", "OWN"):
                g = _pick(rng, NEXT_EMPLOYED)
                group = group if g == "SAME" else g
            else:
                group = _pick(rng, NEXT_SEEKER)

    def build(self, g: int, force: str | None) -> Person:
        rng, ctx = self.rng, self.ctx
        has_af = force in ("af", "samordning") or (force is None and rng.random() < 0.8)
        youth = rng.random() < 0.22
        man = rng.random() < 0.53
        if force == "centenarian":
            birth_year = ctx.first_export.year - 101
            has_af = False
        elif youth:
            age = rng.randint(16, 24)
        else:
            age = min(64, 25 + int(abs(rng.gauss(0, 13))))
        samordning = force == "samordning" or (force is None and rng.random() < 0.05)
        # permit: spread over the reporting months and the 24 months before them
        span_start = add_months(ctx.first_month, -24)
        permit = _days(span_start, rng.uniform(0, (_days(ctx.horizon, -14) - span_start).days))
        if force != "centenarian":
            birth_year = permit.year - age
        pnr = _make_pnr(ctx.g_base + g, ctx.pnr_offset, birth_year, man, samordning)
        p = Person(self.idx, pnr, pnr.gender, has_af)
        self.p = p
        edu = _pick(rng, EDU_YOUTH if youth else EDU_ADULT)
        p.edu = edu
        if has_af:
            self._af_person(permit, youth)
        else:
            self._dexter_only(force, youth)
        p.enrolments.sort(key=lambda e: (e.start, e.did))
        return p

    def _sfi_entry(self) -> tuple[str, int, bool]:
        rng, edu = self.rng, self.p.edu
        path, level = {
            "FGY_KORT": ("1", 0),
            "FGY": (rng.choice("12"), rng.choice((0, 0, 1))),
            "GY": ("2", rng.choice((0, 1, 1))),
            "EGY_KORT": ("3", rng.choice((1, 2))),
            "EGY": ("3", rng.choice((1, 2, 2))),
            "OKAND": ("2", rng.choice((0, 1))),
        }[edu]
        slow = rng.random() < (0.3 if edu == "FGY_KORT" else 0.13)
        return path, level, slow

    def _af_person(self, permit: dt.date, youth: bool) -> None:
        rng, p = self.rng, self.p
        p.permit = permit
        p.disability = "J" if rng.random() < 0.06 else "N"
        p.office = rng.choice(OFFICES)
        age = permit.year - p.pnr.birth.year
        programme = (20 <= age <= 64 and rng.random() < 0.8) or (18 <= age < 20 and rng.random() < 0.2)
        insk = _days(permit, rng.randint(10, 70))
        track_end: dt.date | None = None
        if not programme:
            self._machine_start(insk, youth)
            if rng.random() < (0.55 if youth else 0.5):
                path, level, slow = self._sfi_entry()
                self.sfi(_days(insk, rng.randint(20, 200)), path, level, slow)
            if youth and p.edu in ("FGY_KORT", "FGY") and rng.random() < 0.6:
                self.komvux(_days(permit, rng.randint(60, 420)), rng.randint(2, 4), 0.8)
            elif rng.random() < 0.15:
                self.komvux(_days(insk, rng.randint(90, 600)), rng.randint(1, 3), 0.5)
            if not youth and rng.random() < 0.08:
                track_end = self.track(_days(insk, 120), add_months(insk, 24))
            return

        s = _days(insk, rng.randint(0, 45))
        planned = add_months(s, 24)
        if rng.random() < 0.05:  # extended plan (parental leave, illness)
            planned = _days(planned, rng.randint(30, 180))
        p.etab_start, p.etab_planned = s, planned
        base = 100 if rng.random() < 0.72 else (75 if rng.random() < 0.35 else 50)
        p.grades = [(s, base)]
        if base < 100 and rng.random() < 0.35:
            p.grades.append((_days(s, rng.randint(150, 400)), 100))
        elif base == 100 and rng.random() < 0.06:
            p.grades.append((_days(s, rng.randint(120, 500)), 50))

        r = rng.random()
        if r < 0.2:
            exit_, outcome = _days(s, rng.uniform(180, 670)), "EARLY"
        elif r < 0.25:
            exit_, outcome = _days(s, rng.uniform(60, 600)), "GONE"
        elif r < 0.9:
            exit_, outcome = planned, "NORMAL"
        else:
            exit_, outcome = _days(planned, rng.randint(15, 150)), "NORMAL"

        # job track during or just after the programme
        force_work: dt.date | None = None
        if rng.random() < 0.14:
            track_end = self.track(_days(s, 240), _days(s, 660))
            if track_end is not None and rng.random() < 0.55:
                force_work = _days(track_end, rng.randint(7, 85))
        if force_work is not None and force_work < exit_:
            exit_, outcome, force_work = force_work, "WORK", None
        p.etab_exit = exit_

        ev = p.events
        if insk < s:
            ev.append((insk, "reg", "11" if rng.random() < 0.8 else "14"))
            ev.append((s, "cat", "28"))
        else:
            ev.append((s, "reg", "28"))
        mapping_end = _days(s, rng.randint(25, 100))
        if mapping_end < exit_:
            ev.append((mapping_end, "cat", "68"))
        if outcome == "GONE":
            ev.append((exit_, "dereg", _pick(rng, OTHER_DEREG)))
        else:
            if outcome == "WORK":
                group = "WORK" if rng.random() < 0.65 else "SUBS"
            else:
                group = _pick(rng, EXIT_EARLY if outcome == "EARLY" else EXIT_NORMAL)
            self._machine(exit_, group, youth, force_work)

        # Sfi, Komvux within the programme, Komvux after a job track
        if rng.random() < 0.9:
            path, level, slow = self._sfi_entry()
            self.sfi(_days(s, rng.randint(10, 100)), path, level, slow)
        if rng.random() < 0.4:
            grund = 0.8 if p.edu in ("FGY_KORT", "FGY", "OKAND") else 0.35
            self.komvux(_days(s, rng.randint(200, 620)), rng.randint(1, 3), grund)
        if track_end is not None and rng.random() < 0.15:
            self.komvux(_days(track_end, rng.randint(5, 85)), 1, 0.3)

    def _machine_start(self, insk: dt.date, youth: bool) -> None:
        group = _pick(self.rng, START_YOUTH if youth else START_OUTSIDE)
        if group == "OTHER":
            group = "UNEMP"
        self.p.events.append((insk, "reg", _pick(self.rng, GROUP_CODES[group])))
        lo, hi = SPELL_DAYS[group]
        nxt = _days(insk, self.rng.randint(lo, hi))
        self._machine(nxt, _pick(self.rng, NEXT_SEEKER), youth, None)

    def _dexter_only(self, force: str | None, youth: bool) -> None:
        rng, ctx, p = self.rng, self.ctx, self.p
        lo = add_months(ctx.first_export, -30)
        start = _days(lo, rng.uniform(0, (ctx.horizon - lo).days))
        if force == "temporary" or (force is None and rng.random() < 0.02):
            p.temp = Pnr(p.pnr.birth, "", False, f"T{rng.randint(100, 999)}")
            if rng.random() < 0.5 or force == "temporary":
                # the real number arrives some months into the studies
                p.temp_until = _days(max(start, ctx.first_export), rng.randint(60, 240))
        if force == "centenarian":
            self.sfi(add_months(ctx.first_export, -10), "1", 0, True)
            return
        kind = _pick(rng, (("sfi", 0.35), ("komvux", 0.5), ("track", 0.15)))
        if kind == "sfi":
            path, level, slow = self._sfi_entry()
            self.sfi(start, path, level, slow)
        elif kind == "komvux":
            self.komvux(start, rng.randint(1, 5), 0.7 if youth else 0.4)
        else:
            end = self.track(start, add_months(start, 12))
            if end is not None and rng.random() < 0.2:
                self.komvux(_days(end, rng.randint(5, 85)), 1, 0.3)


# ---------------------------------------------------------------- writing
@dataclass(frozen=True)
class _Style:
    encoding: str  # utf-8 | utf-8-sig | cp1252
    eol: str
    header_case: str  # lower | upper | title | spaced
    order: tuple[str, ...]  # column order, extra column included
    decimal_comma: bool
    quote_all: bool
    pnr_form: str  # 12- | 12 | 10- | 10
    pnr_mix: float  # share of rows in another form (manual entry)


_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
_HEADER_CASES = ("lower", "upper", "title", "lower", "spaced")


def _make_style(
    rng: random.Random,
    i: int,
    columns: Sequence[str],
    extra: str | None,
    forms: Sequence[str],
    encodings: Sequence[str],
    pnr_mix: float,
) -> _Style:
    order = list(columns)
    if i % 2 == 1:
        rng.shuffle(order)
    if extra is not None:
        order.insert(rng.randint(0, len(order)), extra)
    return _Style(
        encoding=encodings[i % len(encodings)],
        eol="\r\n" if i % 3 == 1 or (i % 3 == 0 and rng.random() < 0.5) else "\n",
        header_case=_HEADER_CASES[(i + rng.randint(0, 4)) % len(_HEADER_CASES)],
        order=tuple(order),
        decimal_comma=rng.random() < 0.5,
        quote_all=rng.random() < 0.2,
        pnr_form=forms[i % len(forms)],
        pnr_mix=pnr_mix,
    )


def _header_name(col: str, case: str, j: int) -> str:
    if case == "upper":
        return col.upper()
    if case == "title":
        return col[:1].upper() + col[1:]
    if case == "spaced":
        return f" {col.capitalize()} " if j % 3 == 0 else col.capitalize()
    return col


Corruptor = Callable[[random.Random, dict[str, str], "Sink"], tuple[str, str | None] | None]


class Sink:
    """One open output file: formats, corrupts on purpose, counts."""

    def __init__(
        self,
        path: Path,
        source: str,
        style: _Style,
        ref: dt.date,
        seed_text: str,
        summary: GenerateSummary,
        corruptor: Corruptor | None,
    ):
        self.path = path
        self.source = source
        self.style = style
        self.ref = ref
        self.rng = random.Random(seed_text)
        self.summary = summary
        self.corruptor = corruptor
        self.rows = 0
        self.invalid = 0
        self.line = 1
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = path.open("w", encoding=style.encoding, newline="")
        self._write([_header_name(c, style.header_case, j) for j, c in enumerate(style.order)])

    def _write(self, values: Sequence[str]) -> None:
        out = []
        for v in values:
            if self.style.quote_all or ";" in v or '"' in v:
                v = '"' + v.replace('"', '""') + '"'
            out.append(v)
        self.fh.write(";".join(out) + self.style.eol)

    def _emit(self, row: dict[str, str]) -> None:
        self._write([row.get(c, "") for c in self.style.order])
        self.rows += 1
        self.line += 1

    def write(self, row: dict[str, str], number: Pnr | None = None) -> None:
        """Write one row; ``number`` is formatted in the file's personnummer form."""
        rng, style = self.rng, self.style
        if number is not None:
            form = style.pnr_form
            if style.pnr_mix and rng.random() < style.pnr_mix:
                form = rng.choice(("12-", "12", "10-", "10"))
            row["personnummer"] = number.format(form, self.ref)
            row["_form"] = form
        if style.decimal_comma and row.get("franvaro_procent"):
            row["franvaro_procent"] = row["franvaro_procent"].replace(".", ",")
        if (
            self.corruptor is not None
            and rng.random() < _INVALID_RATE
            and self.invalid + 2 <= _MAX_INVALID_SHARE * (self.rows + 2)
        ):
            broken = self.corruptor(rng, row, self) if number is not None else None
            if broken is not None:
                reason, column = broken
                if reason == "duplicate_key":
                    return  # the corruptor wrote both rows
                self._record(reason, column)
                self._emit(row)
                return
        self._emit(row)
        if rng.random() < _IDENTICAL_DUP_RATE:
            self._emit(row)

    def _record(self, reason: str, column: str | None) -> None:
        self.summary.invalid_rows.append(InvalidRow(self.path, self.line + 1, reason, column))
        self.invalid += 1

    def close(self) -> None:
        self.fh.close()
        self.summary.rows[self.source] += self.rows


def _corrupt_pnr(rng: random.Random, row: dict[str, str], sink: Sink, number: Pnr) -> tuple[str, str]:
    kind = _pick(rng, (("checksum", 0.65), ("date", 0.25), ("format", 0.1)))
    row["personnummer"] = number.format(row["_form"], sink.ref, bad=kind)
    return {"checksum": "pnr_checksum", "date": "pnr_date", "format": "pnr_format"}[kind], "personnummer"


def _bad_date(rng: random.Random, d: str) -> str:
    if rng.random() < 0.7:
        return f"{d[:4]}-02-30"
    return d.replace("-", "")  # YYYYMMDD: not the contract's form


def _other_municipality(k: str) -> str:
    return f"{(int(k) + 7) % 10000:04d}"


def _duplicate(sink: Sink, row: dict[str, str], column: str, other: str) -> tuple[str, str]:
    sink._record("duplicate_key", None)
    sink._emit(row)
    twin = dict(row)
    twin[column] = other
    sink._record("duplicate_key", None)
    sink._emit(twin)
    return "duplicate_key", None


def _corrupt_af(rng: random.Random, row: dict[str, str], sink: Sink) -> tuple[str, str | None] | None:
    number: Pnr = row.pop("_number")  # type: ignore[assignment]
    kind = _pick(
        rng,
        (
            ("pnr", 0.35),
            ("invalid_code", 0.14),
            ("invalid_date", 0.14),
            ("missing_value", 0.12),
            ("date_order", 0.1),
            ("kommunkod_mismatch", 0.05),
            ("duplicate_key", 0.1),
        ),
    )
    if kind == "pnr":
        return _corrupt_pnr(rng, row, sink, number)
    if kind == "invalid_code":
        column = rng.choice(("kon", "utbildningsniva"))
        row[column] = "X" if column == "kon" else "GYMNASIUM"
        return "invalid_code", column
    if kind == "invalid_date":
        column = rng.choice(("inskrivningsdatum", "uppehallstillstand_datum"))
        row[column] = _bad_date(rng, row[column])
        return "invalid_date", column
    if kind == "missing_value":
        if row["avaktualiseringsdatum"]:
            row["avaktualiseringsorsak"] = ""
            return "missing_value", "avaktualiseringsorsak"
        if row["etablering_startdatum"] and rng.random() < 0.5:
            row["etablering_planerat_slutdatum"] = ""
            return "missing_value", "etablering_planerat_slutdatum"
        column = rng.choice(("inskrivningsdatum", "utbildningsniva", "funktionsnedsattning"))
        row[column] = ""
        return "missing_value", column
    if kind == "date_order" and row["avaktualiseringsdatum"]:
        first = dt.date.fromisoformat(row["statusmanad"] + "-01")
        row["avaktualiseringsdatum"] = _days(month_end(first), rng.randint(1, 20)).isoformat()
        return "date_order", "avaktualiseringsdatum"
    if kind == "kommunkod_mismatch":
        row["kommunkod"] = _other_municipality(row["kommunkod"])
        return "kommunkod_mismatch", "kommunkod"
    if kind == "duplicate_key":
        other = "FGY" if row["utbildningsniva"] != "FGY" else "GY"
        return _duplicate(sink, row, "utbildningsniva", other)
    return None


def _corrupt_dexter(rng: random.Random, row: dict[str, str], sink: Sink) -> tuple[str, str | None] | None:
    number: Pnr = row.pop("_number")  # type: ignore[assignment]
    kind = _pick(
        rng,
        (
            ("pnr", 0.3),
            ("invalid_code", 0.13),
            ("invalid_date", 0.1),
            ("missing_value", 0.14),
            ("date_order", 0.15),
            ("out_of_range", 0.08),
            ("duplicate_key", 0.1),
        ),
    )
    if kind == "pnr" and number.temp is None:
        return _corrupt_pnr(rng, row, sink, number)
    if kind == "invalid_code":
        row["skolform"] = rng.choice(("KOMVUX", "SFX", "GRUNDSÄR"))
        return "invalid_code", "skolform"
    if kind == "invalid_date":
        row["startdatum"] = _bad_date(rng, row["startdatum"])
        return "invalid_date", "startdatum"
    if kind == "missing_value":
        if row["status"] == "Avbruten":
            row["avbrottsorsak"] = ""
            return "missing_value", "avbrottsorsak"
        if row["skolform"] == "SFI":
            row["studievag"] = ""
            return "missing_value", "studievag"
        if row["status"] == "Avslutad":
            row["slutdatum"] = ""
            return "missing_value", "slutdatum"
        return None
    if kind == "date_order":
        start = dt.date.fromisoformat(row["startdatum"])
        bad = _days(start, -rng.randint(3, 60)).isoformat()
        if row["slutdatum"]:
            row["slutdatum"] = bad
            return "date_order", "slutdatum"
        row["planerat_slutdatum"] = bad
        return "date_order", "planerat_slutdatum"
    if kind == "out_of_range":
        if rng.random() < 0.5:
            row["franvaro_procent"] = "135,5" if sink.style.decimal_comma else "135.5"
            return "out_of_range", "franvaro_procent"
        row["studietakt_procent"] = "0"
        return "out_of_range", "studietakt_procent"
    if kind == "duplicate_key":
        other = "100" if row["studietakt_procent"] != "100" else "50"
        return _duplicate(sink, row, "studietakt_procent", other)
    return None


def _set_mtime(path: Path, when: dt.datetime) -> None:
    ts = calendar.timegm(when.timetuple())
    os.utime(path, (ts, ts))


# ---------------------------------------------------------------- catalogue
def _write_catalogue(
    out_dir: Path, municipalities: Sequence[str], end_month: dt.date, summary: GenerateSummary
) -> None:
    style = _Style("cp1252", "\r\n", "title", CATALOGUE_COLUMNS, False, False, "12-", 0.0)
    path = out_dir / "jobbspar_katalog.csv"
    sink = Sink(path, SOURCE_CATALOGUE, style, end_month, "catalogue", summary, None)
    for k in municipalities:
        for t in _tracks(k, end_month):
            sink.write(
                {
                    "jobbspar_id": t.jobbspar_id,
                    "kommunkod": t.kommunkod,
                    "namn": t.namn,
                    "bransch": t.bransch,
                    "kurspaket": t.kurspaket,
                    "kurstid_veckor": str(t.veckor),
                    "platser_per_ar": str(t.platser),
                    "forkunskaper": t.forkunskaper,
                    "giltig_fran": t.fran.isoformat(),
                    "giltig_till": _iso(t.till),
                }
            )
    sink.close()
    _set_mtime(path, dt.datetime.combine(end_month, dt.time(8, 0)))
    summary.files.append(path)


# ---------------------------------------------------------------- main entry
def _export_dates(first_month: dt.date, end_month: dt.date) -> list[dt.date]:
    out = []
    k = 0
    while add_months(end_month, -6 * k) >= first_month:
        out.append(month_end(add_months(end_month, -6 * k)))
        k += 1
    return sorted(out)


def _wrong_in_original(rng: random.Random, row: dict[str, str]) -> dict[str, str] | None:
    """The first delivery's version of a row that the corrected delivery fixes
    (None: the row was missing from the first delivery)."""
    wrong = dict(row)
    r = rng.random()
    if r < 0.25:
        return None
    if row["avaktualiseringsorsak"]:
        wrong["avaktualiseringsorsak"] = "OVRIGT" if row["avaktualiseringsorsak"] != "OVRIGT" else "FLYTT"
    elif row["sokandekategori"] in ("68", "28"):
        wrong["aktivitetsgrad"] = "50" if row["aktivitetsgrad"] != "50" else "100"
    elif row["sokandekategori"]:
        wrong["sokandekategori"] = "11" if row["sokandekategori"] != "11" else "70"
    else:
        return None
    return wrong


def generate(
    out_dir: Path,
    municipalities: Sequence[str] = ("0581",),
    persons: int = 2000,
    months: int = 24,
    seed: int = 1,
    end_month: dt.date | None = None,
    progress: bool = True,
) -> GenerateSummary:
    """Write synthetic Dexter, Af and catalogue files into ``out_dir``.

    ``persons`` is per municipality; ``months`` monthly Af snapshots end with
    ``end_month`` (first day of the last month; default 2026-09-01).
    """
    municipalities = [str(m).strip() for m in municipalities]
    if not municipalities or any(len(m) != 4 or not (m.isascii() and m.isdigit()) for m in municipalities):
        raise ValueError(f"municipalities must be 4-digit SCB codes, got {municipalities!r}")
    if len(set(municipalities)) != len(municipalities):
        raise ValueError("municipalities must not repeat")
    if persons < 1 or months < 1:
        raise ValueError("persons and months must be at least 1")
    end_month = (end_month or DEFAULT_END_MONTH).replace(day=1)
    first_month = add_months(end_month, -(months - 1))
    month_starts = [add_months(first_month, k) for k in range(months)]
    exports = _export_dates(first_month, end_month)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    summary = GenerateSummary(
        out_dir=out_dir, municipalities=list(municipalities), months=month_starts, export_dates=exports
    )
    _write_catalogue(out_dir, municipalities, end_month, summary)
    pnr_offset = random.Random(f"dua-generate/{seed}/pnr").randrange(_SLOTS)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=not progress, transient=False) as bar:
        for mi, kommunkod in enumerate(municipalities):
            task = bar.add_task(f"kommun {kommunkod}: persons", total=persons)
            ctx = _Context(
                kommunkod,
                seed,
                first_month,
                end_month,
                month_end(end_month),
                exports[0],
                _tracks(kommunkod, end_month),
                pnr_offset,
                mi * persons,
            )
            _generate_municipality(
                ctx, out_dir, month_starts, exports, persons, summary, lambda task=task: bar.advance(task)
            )
            summary.persons += persons
    return summary


def _generate_municipality(
    ctx: _Context,
    out_dir: Path,
    month_starts: list[dt.date],
    exports: list[dt.date],
    persons: int,
    summary: GenerateSummary,
    tick: Callable[[], None],
) -> None:
    k = ctx.kommunkod
    srng = random.Random(f"dua-generate/{ctx.seed}/{k}/styles")
    enc = list(_ENCODINGS)
    srng.shuffle(enc)
    af_forms = ["12", "12-", "10-", "12", "10"]
    srng.shuffle(af_forms)
    dx_forms = ["12-", "10-", "12", "10"]
    rot = srng.randrange(4)
    dx_forms = dx_forms[rot:] + dx_forms[:rot]

    af_sinks: list[Sink] = []
    for i, first in enumerate(month_starts):
        extra = "handlaggarkontor" if i % 4 == 2 else None
        style = _make_style(srng, i, AF_COLUMNS, extra, af_forms, enc, 0.0)
        if extra is not None and style.encoding == "utf-8":
            style = dataclasses.replace(style, encoding="cp1252")
        path = out_dir / f"af_status_{k}_{first:%Y%m}.csv"
        af_sinks.append(
            Sink(path, SOURCE_AF, style, month_end(first), f"dua-generate/{ctx.seed}/{path.name}", summary, _corrupt_af)
        )
    corr_idx = max(0, len(month_starts) - 4)
    corr_path = out_dir / "corrections" / af_sinks[corr_idx].path.name
    corr_sink = Sink(
        corr_path,
        SOURCE_AF,
        af_sinks[corr_idx].style,
        af_sinks[corr_idx].ref,
        f"dua-generate/{ctx.seed}/corrections/{corr_path.name}",
        summary,
        None,
    )
    dx_enc = list(_ENCODINGS)
    srng.shuffle(dx_enc)
    dx_sinks: list[Sink] = []
    for i, export in enumerate(exports):
        extra = "larcentrum" if i % 2 == 0 else None
        style = _make_style(srng, i + 1, DEXTER_COLUMNS, extra, dx_forms, dx_enc, 0.03)
        path = out_dir / f"dexter_isp_{k}_{export:%Y%m%d}.csv"
        dx_sinks.append(
            Sink(path, SOURCE_DEXTER, style, export, f"dua-generate/{ctx.seed}/{path.name}", summary, _corrupt_dexter)
        )

    crng = random.Random(f"dua-generate/{ctx.seed}/{k}/corrections")
    changed = 0
    forced = {1: "samordning", 2: "af", 3: "centenarian", 5: "temporary"}
    for idx in range(persons):
        person = _PersonBuilder(ctx, idx).build(idx, forced.get(idx) if persons >= 20 else None)
        if person.has_af:
            for mi, (first, sink) in enumerate(zip(month_starts, af_sinks, strict=True)):
                row = person.af_row(first, k)
                if row is None:
                    continue
                if mi == corr_idx:
                    corr_sink.write(dict(row), person.pnr)
                    if changed < 3 or crng.random() < 0.012:
                        wrong = _wrong_in_original(crng, row)
                        changed += 1
                        if wrong is None:
                            continue
                        row = wrong
                row["_number"] = person.pnr  # type: ignore[assignment]
                sink.write(row, person.pnr)
        for export, sink in zip(exports, dx_sinks, strict=True):
            for e in person.enrolments:
                row = dexter_row(e, export, k)
                if row is not None:
                    number = person.number_on(export)
                    row["_number"] = number  # type: ignore[assignment]
                    sink.write(row, number)
        tick()

    for i, (first, sink) in enumerate(zip(month_starts, af_sinks, strict=True)):
        sink.close()
        nxt = add_months(first, 1)
        _set_mtime(sink.path, dt.datetime(nxt.year, nxt.month, 5, 6, 0))
        summary.files.append(sink.path)
        if i == corr_idx:
            corr_sink.close()
            _set_mtime(corr_sink.path, dt.datetime(nxt.year, nxt.month, 19, 6, 0))
            summary.files.append(corr_sink.path)
            summary.corrections.append(corr_sink.path)
    for export, sink in zip(exports, dx_sinks, strict=True):
        sink.close()
        _set_mtime(sink.path, dt.datetime.combine(_days(export, 1), dt.time(2, 30)))
        summary.files.append(sink.path)
