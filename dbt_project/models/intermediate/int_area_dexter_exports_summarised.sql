{{ config(materialized='table', post_hook='analyze {{ this }}') }}

-- Loaded Dexter exports of an area (of any member municipality).

with

int_dexter_exports_unioned as (

    select * from {{ ref('int_dexter_exports_unioned') }}

),

int_areas_unioned as (

    select * from {{ ref('int_areas_unioned') }}

),

summarised as (

    select
        areas.area_code,
        count(*) as export_count,
        min(exports.export_date) as first_export_date,
        max(exports.export_date) as latest_export_date

    from int_dexter_exports_unioned as exports
    inner join int_areas_unioned as areas
        on exports.kommunkod = areas.kommunkod
    group by areas.area_code

)

select * from summarised
