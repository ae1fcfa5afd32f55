-- outside_work_studies_month: denominator: persons newly arrived on end(M),
-- not in establishment during M, registered job-seekers in month M - 1;
-- numerator: of them, in work or studies in month M. Needs M - 1 and M
-- loaded.

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

months_with_previous as (

    select
        months.area_code,
        months.period,
        months.report_month,
        months.month_end,
        previous_months.report_month as previous_month

    from months
    inner join months as previous_months
        on
            months.area_code = previous_months.area_code
            and previous_months.report_month = {{ add_months('months.report_month', -1) }}

),

job_seekers_before as (

    select
        months_with_previous.area_code,
        months_with_previous.period,
        months_with_previous.report_month,
        months_with_previous.month_end,
        previous_status.person_id

    from months_with_previous
    inner join status as previous_status
        on
            months_with_previous.area_code = previous_status.area_code
            and months_with_previous.previous_month = previous_status.status_month
    where previous_status.status_group in {{ job_seeker_groups() }}

),

population as (

    select
        job_seekers_before.area_code,
        job_seekers_before.period,
        persons.gender,
        persons.education_level,
        {{ age_group('persons.birth_date', 'job_seekers_before.month_end') }} as age_group,
        persons.disability,
        case
            when current_status.status_group in {{ work_or_studies_groups() }} then 1
            else 0
        end as numerator_part,
        1 as denominator_part

    from job_seekers_before
    inner join persons
        on
            job_seekers_before.area_code = persons.area_code
            and job_seekers_before.person_id = persons.person_id
    left join spells
        on
            job_seekers_before.area_code = spells.area_code
            and job_seekers_before.person_id = spells.person_id
    left join status as current_status
        on
            job_seekers_before.area_code = current_status.area_code
            and job_seekers_before.person_id = current_status.person_id
            and job_seekers_before.report_month = current_status.status_month
    where
        {{ is_newly_arrived('persons.residence_permit_date', 'job_seekers_before.month_end') }}
        and not {{ in_establishment_during('spells', 'job_seekers_before.report_month', 'job_seekers_before.month_end') }}

),

{{ aggregate_indicator('outside_work_studies_month', 'percent', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows
