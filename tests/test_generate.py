"""The synthetic generator (dua_synthetic.generate) against the source contracts.

The checker below is written from ``sources.md`` independently of the loader
(``dua.ingest.sources``): it decodes each file, checks the header and every row, and
the rows it rejects must be exactly the ones the generator says it broke on
purpose, with the same reason code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from dua.identity import personnummer as pnr
from dua_synthetic.generate import GenerateSummary, add_months, generate, month_end

MUNICIPALITIES = ("0581", "1280")
END = dt.date(2026, 9, 1)

AF_REQUIRED = {
    "personnummer",
    "kommunkod",
    "statusmanad",
    "kon",
    "inskrivningsdatum",
    "uppehallstillstand_datum",
    "utbildningsniva",
    "funktionsnedsattning",
}
AF_OPTIONAL = {
    "sokandekategori",
    "avaktualiseringsdatum",
    "avaktualiseringsorsak",
    "etablering_startdatum",
    "etablering_planerat_slutdatum",
    "etablering_slutdatum",
    "aktivitetsgrad",
}
DX_REQUIRED = {
    "personnummer",
    "kommunkod",
    "deltagande_id",
    "skolform",
    "kurskod",
    "startdatum",
    "planerat_slutdatum",
    "status",
    "studietakt_procent",
}
DX_OPTIONAL = {
    "studievag",
    "kurspaket",
    "slutdatum",
    "avbrottsorsak",
    "betyg",
    "franvaro_procent",
    "finansiering",
    "isp_uppdaterad",
}
CAT_REQUIRED = {"jobbspar_id", "kommunkod", "namn", "kurspaket", "platser_per_ar", "giltig_fran"}
CAT_OPTIONAL = {"bransch", "kurstid_veckor", "forkunskaper", "giltig_till"}


# ------------------------------------------------------------------ checker
class Bad(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def date_of(value: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise Bad("invalid_date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Bad("invalid_date") from None


def need(row: dict[str, str], col: str) -> str:
    if not row.get(col):
        raise Bad("missing_value")
    return row[col]


def code(value: str, allowed: set[str]) -> None:
    if value and value not in allowed:
        raise Bad("invalid_code")


def person(value: str, ref: dt.date, temporary: bool) -> pnr.Personnummer:
    try:
        return pnr.parse(value, ref, allow_temporary=temporary)
    except pnr.PersonnummerError as exc:
        raise Bad(exc.code) from None


def check_af(r: dict[str, str], kommunkod: str, first: dt.date) -> tuple:
    end = month_end(first)
    p = person(need(r, "personnummer"), end, False)
    if need(r, "kommunkod") != kommunkod:
        raise Bad("kommunkod_mismatch")
    if need(r, "statusmanad") != f"{first:%Y-%m}":
        raise Bad("statusmanad_mismatch")
    code(need(r, "kon"), {"K", "M"})
    if r["sokandekategori"] and not re.fullmatch(r"\d\d", r["sokandekategori"]):
        raise Bad("invalid_code")
    insk = date_of(need(r, "inskrivningsdatum"))
    avakt = date_of(r["avaktualiseringsdatum"]) if r["avaktualiseringsdatum"] else None
    if avakt and avakt > end:
        raise Bad("date_order")
    if avakt:
        need(r, "avaktualiseringsorsak")
    code(
        r["avaktualiseringsorsak"],
        {"ARBETE", "ARBETE_MED_STOD", "STUDIER", "EGET_FORETAG", "FLYTT", "EJ_KONTAKT", "OVRIGT"},
    )
    permit = date_of(need(r, "uppehallstillstand_datum"))
    start = date_of(r["etablering_startdatum"]) if r["etablering_startdatum"] else None
    planned = date_of(need(r, "etablering_planerat_slutdatum")) if start else None
    slut = date_of(r["etablering_slutdatum"]) if r["etablering_slutdatum"] else None
    code(need(r, "utbildningsniva"), {"FGY_KORT", "FGY", "GY", "EGY_KORT", "EGY", "OKAND"})
    code(need(r, "funktionsnedsattning"), {"J", "N"})
    if r["aktivitetsgrad"]:
        if not r["aktivitetsgrad"].isdigit():
            raise Bad("invalid_number")
        if not 0 <= int(r["aktivitetsgrad"]) <= 100:
            raise Bad("out_of_range")
    # coherence of valid-by-design rows (not loader rules: plain assertions)
    assert r["kon"] == p.gender, "kon disagrees with the personnummer"
    assert permit <= insk <= end
    assert (avakt is None) == (r["sokandekategori"] != ""), "sokandekategori is empty exactly when deregistered"
    if start:
        assert start <= end and planned >= start  # (a re-registration may start after it)
        assert slut is None or start <= slut <= end
        assert (r["aktivitetsgrad"] != "") == (slut is None)
    else:
        assert not slut and not r["aktivitetsgrad"]
    return (p.normalized,)


def check_dexter(r: dict[str, str], kommunkod: str, export: dt.date) -> tuple:
    person(need(r, "personnummer"), export, True)
    if need(r, "kommunkod") != kommunkod:
        raise Bad("kommunkod_mismatch")
    did = need(r, "deltagande_id")
    skolform = need(r, "skolform")
    code(skolform, {"SFI", "GRUNDVUX", "GYMNVUX"})
    kurskod = need(r, "kurskod")
    if skolform == "SFI":
        code(kurskod, {"SFIA", "SFIB", "SFIC", "SFID"})
        need(r, "studievag")
    code(r["studievag"], {"1", "2", "3"})
    start = date_of(need(r, "startdatum"))
    planned = date_of(need(r, "planerat_slutdatum"))
    if planned < start:
        raise Bad("date_order")
    status = need(r, "status")
    code(status, {"Pågående", "Avslutad", "Avbruten"})
    slut = (
        date_of(need(r, "slutdatum") if status != "Pågående" else r["slutdatum"])
        if (status != "Pågående" or r["slutdatum"])
        else None
    )
    if slut and slut < start:
        raise Bad("date_order")
    if status == "Avbruten":
        need(r, "avbrottsorsak")
    code(
        r["avbrottsorsak"],
        {
            "PROGRESSION",
            "FRANVARO",
            "LEDIGHET",
            "TIDSBEGR_ANSTALLNING",
            "ANSTALLNING",
            "PRAKTIK",
            "FORALDRALEDIGHET",
            "EGEN_BEGARAN",
            "OVRIGT",
        },
    )
    code(r["betyg"], {"A", "B", "C", "D", "E", "F", "G", "IG"})
    if r["franvaro_procent"]:
        if not re.fullmatch(r"\d+([.,]\d+)?", r["franvaro_procent"]):
            raise Bad("invalid_number")
        if float(r["franvaro_procent"].replace(",", ".")) > 100:
            raise Bad("out_of_range")
    takt = need(r, "studietakt_procent")
    if not takt.isdigit():
        raise Bad("invalid_number")
    if not 1 <= int(takt) <= 100:
        raise Bad("out_of_range")
    code(r["finansiering"], {"ETABLERING", "CSN", "FORSORJNINGSSTOD", "AKTIVITETSSTOD", "EGEN", "OVRIG"})
    isp = date_of(r["isp_uppdaterad"]) if r["isp_uppdaterad"] else None
    # coherence of valid-by-design rows
    assert start <= export and (slut is None or slut <= export) and (isp is None or start <= isp <= export)
    if status == "Pågående":
        assert not r["slutdatum"] and not r["betyg"] and not r["avbrottsorsak"]
    assert slut is None or slut >= add_months(export, -36), "outside the export's 36-month window"
    return (did,)


def check_catalogue(r: dict[str, str]) -> tuple:
    for c in CAT_REQUIRED:
        need(r, c)
    fran = date_of(r["giltig_fran"])
    if r["giltig_till"] and date_of(r["giltig_till"]) < fran:
        raise Bad("date_order")
    return (r["jobbspar_id"],)


def parse_file(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str], list[str]]], str, bytes]:
    data = path.read_bytes()
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    header = next(reader)
    names = [h.strip().lower() for h in header]
    rows = []
    for fields in reader:
        assert len(fields) == len(names), f"{path.name}:{reader.line_num} field count"
        rows.append((reader.line_num, dict(zip(names, [f.strip() for f in fields], strict=True)), fields))
    return names, rows, encoding, data


def check_file(path: Path) -> tuple[dict[int, str], int, list[str], list[dict[str, str]]]:
    """{line: reason} of the rows the contract rejects, row count, header, valid rows."""
    names, rows, _, _ = parse_file(path)
    assert len(set(names)) == len(names), "repeated column"
    m = re.fullmatch(r"(af_status|dexter_isp)_(\d{4})_(\d{6}|\d{8})\.csv|jobbspar_katalog\.csv", path.name)
    assert m, path.name
    if path.name == "jobbspar_katalog.csv":
        required, optional, check = CAT_REQUIRED, CAT_OPTIONAL, lambda r: check_catalogue(r)
    elif m.group(1) == "af_status":
        first = dt.date(int(m.group(3)[:4]), int(m.group(3)[4:]), 1)
        required, optional, check = AF_REQUIRED, AF_OPTIONAL, lambda r: check_af(r, m.group(2), first)
    else:
        export = dt.datetime.strptime(m.group(3), "%Y%m%d").date()
        required, optional, check = DX_REQUIRED, DX_OPTIONAL, lambda r: check_dexter(r, m.group(2), export)
    assert required <= set(names), f"{path.name}: missing {required - set(names)}"
    assert len(set(names) - required - optional) <= 1, "at most one unknown extra column"
    rejected: dict[int, str] = {}
    keys: dict[tuple, list[tuple[int, tuple]]] = defaultdict(list)
    valid = []
    for line, row, fields in rows:
        try:
            key = check(row)
        except Bad as exc:
            rejected[line] = exc.code
            continue
        keys[key].append((line, tuple(fields)))
        valid.append(row)
    for entries in keys.values():
        if len({f for _, f in entries}) > 1:
            for line, _ in entries:
                rejected[line] = "duplicate_key"
    return rejected, len(rows), names, valid


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> GenerateSummary:
    out = tmp_path_factory.mktemp("gen")
    return generate(out, municipalities=MUNICIPALITIES, persons=400, months=13, seed=7, end_month=END, progress=False)


def _all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ tests
def test_deterministic_by_seed(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, municipalities=("0581", "0180"), persons=80, months=7, seed=3, progress=False)
    generate(b, municipalities=("0581", "0180"), persons=80, months=7, seed=3, progress=False)
    generate(c, municipalities=("0581", "0180"), persons=80, months=7, seed=4, progress=False)
    fa, fb, fc = _all_files(a), _all_files(b), _all_files(c)
    assert fa == fb
    assert {p: (a / p).stat().st_mtime_ns for p in fa} == {p: (b / p).stat().st_mtime_ns for p in fb}
    assert fa.keys() == fc.keys()
    differing = [p for p in fa if fa[p] != fc[p]]
    assert len(differing) >= len(fa) - 1  # the catalogue does not depend on the seed


def test_file_names(generated):
    out = generated.out_dir
    months = [add_months(dt.date(2025, 9, 1), k) for k in range(13)]
    exports = [dt.date(2025, 9, 30), dt.date(2026, 3, 31), dt.date(2026, 9, 30)]
    assert generated.months == months and generated.export_dates == exports
    expected = {"jobbspar_katalog.csv"}
    for k in MUNICIPALITIES:
        expected |= {f"af_status_{k}_{m:%Y%m}.csv" for m in months}
        expected |= {f"dexter_isp_{k}_{d:%Y%m%d}.csv" for d in exports}
    corrected = {f"corrections/{p.name}" for p in generated.corrections}
    assert len(corrected) == len(MUNICIPALITIES)
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == expected | corrected
    assert {p.relative_to(out).as_posix() for p in generated.files} == on_disk
    assert generated.persons == 400 * len(MUNICIPALITIES)


def test_rows_follow_the_contract(generated):
    """Every row the generator did not break on purpose passes the contract's
    rules; every row it broke fails them with the reason it announced."""
    out = generated.out_dir
    announced: dict[str, dict[int, str]] = defaultdict(dict)
    for r in generated.invalid_rows:
        announced[r.file.relative_to(out).as_posix()][r.line_no] = r.reason
    counted: Counter[str] = Counter()
    for path in generated.files:
        rejected, n, _, _ = check_file(path)
        assert rejected == announced.get(path.relative_to(out).as_posix(), {}), path.name
        counted[
            "af_status"
            if path.name.startswith("af_")
            else "dexter_isp"
            if path.name.startswith("dexter")
            else "jobbspar_katalog"
        ] += n
    assert counted == Counter(generated.rows)
    kinds = Counter(r.reason for r in generated.invalid_rows)
    assert {"pnr_checksum", "duplicate_key", "invalid_code"} <= kinds.keys()


def test_invalid_share_is_small(generated):
    per_file = Counter(r.file for r in generated.invalid_rows)
    assert per_file, "there must be rows for quarantine"
    for path in generated.files:
        _, n, _, _ = check_file(path)
        assert per_file.get(path, 0) <= 0.05 * n, path.name
    share = len(generated.invalid_rows) / sum(generated.rows.values())
    assert 0.002 < share < 0.02


def test_messiness_features(generated):
    encodings, headers, orders, forms = Counter(), Counter(), set(), Counter()
    crlf = lf = quoted = decimal_comma = extra = 0
    samordning = temporary = 0
    for path in generated.files:
        names, rows, encoding, data = parse_file(path)
        if encoding == "cp1252":
            assert re.search(rb"[\xe5\xe4\xf6\xc5\xc4\xd6]", data), "cp1252 file with Swedish letters"
        encodings[encoding] += 1
        crlf += b"\r\n" in data
        lf += b"\r\n" not in data
        quoted += data.split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf").startswith(b'"')
        header = data.split(b"\n", 1)[0].decode(encoding if encoding != "utf-8-sig" else "utf-8-sig", errors="replace")
        headers["upper" if "PERSONNUMMER" in header else "title" if "Personnummer" in header else "lower"] += 1
        orders.add(tuple(names))
        extra += bool(set(names) & {"handlaggarkontor", "larcentrum"})
        for _, row, _ in rows:
            value = row.get("personnummer", "")
            decimal_comma += "," in row.get("franvaro_procent", "")
            if re.fullmatch(r"\d{8}-\d{4}", value):
                forms["YYYYMMDD-NNNN"] += 1
            elif re.fullmatch(r"\d{12}", value):
                forms["YYYYMMDDNNNN"] += 1
            elif re.fullmatch(r"\d{6}-\d{4}", value):
                forms["YYMMDD-NNNN"] += 1
            elif re.fullmatch(r"\d{10}", value):
                forms["YYMMDDNNNN"] += 1
            elif re.fullmatch(r"\d{6}\+\d{4}", value):
                forms["YYMMDD+NNNN"] += 1
                ref = dt.date(2026, 9, 30)
                assert pnr.parse(value, ref).birth_date <= dt.date(ref.year - 100, ref.month, ref.day)
            if re.search(r"[A-Z]", value[-4:]):
                temporary += 1
            elif re.fullmatch(r"(\d{2})?\d{4}[6-9]\d[-+]?\d{4}", value):
                samordning += 1
    assert {"utf-8", "utf-8-sig", "cp1252"} <= encodings.keys()
    assert crlf and lf and quoted and decimal_comma and extra
    assert {"upper", "title", "lower"} <= headers.keys()
    assert len(orders) > 6, "column order varies between files"
    assert len(forms) == 5, forms
    assert samordning > 0 and temporary > 0


def test_samordningsnummer_and_temporary_shares(tmp_path):
    s = generate(tmp_path, persons=1500, months=6, seed=2, progress=False)
    af_people, samordning = set(), set()
    dx_people, temporary = set(), set()
    for path in s.files:
        if path.name.startswith("jobbspar"):
            continue
        _, rows, _, _ = parse_file(path)
        ref = s.export_dates[-1]
        for _, row, _ in rows:
            try:
                p = pnr.parse(row["personnummer"], ref, allow_temporary=True)
            except pnr.PersonnummerError:
                continue
            key = p.normalized[:8] + p.normalized[9:] if p.is_temporary else p.normalized
            (af_people if path.name.startswith("af_") else dx_people).add(key)
            if p.is_samordning:
                samordning.add(key)
            if p.is_temporary:
                temporary.add(key)
    assert 0.02 < len(samordning & af_people) / len(af_people) < 0.09
    dexter_only = dx_people - af_people
    assert 0 < len(temporary) <= 0.06 * len(dexter_only)


def test_corrected_redelivery(generated):
    out = generated.out_dir
    for corrected in generated.corrections:
        original = out / corrected.name
        assert corrected.parent.name == "corrections"
        assert original.stat().st_mtime < corrected.stat().st_mtime
        _, a, _, _ = parse_file(original)
        _, b, _, _ = parse_file(corrected)
        rows_a = {tuple(sorted(r.items())) for _, r, _ in a}
        rows_b = {tuple(sorted(r.items())) for _, r, _ in b}
        changed = len(rows_a ^ rows_b)
        assert 3 <= changed <= 0.1 * len(rows_b), changed
        assert not check_file(corrected)[0], "the corrected delivery has no broken rows"


def test_catalogue_and_job_tracks(generated):
    out = generated.out_dir
    _, rows, encoding, _ = parse_file(out / "jobbspar_katalog.csv")
    assert encoding == "cp1252"
    cat = {r["jobbspar_id"]: r for _, r, _ in rows}
    for k in MUNICIPALITIES:
        assert {f"{k}-HOTELL", f"{k}-FASTIGHET", f"{k}-BARNSKOTARE"} <= cat.keys()
    assert {r["namn"] for r in cat.values()} >= {"Hotell", "Fastighetsskötsel", "Barnskötare"}
    ended = [r for r in cat.values() if r["giltig_till"]]
    assert ended and all(dt.date.fromisoformat(r["giltig_till"]).year == END.year - 1 for r in ended)
    packages = {(r["kommunkod"], r["kurspaket"]) for r in cat.values()}
    # participants: both genders, from the target group (in Af files) and outside it
    af_people: set[str] = set()
    participants: dict[tuple, set[str]] = defaultdict(set)
    genders: Counter[str] = Counter()
    for path in generated.files:
        if path.name.startswith("af_"):
            af_people |= {pnr.parse(r["personnummer"], END).normalized for r in check_file(path)[3]}
    for path in out.glob("dexter_isp_*.csv"):
        export = dt.datetime.strptime(path.stem[-8:], "%Y%m%d").date()
        for r in check_file(path)[3]:
            if r["kurspaket"]:
                assert (r["kommunkod"], r["kurspaket"]) in packages
                p = pnr.parse(r["personnummer"], export, allow_temporary=True)
                participants[(r["kommunkod"], r["kurspaket"])].add(p.normalized)
                genders[p.gender] += 1
    assert len(participants) == len(packages)
    everyone = set().union(*participants.values())
    assert everyone & af_people and everyone - af_people
    assert genders["K"] > 0.25 * sum(genders.values()) and genders["M"] > 0.25 * sum(genders.values())


def test_timelines_feed_every_indicator(generated):
    """The ingredients of each indicator are present (establishment exits with
    follow-up, work/studies/programme statuses, deregistrations, activity
    levels, youth with short schooling, Komvux within establishment, Sfi
    interruptions, absence and low progression)."""
    af = [
        r
        for p in generated.files
        if p.name.startswith("af_status_0581") and p.parent == generated.out_dir
        for r in check_file(p)[3]
    ]
    cats = Counter(r["sokandekategori"] for r in af)
    assert cats["68"] > 100 and cats["28"] > 0
    assert {"11", "41", "32", "70"} <= cats.keys() and any(c in cats for c in ("33", "36", "40", "42"))
    orsak = Counter(r["avaktualiseringsorsak"] for r in af if r["avaktualiseringsorsak"])
    assert {"ARBETE", "STUDIER", "ARBETE_MED_STOD"} <= orsak.keys()
    grades = Counter(r["aktivitetsgrad"] for r in af if r["aktivitetsgrad"])
    assert grades["100"] > grades["50"] > 0 and grades["75"] > 0
    exits = {r["personnummer"][-4:] + r["etablering_slutdatum"] for r in af if r["etablering_slutdatum"]}
    assert len(exits) > 20
    never_in_programme = [r for r in af if not r["etablering_startdatum"]]
    assert len(never_in_programme) > 0.1 * len(af)
    assert Counter(r["utbildningsniva"] for r in af).keys() == {"FGY_KORT", "FGY", "GY", "EGY_KORT", "EGY", "OKAND"}
    youth = [
        r
        for r in af
        if r["utbildningsniva"] in ("FGY_KORT", "FGY")
        and 16 <= (END.year - pnr.parse(r["personnummer"], END).birth_date.year) <= 24
    ]
    assert len(youth) > 20
    dx = [r for r in check_file(max(generated.out_dir.glob("dexter_isp_0581_*.csv")))[3]]
    sfi = [r for r in dx if r["skolform"] == "SFI"]
    assert {r["kurskod"] for r in sfi} == {"SFIA", "SFIB", "SFIC", "SFID"}
    assert {"Avslutad", "Avbruten", "Pågående"} == {r["status"] for r in sfi}
    assert len({r["avbrottsorsak"] for r in sfi if r["avbrottsorsak"]}) >= 4
    assert any(float(r["franvaro_procent"].replace(",", ".")) >= 20 for r in sfi if r["franvaro_procent"])
    assert any(r["betyg"] == "F" for r in sfi)
    assert {"GRUNDVUX", "GYMNVUX"} <= {r["skolform"] for r in dx}
    assert any(r["finansiering"] == "ETABLERING" and r["skolform"] != "SFI" for r in dx)


def test_exports_supersede_each_other(generated):
    """A later export shows Avslutad/Avbruten where an earlier one showed
    Pågående, and some enrolments drop out of later exports."""
    out = generated.out_dir
    exports = sorted(out.glob("dexter_isp_0581_*.csv"))
    states = [{r["deltagande_id"]: r["status"] for r in check_file(p)[3]} for p in exports]
    finished = dropped = 0
    for early, late in zip(states, states[1:], strict=False):
        finished += sum(1 for d, s in early.items() if s == "Pågående" and late.get(d) in ("Avslutad", "Avbruten"))
        dropped += sum(1 for d in early if d not in late)
    assert finished > 20 and dropped > 0


def _peak(tmp: Path, persons: int) -> int:
    tracemalloc.start()
    try:
        generate(tmp, persons=persons, months=12, seed=5, progress=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat(tmp_path):
    generate(tmp_path / "warm-up", persons=5, months=2, progress=False)  # imports are not the generator's memory
    small = _peak(tmp_path / "small", 200)
    large = _peak(tmp_path / "large", 2000)
    assert large < 3 * small, (small, large)
