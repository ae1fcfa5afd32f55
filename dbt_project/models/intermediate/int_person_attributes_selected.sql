{{ config(materialized='table', post_hook='analyze {{ this }}') }}

-- A table: dim_person and the tests read it.
-- Person attributes per area: Af attributes from the person's row in the
-- latest loaded Af snapshot of the area in which the person appears;
-- persons known only from the area's Dexter enrolments get gender and birth
-- date from the personnummer (temporary numbers: gender unknown).

with

int_af_status_grouped as (

    select * from {{ ref('int_af_status_grouped') }}

),

int_enrolments_latest_selected as (

    select * from {{ ref('int_enrolments_latest_selected') }}

),

int_areas_unioned as (

    select * from {{ ref('int_areas_unioned') }}

),

af_latest_months as (

    -- int_af_status_grouped has one row per area, person and month, so the
    -- latest row is the one of the latest month (found without sorting)
    select
        area_code,
        person_id,
        max(status_month) as status_month

    from int_af_status_grouped
    group by area_code, person_id

),

af_latest as (

    select af_rows.*

    from int_af_status_grouped as af_rows
    inner join af_latest_months
        on
            af_rows.area_code = af_latest_months.area_code
            and af_rows.person_id = af_latest_months.person_id
            and af_rows.status_month = af_latest_months.status_month

),

af_persons as (

    select
        area_code,
        person_id,
        true as has_af_data,
        false as is_temporary_number,
        kon as gender,
        birth_date,
        utbildningsniva as education_level,
        funktionsnedsattning as disability,
        uppehallstillstand_datum as residence_permit_date,
        status_month as latest_status_month

    from af_latest

),

dexter_persons as (

    select
        areas.area_code,
        enrolments.person_id,
        bool_or(enrolments.pnr_is_temporary) as is_temporary_number,
        max(case when not enrolments.pnr_is_temporary then enrolments.pnr_gender end) as gender,
        max(enrolments.birth_date) as birth_date

    from int_enrolments_latest_selected as enrolments
    inner join int_areas_unioned as areas
        on enrolments.kommunkod = areas.kommunkod
    group by areas.area_code, enrolments.person_id

),

dexter_only as (

    select
        dexter_persons.area_code,
        dexter_persons.person_id,
        false as has_af_data,
        dexter_persons.is_temporary_number,
        dexter_persons.gender,
        dexter_persons.birth_date,
        null::text as education_level,
        null::text as disability,
        null::date as residence_permit_date,
        null::date as latest_status_month

    from dexter_persons
    left join af_persons
        on
            dexter_persons.area_code = af_persons.area_code
            and dexter_persons.person_id = af_persons.person_id
    where af_persons.person_id is null

),

unioned as (

    select * from af_persons
    union all
    select * from dexter_only

)

select * from unioned
