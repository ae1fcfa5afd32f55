-- outside_programme_share: denominator: persons newly arrived on end(M), not
-- in establishment on end(M), registered job-seekers in month M; numerator:
-- of them, group PROGRAMME.

with

months as (

    select * from {{ ref('int_area_months_listed') }}

),

status as (

    select * from {{ ref('fct_af_status_month') }}

),

spells as (

    select * from {{ ref('fct_establishment') }}

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
        {{ age_group('persons.birth_date', 'months.month_end') }} as age_group,
        persons.disability,
        case when status.status_group = 'PROGRAMME' then 1 else 0 end as numerator_part,
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
    left join spells
        on
            status.area_code = spells.area_code
            and status.person_id = spells.person_id
    where
        status.status_group in {{ job_seeker_groups() }}
        and {{ is_newly_arrived('persons.residence_permit_date', 'months.month_end') }}
        and not {{ in_establishment_on('spells', 'months.month_end') }}

),

{{ aggregate_indicator('outside_programme_share', 'percent', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows
