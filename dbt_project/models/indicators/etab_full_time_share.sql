-- etab_full_time_share: persons with group ESTABLISHMENT in month M and
-- aktivitetsgrad set; numerator: aktivitetsgrad = 100.

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
        case when status.aktivitetsgrad = 100 then 1 else 0 end as numerator_part,
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

{{ aggregate_indicator('etab_full_time_share', 'percent', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows
