-- etab_komvux_start_month: persons with a Komvux enrolment whose startdatum
-- is in M and who are in establishment on that startdatum. Dexter data
-- links to Af data by the person only (any municipality's enrolments);
-- published for reporting months of areas with a loaded Dexter export.

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

starters as (

    select distinct
        months.area_code,
        months.period,
        months.month_end,
        spells.person_id

    from months
    inner join spells
        on months.area_code = spells.area_code
    inner join enrolments
        on
            spells.person_id = enrolments.person_id
            and enrolments.startdatum between months.report_month and months.month_end
            and {{ in_establishment_on('spells', 'enrolments.startdatum') }}

),

population as (

    select
        starters.area_code,
        starters.period,
        persons.gender,
        persons.education_level,
        case
            when persons.has_af_data
                then {{ age_group('persons.birth_date', 'starters.month_end') }}
        end as age_group,
        persons.disability

    from starters
    inner join persons
        on
            starters.area_code = persons.area_code
            and starters.person_id = persons.person_id

),

{{ aggregate_indicator('etab_komvux_start_month', 'count', ['total', 'education_level', 'age_group', 'disability']) }}

select * from indicator_rows
