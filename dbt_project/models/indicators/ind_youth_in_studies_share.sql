-- youth_in_studies_share: denominator: persons with a row in month M, newly
-- arrived on end(M), aged 16-24 on end(M), education level FGY_KORT or FGY;
-- numerator: of them, with a Komvux enrolment active on end(M).

with

int_area_months_listed as (

    select * from {{ ref('int_area_months_listed') }}

),

int_area_dexter_exports_summarised as (

    select * from {{ ref('int_area_dexter_exports_summarised') }}

),

months as (

    select months.*
    from int_area_months_listed as months
    inner join int_area_dexter_exports_summarised as exports
        on months.area_code = exports.area_code

),

status as (

    select * from {{ ref('fct_af_status_month') }}

),

persons as (

    select * from {{ ref('dim_person') }}

),

enrolments as (

    select * from {{ ref('fct_enrolment') }}
    where is_komvux and not is_temporary_number

),

youth as (

    select
        months.area_code,
        months.period,
        months.month_end,
        persons.person_id,
        persons.gender,
        persons.education_level,
        {{ age_group('persons.birth_date', 'months.month_end') }} as age_group,
        persons.disability

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
        {{ is_newly_arrived('persons.residence_permit_date', 'months.month_end') }}
        and {{ age_years('persons.birth_date', 'months.month_end') }} between 16 and 24
        and persons.education_level in ('FGY_KORT', 'FGY')

),

population as (

    select
        youth.area_code,
        youth.period,
        youth.gender,
        youth.education_level,
        youth.age_group,
        youth.disability,
        case
            when exists (
                    select 1
                    from enrolments
                    where
                        enrolments.person_id = youth.person_id
                        and {{ enrolment_active_on('enrolments', 'youth.month_end') }}
                ) then 1
            else 0
        end as numerator_part,
        1 as denominator_part

    from youth

),

{{ aggregate_indicator('youth_in_studies_share', 'percent', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows
