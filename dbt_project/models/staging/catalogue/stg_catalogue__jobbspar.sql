-- The job-track catalogue: the delivered one. With the var
-- dua_demo_catalogue (set by `dua demo`), the demo seed demo_jobbspar_katalog
-- stands in when none has been delivered (raw.jobbspar_katalog empty); a
-- production build reads none of its rows.

{%- set demo_catalogue = var('dua_demo_catalogue') | string | lower in ('true', '1', 'yes') %}

with

delivered as (

    select
        jobbspar_id,
        kommunkod,
        namn,
        bransch,
        kurspaket,
        kurstid_veckor,
        platser_per_ar,
        forkunskaper,
        giltig_fran,
        giltig_till,
        'delivered' as catalogue_source

    from {{ source('catalogue', 'jobbspar_katalog') }}

),

demo as (

    select
        jobbspar_id,
        kommunkod,
        namn,
        bransch,
        kurspaket,
        kurstid_veckor,
        platser_per_ar,
        forkunskaper,
        giltig_fran,
        giltig_till,
        'demo' as catalogue_source

    from {{ ref('demo_jobbspar_katalog') }}
    where
        {{ 'true' if demo_catalogue else 'false' }}  -- the var dua_demo_catalogue
        and not exists (select 1 from delivered)

),

unioned as (

    select * from delivered
    union all
    select * from demo

),

renamed as (

    select
        -- ids
        jobbspar_id::text as jobbspar_id,
        kommunkod::text as kommunkod,
        kurspaket::text as kurspaket,

        -- descriptive
        namn::text as namn,
        bransch::text as bransch,
        forkunskaper::text as forkunskaper,
        catalogue_source,

        -- numerics
        kurstid_veckor::integer as kurstid_veckor,
        platser_per_ar::integer as platser_per_ar,

        -- dates
        giltig_fran::date as giltig_fran,
        giltig_till::date as giltig_till

    from unioned

)

select * from renamed
