-- Loaded Dexter exports per municipality: from the enrolment rows and from
-- the file ledger (an export may be loaded and hold no enrolment).

with

enrolment_exports as (

    select distinct
        kommunkod,
        export_date

    from {{ ref('stg_dexter__enrolments') }}

),

ledger_exports as (

    select
        kommunkod,
        file_date as export_date

    from {{ ref('stg_meta__file_ledger') }}
    where
        source = 'dexter'
        and is_loaded
        and kommunkod is not null
        and file_date is not null

),

unioned as (

    select
        kommunkod,
        export_date
    from enrolment_exports

    union

    select
        kommunkod,
        export_date
    from ledger_exports

)

select * from unioned
