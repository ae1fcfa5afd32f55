{#
  The two "status 90 days after the establishment exit" indicators share one
  population: persons with exit X in the period (year and month of X) whose
  month(X + 90 days) snapshot of the area is loaded, with their status group in
  that month (no row = NONE). They differ in which of them form the population
  and the numerator.
#}
{% macro etab_exit_follow_up_indicator(indicator_id, population_condition, numerator_condition) %}

with

months as (

    select * from {{ ref('int_area_months_listed') }}

),

spells as (

    select * from {{ ref('fct_establishment') }}

),

status as (

    select * from {{ ref('fct_af_status_month') }}

),

persons as (

    select * from {{ ref('dim_person') }}

),

exits as (

    select
        spells.area_code,
        spells.person_id,
        spells.etab_exit_date,
        {{ month_start('spells.etab_exit_date + 90') }} as follow_up_month

    from spells
    where
        spells.etab_start_date is not null
        and spells.etab_exit_date is not null

),

followed as (

    select
        exits.area_code,
        exits.person_id,
        exits.etab_exit_date,
        coalesce(status.status_group, 'NONE') as follow_up_group

    from exits
    inner join months as follow_up_months
        on
            exits.area_code = follow_up_months.area_code
            and exits.follow_up_month = follow_up_months.report_month
    left join status
        on
            exits.area_code = status.area_code
            and exits.person_id = status.person_id
            and exits.follow_up_month = status.status_month

),

eligible as (

    select
        followed.area_code,
        followed.person_id,
        followed.etab_exit_date,
        case when {{ numerator_condition }} then 1 else 0 end as numerator_part

    from followed
    where {{ population_condition }}

),

periods as (

    -- a year is published when it holds a reporting month of the area
    select distinct
        months.area_code,
        months.period_year as period
    from months

    union all

    -- a month is published when it is a reporting month of the area
    select
        months.area_code,
        months.period

    from months

),

population as (

    select
        eligible.area_code,
        periods.period,
        persons.gender,
        persons.education_level,
        case
            when persons.has_af_data
                then {{ age_group('persons.birth_date', 'eligible.etab_exit_date') }}
        end as age_group,
        persons.disability,
        eligible.numerator_part,
        1 as denominator_part

    from eligible
    inner join periods
        on
            eligible.area_code = periods.area_code
            and periods.period in (
                to_char(eligible.etab_exit_date, 'YYYY'),
                to_char(eligible.etab_exit_date, 'YYYY-MM')
            )
    inner join persons
        on
            eligible.area_code = persons.area_code
            and eligible.person_id = persons.person_id

),

{{ aggregate_indicator(indicator_id, 'percent', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows

{% endmacro %}
