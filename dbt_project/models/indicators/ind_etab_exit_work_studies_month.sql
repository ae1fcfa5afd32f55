-- etab_exit_work_studies_month: denominator: persons in establishment
-- during M; numerator: of them, exit X in M and in work or studies in M.

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

in_establishment as (

    select
        months.area_code,
        months.period,
        months.report_month,
        months.month_end,
        spells.person_id,
        spells.etab_exit_date

    from months
    inner join spells
        on
            months.area_code = spells.area_code
            and {{ in_establishment_during('spells', 'months.report_month', 'months.month_end') }}

),

population as (

    select
        in_establishment.area_code,
        in_establishment.period,
        persons.gender,
        persons.education_level,
        case
            when persons.has_af_data
                then {{ age_group('persons.birth_date', 'in_establishment.month_end') }}
        end as age_group,
        persons.disability,
        case
            when
                in_establishment.etab_exit_date between in_establishment.report_month
                and in_establishment.month_end
                and status.status_group in {{ work_or_studies_groups() }}
                then 1
            else 0
        end as numerator_part,
        1 as denominator_part

    from in_establishment
    inner join persons
        on
            in_establishment.area_code = persons.area_code
            and in_establishment.person_id = persons.person_id
    left join status
        on
            in_establishment.area_code = status.area_code
            and in_establishment.person_id = status.person_id
            and in_establishment.report_month = status.status_month

),

{{ aggregate_indicator('etab_exit_work_studies_month', 'percent', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows
