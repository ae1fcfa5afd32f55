{{ config(materialized='table', post_hook='analyze {{ this }}') }}

-- A table: read by the indicator, the worklist and a test.
-- int_cooperation_signals_flagged: one row per area, reporting month, person
-- in establishment on D = end(M) and signal of the cooperation_signals
-- indicator. SFI signals use the person's SFI enrolments in any municipality
-- (Dexter links to Af by the person). Read by the indicator and by the
-- restricted worklist for joint assessments.

with

int_area_months_listed as (

    select * from {{ ref('int_area_months_listed') }}

),

int_area_dexter_exports_summarised as (

    select * from {{ ref('int_area_dexter_exports_summarised') }}

),

months as (

    select
        months.*,
        {{ add_months('months.month_end', -6) }} as six_months_before,
        {{ add_months('months.month_end', 6) }} as six_months_after

    from int_area_months_listed as months
    inner join int_area_dexter_exports_summarised as exports
        on months.area_code = exports.area_code

),

spells as (

    select * from {{ ref('int_establishment_spells_selected') }}

),

sfi as (

    select * from {{ ref('int_enrolments_classified') }}
    where is_sfi and not is_temporary_number

),

first_starts as (

    select
        person_id,
        min(startdatum) as first_sfi_start_date

    from sfi
    group by person_id

),

in_establishment as (

    select
        months.area_code,
        months.period,
        months.month_end,
        months.six_months_before,
        months.six_months_after,
        spells.person_id,
        spells.etab_planned_end_date

    from months
    inner join spells
        on
            months.area_code = spells.area_code
            and {{ in_establishment_on('spells', 'months.month_end') }}

),

planned_end as (

    select
        area_code,
        period,
        person_id,
        'planned_end_within_6m' as signal

    from in_establishment
    where
        etab_planned_end_date > month_end
        and etab_planned_end_date <= six_months_after

),

low_progression as (

    select
        in_establishment.area_code,
        in_establishment.period,
        in_establishment.person_id,
        'sfi_low_progression' as signal

    from in_establishment
    inner join first_starts
        on in_establishment.person_id = first_starts.person_id
    where
        first_starts.first_sfi_start_date <= in_establishment.six_months_before
        and exists (
            select 1
            from sfi
            where
                sfi.person_id = in_establishment.person_id
                and {{ enrolment_active_on('sfi', 'in_establishment.month_end') }}
        )
        and not exists (
            select 1
            from sfi
            where
                sfi.person_id = in_establishment.person_id
                and sfi.has_passing_grade
                and sfi.slutdatum > in_establishment.six_months_before
                and sfi.slutdatum <= in_establishment.month_end
        )

),

high_absence as (

    select
        in_establishment.area_code,
        in_establishment.period,
        in_establishment.person_id,
        'sfi_high_absence' as signal

    from in_establishment
    where exists (
            select 1
            from sfi
            where
                sfi.person_id = in_establishment.person_id
                and {{ enrolment_active_on('sfi', 'in_establishment.month_end') }}
                and sfi.franvaro_procent >= 20
        )

),

interrupted as (

    select
        in_establishment.area_code,
        in_establishment.period,
        in_establishment.person_id,
        'sfi_interrupted_30d' as signal

    from in_establishment
    where exists (
            select 1
            from sfi
            where
                sfi.person_id = in_establishment.person_id
                and sfi.status = 'Avbruten'
                and sfi.slutdatum > in_establishment.month_end - 30
                and sfi.slutdatum <= in_establishment.month_end
        )

),

signals as (

    select * from planned_end
    union all
    select * from low_progression
    union all
    select * from high_absence
    union all
    select * from interrupted

)

select * from signals
