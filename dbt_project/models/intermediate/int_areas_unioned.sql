{{ config(materialized='table', post_hook='analyze {{ this }}') }}

-- Areas and their member municipalities: every municipality (the SCB list
-- plus any kommunkod seen in the data) is an area of its own; every
-- agreement area groups several municipalities.

with

scb_municipalities as (

    select * from {{ ref('scb_municipalities') }}

),

agreement_areas as (

    select * from {{ ref('agreement_areas') }}

),

af_snapshots as (

    select * from {{ ref('int_af_snapshots_unioned') }}

),

dexter_exports as (

    select * from {{ ref('int_dexter_exports_unioned') }}

),

tracks as (

    select * from {{ ref('stg_catalogue__jobbspar') }}

),

municipalities as (

    select kommunkod from scb_municipalities
    union
    select kommunkod from af_snapshots
    union
    select kommunkod from dexter_exports
    union
    select kommunkod from tracks

),

municipality_areas as (

    select
        municipalities.kommunkod as area_code,
        'municipality' as area_type,
        coalesce(municipality_names.kommun_namn, municipalities.kommunkod) as area_name,
        municipalities.kommunkod

    from municipalities
    left join scb_municipalities as municipality_names
        on municipalities.kommunkod = municipality_names.kommunkod

),

agreement_area_members as (

    select
        agreement_areas.area_code,
        'agreement_area' as area_type,
        agreement_areas.area_name,
        agreement_areas.kommunkod

    from agreement_areas

),

unioned as (

    select
        area_code,
        area_type,
        area_name,
        kommunkod
    from municipality_areas

    union all

    select
        area_code,
        area_type,
        area_name,
        kommunkod
    from agreement_area_members

)

select * from unioned
