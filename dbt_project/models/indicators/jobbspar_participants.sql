-- jobbspar_participants: participations started in the year (year of P),
-- per area = tracks of the area's municipalities.

with

participations as (

    select * from {{ ref('fct_jobbspar_participation') }}

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

persons as (

    select * from {{ ref('dim_person') }}

),

population as (

    select
        areas.area_code,
        years.period_year as period,
        participations.jobbspar_id,
        persons.gender,
        persons.education_level,
        case
            when persons.has_af_data
                then {{ age_group('persons.birth_date', 'participations.participation_start_date') }}
        end as age_group,
        persons.disability

    from participations
    inner join areas
        on participations.kommunkod = areas.kommunkod
    inner join years
        on
            areas.area_code = years.area_code
            and to_char(participations.participation_start_date, 'YYYY') = years.period_year
    left join persons
        on
            areas.area_code = persons.area_code
            and participations.person_id = persons.person_id

),

{{ aggregate_indicator('jobbspar_participants', 'count', ['total', 'education_level', 'age_group', 'disability', 'jobbspar']) }}

select * from indicator_rows
