"""The Swedish words of the reports: what each check, reason code and status
means to a reader, so that no report shows a code or an English word alone."""

from __future__ import annotations

import re

# What each validation check verifies, in Swedish.  A check added to a suite
# without a text here fails the test that reads both.
CHECKS_SV = {
    # sources
    "af_kon_codes": "Kön i Af-filerna är K eller M.",
    "af_utbildningsniva_codes": "Utbildningsnivån i Af-filerna finns i kodlistan.",
    "af_funktionsnedsattning_codes": "Funktionsnedsättning i Af-filerna är J eller N.",
    "af_avaktualiseringsorsak_codes": "Avaktualiseringsorsaken i Af-filerna finns i kodlistan.",
    "af_sokandekategori_known": "Sökandekategorin finns i Arbetsförmedlingens lista.",
    "af_one_row_per_person_and_month": "En rad per person och månad i varje kommuns Af-fil.",
    "af_kon_matches_personnummer": "Kön i Af-filen stämmer med personnumret.",
    "af_etablering_end_after_start": "Etableringens slutdatum ligger efter startdatum.",
    "af_deregistration_has_reason": "En avaktualiserad person har en avaktualiseringsorsak.",
    "af_person_count_change": "Antalet personer i en månads Af-fil skiljer sig högst 50 % från månaden före "
                              "(annars är leveransen troligen avkortad eller fel).",
    "af_reporting_months_without_gaps": "Alla månader mellan kommunens första och senaste Af-fil är inlästa.",
    "dexter_skolform_codes": "Skolformen i Dexter-exporten finns i kodlistan.",
    "dexter_status_codes": "Kursdeltagandets status i Dexter-exporten finns i kodlistan.",
    "dexter_avbrottsorsak_codes": "Avbrottsorsaken i Dexter-exporten finns i kodlistan.",
    "dexter_planned_end_after_start": "Planerat slutdatum ligger efter startdatum.",
    "dexter_end_after_start": "Slutdatum ligger efter startdatum.",
    "dexter_one_row_per_enrolment_and_export": "En rad per kursdeltagande i varje Dexter-export.",
    "dexter_persons_link_to_af": "Tillräckligt stor andel av kommunens Dexter-personer finns i Af-data "
                                 "(DUA_MIN_LINK_SHARE).",
    "catalogue_one_row_per_track": "En rad per jobbspår i katalogen.",
    "catalogue_valid_to_after_from": "Jobbspårets giltighet slutar efter att den börjar.",
    "unknown_columns_without_personnummer": "Inga personnummer i kolumner utanför källkontraktet "
                                            "(sådana värden maskeras).",
    # indicators
    "indicator_keys_unique": "En rad per indikator, område, period, nedbrytning och kön.",
    "indicator_gender_codes": "Kön är K, M eller T.",
    "indicator_breakdown_codes": "Nedbrytningen är en av de kända.",
    "indicator_in_catalogue": "Varje indikator finns i katalogen.",
    "indicator_share_within_0_100": "Andelar ligger mellan 0 och 100.",
    "indicator_numerator_within_denominator": "Täljaren är högst nämnaren.",
    "indicator_no_negative_numbers": "Inga negativa täljare eller nämnare.",
    "indicator_women_plus_men_within_total": "Kvinnor plus män är högst totalen.",
    "indicator_suppressed_cells_empty": "Skyddade celler saknar värde, täljare och nämnare.",
    "indicator_small_cells_suppressed": "Röjandekontroll: ingen publicerad andel eller medelvärde med nämnare "
                                        "under 5, inget antal mellan 1 och 4.",
    "indicator_present_every_reporting_month": "Varje månadsindikator har rader för varje rapportmånad "
                                               "(utom uppföljningar som ännu inte kan göras).",
    "indicator_catalogue_complete": "Katalogen innehåller varje indikator i katalogens seed.",
}
_PRESENT = re.compile(r"^(af|dexter|indicator)_(.+)_present$")
_SOURCE_SV = {"af": "Af-filerna", "dexter": "Dexter-exporten", "indicator": "indikatortabellen"}


def check_sv(name: str) -> str:
    """The Swedish description of a check (the name itself when unknown)."""
    if name in CHECKS_SV:
        return CHECKS_SV[name]
    m = _PRESENT.match(name)
    if m:
        return f"Fältet {m.group(2)} är ifyllt i {_SOURCE_SV[m.group(1)]}."
    return name


