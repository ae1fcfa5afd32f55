{{ config(materialized='table', post_hook='analyze {{ this }}') }}

-- A table: fct_establishment and the tests read it.
-- Establishment spell per area and person: start S, exit X (may be empty)
-- and planned end from the person's latest row (latest snapshot of the
-- area) that has an etablering_startdatum.

with

int_af_status_grouped as (

    select * from {{ ref('int_af_status_grouped') }}

),

latest_months as (

    -- int_af_status_grouped has one row per area, person and month, so the
    -- latest row is the one of the latest month (found without sorting)
    select
        area_code,
        person_id,
        max(status_month) as status_month

    from int_af_status_grouped
    where etablering_startdatum is not null
    group by area_code, person_id

),

latest as (

    select af_rows.*

    from int_af_status_grouped as af_rows
    inner join latest_months
        on
            af_rows.area_code = latest_months.area_code
            and af_rows.person_id = latest_months.person_id
            and af_rows.status_month = latest_months.status_month
    where af_rows.etablering_startdatum is not null

),

spells as (

    select
        area_code,
        person_id,
        status_month as source_status_month,
        etablering_startdatum as etab_start_date,
        etablering_slutdatum as etab_exit_date,
        etablering_planerat_slutdatum as etab_planned_end_date

    from latest

)

select * from spells
