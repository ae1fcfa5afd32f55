{{ config(materialized='table', post_hook='analyze {{ this }}') }}

-- A table: the ranking sorts every exported row, and the enrolment state is
-- read by several models and tests.
-- Enrolment state: the latest exported state of each Dexter enrolment.
-- A later export supersedes earlier ones enrolment by enrolment
-- (kommunkod + deltagande_id); an enrolment missing from a later export
-- keeps its last exported state.

with

source as (

    select * from {{ ref('stg_dexter__enrolments') }}

),

ranked as (

    select
        source.*,
        row_number() over (
            partition by source.kommunkod, source.deltagande_id
            order by source.export_date desc, source.file_id desc, source.line_no desc
        ) as export_rank

    from source

),

renamed as (

    select
        -- ids
        kommunkod,
        deltagande_id,
        person_id,
        file_id,

        -- person
        pnr_is_temporary,
        pnr_is_samordning,
        birth_date,
        pnr_gender,

        -- enrolment
        skolform,
        kurskod,
        studievag,
        kurspaket,
        status,
        avbrottsorsak,
        betyg,
        finansiering,

        -- numerics
        franvaro_procent,
        studietakt_procent,

        -- dates
        export_date,
        startdatum,
        planerat_slutdatum,
        slutdatum,
        isp_uppdaterad

    from ranked
    where export_rank = 1

)

select * from renamed
