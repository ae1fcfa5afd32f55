"""Suite `indicators`: the built indicator table, checked before publication."""

from __future__ import annotations

import great_expectations.expectations as gxe

from dua.quality.validation import BLOCKING, WARNING, Check
from dua.warehouse.catalogue import catalogue, indicator_ids

TABLE = "indicators.indicator_value"
KEY = ["indicator_id", "area_code", "period", "breakdown", "breakdown_value", "gender"]


def _never_suppressed() -> str:
    """The indicators that count no person (places, tracks), as an SQL list:
    the catalogue seed's ``is_person_based``."""
    ids = [r["indicator_id"] for r in catalogue() if r["is_person_based"].strip().lower() == "false"]
    return "(" + ", ".join("'" + i.replace("'", "''") + "'" for i in ids or [""]) + ")"


def checks() -> list[Check]:
    t = TABLE
    never_suppressed = _never_suppressed()
    return [
        # checks across rows are one GROUP BY each: the table has millions of
        # rows at national scale, where GX's compound-unique check and self-joins
        # took minutes
        Check("indicator_keys_unique", t, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=f"select {', '.join(KEY)}, count(*) as n from {{batch}} "
                                  f"group by {', '.join(KEY)} having count(*) > 1",
            description="one row per indicator, area, period, breakdown and gender")),
        *[Check(f"indicator_{c}_present", t, gxe.ExpectColumnValuesToNotBeNull(column=c))
          for c in ("indicator_id", "area_code", "period", "breakdown", "breakdown_value", "gender",
                    "is_suppressed")],
        Check("indicator_gender_codes", t, gxe.ExpectColumnValuesToBeInSet(column="gender",
                                                                           value_set=["K", "M", "T"])),
        Check("indicator_breakdown_codes", t, gxe.ExpectColumnValuesToBeInSet(
            column="breakdown", value_set=["total", "education_level", "age_group", "disability", "jobbspar",
                                           "interruption_reason", "signal"])),
        Check("indicator_in_catalogue", t, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select distinct v.indicator_id from {batch} v "
                                  "left join indicators.indicator i using (indicator_id) "
                                  "where i.indicator_id is null",
            description="every published indicator is described in the catalogue")),
        Check("indicator_share_within_0_100", t, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select v.indicator_id, v.area_code, v.period, v.gender, v.value from {batch} v "
                                  "join indicators.indicator i using (indicator_id) "
                                  "where i.unit = 'percent' and (v.value < 0 or v.value > 100)",
            description="shares lie within 0–100")),
        Check("indicator_numerator_within_denominator", t, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select v.indicator_id, v.area_code, v.period, v.gender from {batch} v "
                                  "join indicators.indicator i using (indicator_id) "
                                  "where i.unit = 'percent' and v.numerator > v.denominator",
            description="numerator ≤ denominator")),
        Check("indicator_no_negative_numbers", t, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select indicator_id, area_code, period, gender from {batch} "
                                  "where numerator < 0 or denominator < 0 or value < 0")),
        Check("indicator_women_plus_men_within_total", t, gxe.UnexpectedRowsExpectation(
            # cells where K, M and T are all there and published; a sum is
            # compared only when both K and M have the number
            unexpected_rows_query="""
                select indicator_id, area_code, period, breakdown, breakdown_value
                from {batch}
                group by indicator_id, area_code, period, breakdown, breakdown_value
                having count(*) filter (where gender = 'K') = 1 and count(*) filter (where gender = 'M') = 1
                   and count(*) filter (where gender = 'T') = 1 and not bool_or(is_suppressed)
                   and ((count(numerator) filter (where gender in ('K', 'M')) = 2
                         and sum(numerator) filter (where gender in ('K', 'M'))
                             > max(numerator) filter (where gender = 'T'))
                        or (count(denominator) filter (where gender in ('K', 'M')) = 2
                            and sum(denominator) filter (where gender in ('K', 'M'))
                                > max(denominator) filter (where gender = 'T')))""",
            description="K + M ≤ T for numerator and denominator")),
        Check("indicator_suppressed_cells_empty", t, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select indicator_id, area_code, period, gender from {batch} "
                                  "where is_suppressed and (value is not null or numerator is not null "
                                  "or denominator is not null)",
            description="suppressed cells carry no numbers")),
        Check("indicator_small_cells_suppressed", t, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=f"""
                select v.indicator_id, v.area_code, v.period, v.gender from {{batch}} v
                join indicators.indicator i using (indicator_id)
                where not v.is_suppressed and v.indicator_id not in {never_suppressed}
                  and ((i.unit in ('percent', 'mean') and v.denominator < 5)
                       or (i.unit = 'count' and v.numerator between 1 and 4))""",
            description="disclosure control: no published percent or mean with denominator < 5, no count 1–4")),
        Check("indicator_present_every_reporting_month", t, gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="""
                with months as (select distinct kommunkod as area_code, status_month,
                                       to_char(status_month, 'YYYY-MM') as period
                                from raw.af_status),
                last_month as (select area_code, max(status_month) as last_month from months group by 1),
                last_export as (select kommunkod as area_code, max(export_date) as export_date
                                from raw.dexter_enrolment group by 1),
                present as (select distinct indicator_id, area_code, period from {batch}
                            where length(period) = 7),
                monthly as (select distinct indicator_id, area_code from present)
                select monthly.indicator_id, monthly.area_code, months.period
                from monthly join months using (area_code) join last_month using (area_code)
                join indicators.indicator i on i.indicator_id = monthly.indicator_id
                left join last_export using (area_code)
                left join present p on p.indicator_id = monthly.indicator_id
                                   and p.area_code = monthly.area_code and p.period = months.period
                where p.indicator_id is null
                  -- a 90-day follow-up not fully due: the month's last day + 90 days is not loaded yet
                  and not (monthly.indicator_id like '%\\_90d'
                           and date_trunc('month', months.status_month + interval '1 month' + interval '89 days')
                               > last_month.last_month)
                  -- a Dexter-based month after the area's latest Dexter export
                  and not (i.source like '%dexter%'
                           and (last_export.export_date is null
                                or months.status_month > date_trunc('month', last_export.export_date)))""",
            description="each monthly indicator of an area has rows for every reporting month, except "
                        "follow-ups not yet due and months after the latest Dexter export "
                        "(an empty population is a legitimate gap)"), WARNING),
        Check("indicator_catalogue_complete", "indicators.indicator",
              gxe.ExpectTableRowCountToEqual(value=len(indicator_ids())),
              BLOCKING, "the catalogue holds every indicator of the catalogue seed"),
    ]
