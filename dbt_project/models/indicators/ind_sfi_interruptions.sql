-- sfi_interruptions: the area's own SFI enrolments with status Avbruten and
-- slutdatum in M, counted per enrolment; total and per avbrottsorsak.

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

areas as (

    select * from {{ ref('int_areas_unioned') }}

),

enrolments as (

    select * from {{ ref('fct_enrolment') }}
    where is_sfi and status = 'Avbruten'

),

persons as (

    select * from {{ ref('dim_person') }}

),

population as (

    select
        months.area_code,
        months.period,
        enrolments.avbrottsorsak,
        persons.gender

    from months
    inner join areas
        on months.area_code = areas.area_code
    inner join enrolments
        on
            areas.kommunkod = enrolments.kommunkod
            and enrolments.slutdatum between months.report_month and months.month_end
    left join persons
        on
            months.area_code = persons.area_code
            and enrolments.person_id = persons.person_id

),

{{ aggregate_indicator('sfi_interruptions', 'count', ['total', 'interruption_reason']) }}

select * from indicator_rows
