-- Areas and their member municipalities: every municipality (the SCB list
-- plus any kommunkod seen in the data) is an area of its own; every
-- agreement area groups several municipalities.

with

municipalities as (

    select kommunkod from {{ ref('scb_municipalities') }}
    union
    select kommunkod from {{ ref('stg_af__snapshots') }}
    union
    select kommunkod from {{ ref('stg_dexter__exports') }}
    union
    select kommunkod from {{ ref('stg_catalogue__jobbspar') }}

),

municipality_areas as (

    select
        municipalities.kommunkod as area_code,
        'municipality' as area_type,
        coalesce(names.kommun_namn, municipalities.kommunkod) as area_name,
        municipalities.kommunkod

    from municipalities
    left join {{ ref('scb_municipalities') }} as names
        on municipalities.kommunkod = names.kommunkod

),

agreement_areas as (

    select
        agreement.area_code,
        'agreement_area' as area_type,
        agreement.area_name,
        agreement.kommunkod

    from {{ ref('agreement_areas') }} as agreement

),

unioned as (

    select area_code, area_type, area_name, kommunkod from municipality_areas
    union all
    select area_code, area_type, area_name, kommunkod from agreement_areas

)

select * from unioned
