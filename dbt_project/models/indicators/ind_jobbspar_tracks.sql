-- jobbspar_tracks: tracks valid during some day of the year; breakdown
-- total and gender T only, for every year that holds a reporting month of
-- the area.

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

indicator_rows as (

    select
        'jobbspar_tracks'::text as indicator_id,
        areas.area_code::text as area_code,
        years.period_year::text as period,
        'total'::text as breakdown,
        'total'::text as breakdown_value,
        'T'::text as gender,
        count(distinct tracks.jobbspar_id)::numeric as numerator,
        null::numeric as denominator

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
    group by areas.area_code, years.period_year

)

select * from indicator_rows
