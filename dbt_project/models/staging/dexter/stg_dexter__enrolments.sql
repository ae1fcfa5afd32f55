-- Dexter enrolment rows as loaded: one row per enrolment and export
-- (int_enrolments_latest_selected keeps each enrolment's latest state).

with

source as (

    select * from {{ source('dexter', 'dexter_enrolment') }}

),

renamed as (

    select
        -- ids
        kommunkod,
        deltagande_id,
        person_id,
        file_id,
        line_no,

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

    from source

)

select * from renamed
