{#
  Populations shared by several indicators; each indicator model says only
  what differs (its numerator, unit and who is counted).
#}

{#- Job-track participations started in the year (year of P), per area =
    tracks of the area's municipalities. `measures` adds numerator/denominator
    columns (empty for a count); `person_join` and `population_condition`
    restrict to persons with Af data or a known gender where needed. -#}
{% macro jobbspar_started_indicator(indicator_id, unit, measures='', person_join='left',
                                    population_condition='true', genders=['KM', 'T']) %}

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
        persons.disability{{ measures }}

    from participations
    inner join areas
        on participations.kommunkod = areas.kommunkod
    inner join years
        on
            areas.area_code = years.area_code
            and to_char(participations.participation_start_date, 'YYYY') = years.period_year
    {{ person_join }} join persons
        on
            areas.area_code = persons.area_code
            and participations.person_id = persons.person_id
    where {{ population_condition }}

),

{{ aggregate_indicator(indicator_id, unit, ['total', 'education_level', 'age_group', 'disability', 'jobbspar'], genders) }}

select * from indicator_rows

{% endmacro %}


{#- Persons with group ESTABLISHMENT in month M and aktivitetsgrad set;
    `numerator` is the per-person numerator expression. -#}
{% macro establishment_activity_indicator(indicator_id, unit, numerator) %}

with

months as (

    select * from {{ ref('int_area_months_listed') }}

),

status as (

    select * from {{ ref('fct_af_status_month') }}

),

persons as (

    select * from {{ ref('dim_person') }}

),

population as (

    select
        months.area_code,
        months.period,
        persons.gender,
        persons.education_level,
        case
            when persons.has_af_data
                then {{ age_group('persons.birth_date', 'months.month_end') }}
        end as age_group,
        persons.disability,
        {{ numerator }} as numerator_part,
        1 as denominator_part

    from months
    inner join status
        on
            months.area_code = status.area_code
            and months.report_month = status.status_month
    inner join persons
        on
            status.area_code = persons.area_code
            and status.person_id = persons.person_id
    where
        status.status_group = 'ESTABLISHMENT'
        and status.aktivitetsgrad is not null

),

{{ aggregate_indicator(indicator_id, unit, ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows

{% endmacro %}
