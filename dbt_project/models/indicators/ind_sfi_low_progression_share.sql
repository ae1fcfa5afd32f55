-- sfi_low_progression_share: D = end(M). Denominator: persons with an SFI
-- enrolment (of the area's own enrolments) active on D whose first SFI
-- startdatum <= D - 6 months; numerator: of them, no SFI enrolment with a
-- passing grade and slutdatum in (D - 6 months, D]. Published for
-- reporting months up to (and including) the month of the area's latest
-- Dexter export.

with

int_area_months_listed as (

    select * from {{ ref('int_area_months_listed') }}

),

int_area_dexter_exports_summarised as (

    select * from {{ ref('int_area_dexter_exports_summarised') }}

),

fct_enrolment as (

    select * from {{ ref('fct_enrolment') }}

),

months as (

    select
        months.*,
        {{ add_months('months.month_end', -6) }} as six_months_before

    from int_area_months_listed as months
    inner join int_area_dexter_exports_summarised as exports
        on
            months.area_code = exports.area_code
            and months.report_month <= exports.latest_export_date

),

areas as (

    select * from {{ ref('int_areas_unioned') }}

),

area_sfi as (

    select
        areas.area_code,
        enrolments.*

    from fct_enrolment as enrolments
    inner join areas
        on enrolments.kommunkod = areas.kommunkod
    where enrolments.is_sfi

),

first_starts as (

    select
        area_code,
        person_id,
        min(startdatum) as first_sfi_start_date

    from area_sfi
    group by area_code, person_id

),

active as (

    -- one row per area, month and person with an SFI enrolment active on D,
    -- and whether one of the person's SFI enrolments of the area has a
    -- passing grade and slutdatum in (D - 6 months, D]: one pass over the
    -- enrolments of the area per month
    select
        months.area_code,
        months.period,
        months.month_end,
        months.six_months_before,
        area_sfi.person_id,
        coalesce(
            bool_or(
                area_sfi.has_passing_grade
                and area_sfi.slutdatum > months.six_months_before
                and area_sfi.slutdatum <= months.month_end
            ),
            false
        ) as has_passed

    from months
    inner join area_sfi
        on months.area_code = area_sfi.area_code
    where
        {{ enrolment_active_on('area_sfi', 'months.month_end') }}
        or (
            area_sfi.has_passing_grade
            and area_sfi.slutdatum > months.six_months_before
            and area_sfi.slutdatum <= months.month_end
        )
    group by
        months.area_code,
        months.period,
        months.month_end,
        months.six_months_before,
        area_sfi.person_id
    having bool_or({{ enrolment_active_on('area_sfi', 'months.month_end') }})

),

persons as (

    select * from {{ ref('dim_person') }}

),

population as (

    select
        active.area_code,
        active.period,
        persons.gender,
        persons.education_level,
        case
            when persons.has_af_data
                then {{ age_group('persons.birth_date', 'active.month_end') }}
        end as age_group,
        persons.disability,
        case when active.has_passed then 0 else 1 end as numerator_part,
        1 as denominator_part

    from active
    inner join first_starts
        on
            active.area_code = first_starts.area_code
            and active.person_id = first_starts.person_id
    left join persons
        on
            active.area_code = persons.area_code
            and active.person_id = persons.person_id
    where first_starts.first_sfi_start_date <= active.six_months_before

),

{{ aggregate_indicator('sfi_low_progression_share', 'percent', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows
