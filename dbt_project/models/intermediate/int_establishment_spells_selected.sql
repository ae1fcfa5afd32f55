{{ config(materialized='table', post_hook='analyze {{ this }}') }}

-- A table: the ranking sorts the Af rows; fct_establishment and the tests
-- read it.
-- Establishment spell per area and person: start S, exit X (may be empty)
-- and planned end from the person's latest row (latest snapshot of the
-- area) that has an etablering_startdatum.

with

int_af_status_grouped as (

    select * from {{ ref('int_af_status_grouped') }}

),

ranked as (

    select
        af_rows.*,
        row_number() over (
            partition by af_rows.area_code, af_rows.person_id
            order by af_rows.status_month desc
        ) as spell_rank

    from int_af_status_grouped as af_rows
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

    from ranked
    where spell_rank = 1

)

select * from spells
