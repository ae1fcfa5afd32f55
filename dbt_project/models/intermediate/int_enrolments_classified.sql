-- Enrolment state with the flags the indicators use.

with

enrolments as (

    select * from {{ ref('int_enrolments_latest_selected') }}

),

classified as (

    select
        -- ids
        kommunkod,
        deltagande_id,
        person_id,

        -- flags
        pnr_is_temporary as is_temporary_number,
        coalesce(skolform = 'SFI', false) as is_sfi,
        coalesce(skolform in ('GRUNDVUX', 'GYMNVUX'), false) as is_komvux,
        coalesce(betyg in ('A', 'B', 'C', 'D', 'E', 'G'), false) as has_passing_grade,

        -- enrolment
        skolform,
        kurskod,
        kurspaket,
        status,
        avbrottsorsak,
        betyg,

        -- numerics
        franvaro_procent,
        studietakt_procent,

        -- dates
        export_date,
        startdatum,
        planerat_slutdatum,
        slutdatum

    from enrolments

)

select * from classified
