"""Suite `sources`: the loaded raw layer, checked before the models are built.

Severity lives next to each check: `blocking` stops the publication,
`warning` is reported in the data-quality report.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from dua.ingest.sources import (
    AVAKT_ORSAK,
    AVBROTTSORSAK,
    DEXTER_STATUS,
    KON,
    SKOLFORM,
    UTBILDNINGSNIVA,
)
from dua.quality.validation import WARNING, Check
from dua.settings import settings

# Arbetsförmedlingen's sökandekategori list (sources.md); others map to OTHER.
KNOWN_KATEGORI = [
    "11", "14", "15", "21", "22", "23", "28", "30", "31", "32", "33", "34", "35", "36", "38", "39", "40", "41",
    "42", "43", "45", "46", "47", "48", "49", "50", "51", "54", "56", "58", "59", "67", "68", "69", "70", "71",
    "72", "73", "75", "76", "78", "79", "80", "81", "83", "86", "87", "88", "95", "96", "97", "98",
]

# A month's snapshot whose person count differs from the previous month's by
# more than this share is a truncated or wrong delivery (snapshots of fewer
# than MIN_PERSONS persons fluctuate too much to judge).
MAX_MONTHLY_CHANGE = 0.5
MIN_PERSONS = 10


def checks() -> list[Check]:
    min_link = settings().min_link_share
    af, dx, cat = "raw.af_status", "raw.dexter_enrolment", "raw.jobbspar_katalog"
    out = [
        # --- Arbetsförmedlingen -------------------------------------------------
        *[Check(f"af_{c}_present", af, gxe.ExpectColumnValuesToNotBeNull(column=c))
          for c in ("person_id", "kommunkod", "status_month", "kon", "inskrivningsdatum",
                    "uppehallstillstand_datum", "utbildningsniva", "funktionsnedsattning")],
        Check("af_kon_codes", af, gxe.ExpectColumnValuesToBeInSet(column="kon", value_set=sorted(KON))),
        Check("af_utbildningsniva_codes", af,
              gxe.ExpectColumnValuesToBeInSet(column="utbildningsniva", value_set=sorted(UTBILDNINGSNIVA))),
        Check("af_funktionsnedsattning_codes", af,
              gxe.ExpectColumnValuesToBeInSet(column="funktionsnedsattning", value_set=["J", "N"])),
        Check("af_avaktualiseringsorsak_codes", af,
              gxe.ExpectColumnValuesToBeInSet(column="avaktualiseringsorsak", value_set=sorted(AVAKT_ORSAK))),
        Check("af_sokandekategori_known", af,
              gxe.ExpectColumnValuesToBeInSet(column="sokandekategori", value_set=KNOWN_KATEGORI), WARNING,
              "unknown codes are loaded and counted as group OTHER"),
        # uniqueness by one GROUP BY (GX's compound-unique check joins the table
        # with its group counts: 16 s instead of 2 s on 2.3 M rows); the
        # offending snapshots are reported, not the pseudonyms
        Check("af_one_row_per_person_and_month", af, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="""
                select kommunkod, status_month, count(*) as persons_with_several_rows
                from (select kommunkod, status_month from {batch}
                      group by kommunkod, status_month, person_id having count(*) > 1) d
                group by 1, 2""",
            description="one row per person in each municipality's monthly snapshot")),
        Check("af_kon_matches_personnummer", af,
              gxe.ExpectColumnPairValuesToBeEqual(column_A="kon", column_B="pnr_gender"), WARNING),
        Check("af_etablering_end_after_start", af,
              gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                  column_A="etablering_slutdatum", column_B="etablering_startdatum", or_equal=True,
                  ignore_row_if="either_value_is_missing"), WARNING),
        Check("af_deregistration_has_reason", af, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select kommunkod, status_month from {batch} "
                                  "where avaktualiseringsdatum is not null and avaktualiseringsorsak is null",
            description="avaktualiseringsorsak is set when avaktualiseringsdatum is")),
        Check("af_person_count_change", af, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=f"""
                with m as (select kommunkod, status_month, count(*) as persons from {{batch}} group by 1, 2),
                p as (select kommunkod, status_month, persons,
                             lag(persons) over (partition by kommunkod order by status_month) as previous,
                             lag(status_month) over (partition by kommunkod order by status_month) as previous_month
                      from m)
                select kommunkod, to_char(status_month, 'YYYY-MM') as month, persons, previous from p
                where previous >= {MIN_PERSONS}
                  and previous_month = (status_month - interval '1 month')::date
                  and abs(persons - previous) > {MAX_MONTHLY_CHANGE} * previous""",
            description="a month's person count differs from the previous month's by more than 50 %: "
                        "a truncated or wrong delivery")),
        Check("af_reporting_months_without_gaps", af, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="""
                with m as (select distinct kommunkod, status_month from {batch}),
                b as (select kommunkod, min(status_month) as lo, max(status_month) as hi from m group by 1),
                s as (select b.kommunkod, g::date as month
                      from b cross join lateral generate_series(b.lo, b.hi, interval '1 month') as g)
                select s.kommunkod, to_char(s.month, 'YYYY-MM') as missing_month from s
                left join m on m.kommunkod = s.kommunkod and m.status_month = s.month
                where m.kommunkod is null""",
            description="every month between a municipality's first and last snapshot is loaded"), WARNING),
        # --- Dexter --------------------------------------------------------------
        *[Check(f"dexter_{c}_present", dx, gxe.ExpectColumnValuesToNotBeNull(column=c))
          for c in ("person_id", "kommunkod", "deltagande_id", "skolform", "kurskod", "startdatum",
                    "planerat_slutdatum", "status", "studietakt_procent")],
        Check("dexter_skolform_codes", dx,
              gxe.ExpectColumnValuesToBeInSet(column="skolform", value_set=sorted(SKOLFORM))),
        Check("dexter_status_codes", dx,
              gxe.ExpectColumnValuesToBeInSet(column="status", value_set=sorted(DEXTER_STATUS))),
        Check("dexter_avbrottsorsak_codes", dx,
              gxe.ExpectColumnValuesToBeInSet(column="avbrottsorsak", value_set=sorted(AVBROTTSORSAK))),
        Check("dexter_planned_end_after_start", dx, gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="planerat_slutdatum", column_B="startdatum", or_equal=True)),
        Check("dexter_end_after_start", dx, gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="slutdatum", column_B="startdatum", or_equal=True, ignore_row_if="either_value_is_missing")),
        Check("dexter_one_row_per_enrolment_and_export", dx, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="""
                select kommunkod, export_date, count(*) as enrolments_with_several_rows
                from (select kommunkod, export_date from {batch}
                      group by kommunkod, export_date, deltagande_id having count(*) > 1) d
                group by 1, 2""",
            description="one row per enrolment (deltagande_id) in each export")),
        Check("dexter_persons_link_to_af", dx, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=f"""
                with d as (select distinct kommunkod, person_id from {{batch}} where not pnr_is_temporary),
                a as (select distinct kommunkod, person_id from raw.af_status)
                select d.kommunkod, count(*) as persons, count(a.person_id) as linked
                from d left join a on a.kommunkod = d.kommunkod and a.person_id = d.person_id
                where exists (select 1 from raw.af_status x where x.kommunkod = d.kommunkod)
                group by d.kommunkod having count(a.person_id) < {min_link} * count(*)""",
            description=f"at least {min_link:.0%} of a municipality's Dexter persons link to its Af data "
                        "(DUA_MIN_LINK_SHARE)"), WARNING),
        # --- what the loaders found beyond the rows ---------------------------------
        Check("unknown_columns_without_personnummer", "meta.file_finding", gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="""
                select l.file_name, f.column_name, f.rows from {batch} f
                join meta.file_ledger l on l.file_id = f.file_id
                where f.finding = 'personnummer_in_unknown_column' and l.status = 'loaded'""",
            description="no unknown (extra) column of a loaded file holds values that look like a "
                        "personnummer: the loader stores them masked, the export should not send them"), WARNING),
        # --- Job-track catalogue ---------------------------------------------------
        Check("catalogue_one_row_per_track", cat, gxe.ExpectColumnValuesToBeUnique(column="jobbspar_id")),
        Check("catalogue_valid_to_after_from", cat, gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="giltig_till", column_B="giltig_fran", or_equal=True, ignore_row_if="either_value_is_missing")),
    ]
    return out
