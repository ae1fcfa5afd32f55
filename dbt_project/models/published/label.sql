-- Labels of the breakdown values (published.label): the seed's Swedish and
-- English labels, the job tracks' names from the catalogue, and, for a value
-- the seed does not know, the value itself (so every published breakdown
-- value has a label).

with

seed_labels as (

    select * from {{ ref('breakdown_labels') }}

),

tracks as (

    select * from {{ ref('dim_jobbspar_track') }}

),

published_values as (

    select distinct
        breakdown,
        breakdown_value
    from {{ ref('indicator_value') }}

),

track_labels as (

    select
        'jobbspar' as breakdown,
        tracks.jobbspar_id as breakdown_value,
        tracks.namn as label_sv,
        tracks.namn as label_en,
        null::integer as sort_order

    from tracks

),

known as (

    select
        breakdown,
        breakdown_value,
        label_sv,
        label_en,
        sort_order
    from seed_labels
    union all
    select
        breakdown,
        breakdown_value,
        label_sv,
        label_en,
        sort_order
    from track_labels

),

unknown as (

    select
        published_values.breakdown,
        published_values.breakdown_value,
        published_values.breakdown_value as label_sv,
        published_values.breakdown_value as label_en,
        null::integer as sort_order

    from published_values
    where not exists (
            select 1 from known
            where
                known.breakdown = published_values.breakdown
                and known.breakdown_value = published_values.breakdown_value
        )

),

final as (

    select
        breakdown::text as breakdown,
        breakdown_value::text as breakdown_value,
        label_sv::text as label_sv,
        label_en::text as label_en,
        sort_order::integer as sort_order

    from (
        select * from known
        union all
        select * from unknown
    ) as labels

)

select * from final