# Reason codes of rejected rows and files, in Swedish.
REASONS_SV = {
    "field_count": "raden har ett annat antal fält än rubrikraden",
    "missing_value": "ett obligatoriskt fält är tomt",
    "invalid_date": "inte ett datum på formen ÅÅÅÅ-MM-DD",
    "invalid_number": "inte ett tal av rätt slag",
    "invalid_code": "ett värde utanför kolumnens kodlista",
    "out_of_range": "ett tal utanför det tillåtna intervallet",
    "date_order": "datum i fel ordning",
    "pnr_format": "personnumret har inte en godtagen form",
    "pnr_date": "personnumrets datumdel är inget riktigt datum",
    "pnr_checksum": "fel kontrollsiffra i personnumret",
    "pnr_temporary": "ett tillfälligt nummer där ett riktigt personnummer krävs",
    "kommunkod_mismatch": "kommunkoden skiljer sig från den i filnamnet",
    "statusmanad_mismatch": "statusmånaden skiljer sig från månaden i filnamnet",
    "duplicate_key": "två olika rader med samma nyckel i samma fil",
    "duplicate_row": "samma rad två gånger i samma fil",
    "pnr_serial": "personnumrets födelsenummer är 000 (giltiga: 001–999)",
    "unbalanced_quote": "ett citerat fält stängs inte på sin rad (en post per rad)",
    "malformed_quote": "ett avslutande citattecken följs av något annat än ; eller radslut",
    "invalid_character": "ett NUL-tecken eller en byte som inte är ett tecken i filens teckenkodning",
    "line_too_long": "raden är längre än DUA_MAX_LINE_CHARS tecken",
    "server_rejected": "PostgreSQL tog inte emot raden",
    "row_error": "ett oväntat fel när raden kontrollerades (inläsningens fel, inte radens)",
    "malformed_header": "rubrikraden går inte att läsa (citattecken, NUL, ogiltiga byte eller för lång)",
    "unsupported_encoding": "UTF-16- eller UTF-32-text: exportera filen igen som UTF-8",
    "symlink_outside_inbox": "en symbolisk länk ut ur inkorgen: följs inte",
    "unreadable_file": "filen går inte att läsa (behörighet, eller den försvann under läsningen)",
    "copy_failed": "PostgreSQL tog inte emot fler rader som klarat alla regler än inläsningen lägger åt sidan",
    "load_error": "ett oväntat fel när filen lästes in (inläsningens fel, inte filens)",
    "missing_column": "en obligatorisk kolumn saknas i rubrikraden",
    "duplicate_column": "rubrikraden har samma kolumn två gånger",
    "too_many_rejected": "andelen avvisade rader är större än tillåtet (DUA_MAX_REJECT_SHARE)",
    "empty_file": "filen saknar rubrikrad",
    "unknown_file_name": "filnamnet följer inget av källkontrakten",
    "invalid_file_name": "filnamnets datum eller månad är inget riktigt datum",
    "unreadable_encoding": "filen är varken UTF-8 eller Windows-1252",
}


def reason_sv(code: str | None) -> str:
    if not code:
        return ""
    return REASONS_SV.get(code, code)


STATUS_SV = {"loaded": "inläst", "rejected": "avvisad", "skipped": "hoppades över", "held": "väntar på granskning",
             "superseded": "ersatt", "running": "pågår", "failed": "misslyckades", "success": "klar"}

SEVERITY_SV = {"blocking": "blockerande", "warning": "varning"}

SOURCE_SV = {"af": "Arbetsförmedlingen", "dexter": "Dexter (Komvux och sfi)", "catalogue": "Jobbspårskatalogen"}


def observed_sv(text: str | None) -> str:
    """A check's observed value in Swedish: '7 row(s): ...' → '7 rader: ...'."""
    if not text:
        return ""
    text = re.sub(r"^(\d+) row\(s\)", lambda m: f"{m.group(1)} {'rad' if m.group(1) == '1' else 'rader'}", text)
    text = re.sub(r"^(\d+) unexpected$", lambda m: f"{m.group(1)} avvikande", text)
    return {"ok": "ok", "failed": "ej godkänd", "error": "fel vid kontrollen"}.get(text, text)
