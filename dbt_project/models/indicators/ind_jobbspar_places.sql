-- jobbspar_places: sum of platser_per_ar of catalogue tracks valid during
-- some day of the year; gender T only, for every year that holds a
-- reporting month of the area; total and per track.

with

tracks as (

    select * from {{ ref('dim_jobbspar_track') }}

),

areas as (

    select * from {{ ref('int_areas_unioned') }}

),

years as (

    select distinct
        area_code,
        period_year

    from {{ ref('int_area_months_listed') }}

),

valid_tracks as (

    select
        areas.area_code,
        years.period_year as period,
        tracks.jobbspar_id,
        tracks.platser_per_ar

    from tracks
    inner join areas
        on tracks.kommunkod = areas.kommunkod
    inner join years
        on
            areas.area_code = years.area_code
            and tracks.giltig_fran <= to_date(years.period_year || '-12-31', 'YYYY-MM-DD')
            and (
                tracks.giltig_till is null
                or tracks.giltig_till >= to_date(years.period_year || '-01-01', 'YYYY-MM-DD')
            )

),

total as (

    select
        'jobbspar_places'::text as indicator_id,
        area_code::text as area_code,
        period::text as period,
        'total'::text as breakdown,
        'total'::text as breakdown_value,
        'T'::text as gender,
        sum(platser_per_ar)::numeric as numerator,
        null::numeric as denominator

    from valid_tracks
    group by area_code, period

),

per_track as (

    select
        'jobbspar_places'::text as indicator_id,
        area_code::text as area_code,
        period::text as period,
        'jobbspar'::text as breakdown,
        jobbspar_id::text as breakdown_value,
        'T'::text as gender,
        sum(platser_per_ar)::numeric as numerator,
        null::numeric as denominator

    from valid_tracks
    group by area_code, period, jobbspar_id

),

indicator_rows as (

    select * from total
    union all
    select * from per_track

)

select * from indicator_rows
