-- etab_komvux_share: denominator: persons in establishment on end(M);
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

spells as (

    select * from {{ ref('fct_establishment') }}

),

enrolments as (

    select * from {{ ref('fct_enrolment') }}
    where is_komvux and not is_temporary_number

),

persons as (

    select * from {{ ref('dim_person') }}

),

in_establishment as (

    select
        months.area_code,
        months.period,
        months.month_end,
        spells.person_id

    from months
    inner join spells
        on
            months.area_code = spells.area_code
            and {{ in_establishment_on('spells', 'months.month_end') }}

),

studying as (

    select distinct
        in_establishment.area_code,
        in_establishment.period,
        in_establishment.person_id

    from in_establishment
    inner join enrolments
        on
            in_establishment.person_id = enrolments.person_id
            and {{ enrolment_active_on('enrolments', 'in_establishment.month_end') }}

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
        case when studying.person_id is not null then 1 else 0 end as numerator_part,
        1 as denominator_part

    from in_establishment
    inner join persons
        on
            in_establishment.area_code = persons.area_code
            and in_establishment.person_id = persons.person_id
    left join studying
        on
            in_establishment.area_code = studying.area_code
            and in_establishment.period = studying.period
            and in_establishment.person_id = studying.person_id

),

{{ aggregate_indicator('etab_komvux_share', 'percent', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows
