{{ config(materialized='table', post_hook='analyze {{ this }}') }}

-- Reporting months of an area: the months M for which an Af status file of
-- the area (of any member municipality, for an agreement area) is loaded.

with

int_af_snapshots_unioned as (

    select * from {{ ref('int_af_snapshots_unioned') }}

),

int_areas_unioned as (

    select * from {{ ref('int_areas_unioned') }}

),

area_months as (

    select distinct
        areas.area_code,
        snapshots.status_month as report_month

    from int_af_snapshots_unioned as snapshots
    inner join int_areas_unioned as areas
        on snapshots.kommunkod = areas.kommunkod

),

final as (

    select
        area_code,
        report_month,
        (report_month + interval '1 month' - interval '1 day')::date as month_end,
        to_char(report_month, 'YYYY-MM') as period,
        to_char(report_month, 'YYYY') as period_year

    from area_months

)

select * from final
