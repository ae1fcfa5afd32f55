-- Af monthly status rows as loaded, every delivery (one snapshot per
-- (kommunkod, status_month); int_af_status_latest_selected keeps the latest
-- file of a month should a replaced delivery still be present).

with

source as (

    select * from {{ source('af', 'af_status') }}

),

renamed as (

    select
        -- ids
        kommunkod,
        status_month,
        person_id,
        file_id,
        line_no,

        -- person
        pnr_is_samordning,
        birth_date,
        pnr_gender,
        kon,
        utbildningsniva,
        funktionsnedsattning,

        -- status
        sokandekategori,
        avaktualiseringsorsak,

        -- numerics
        aktivitetsgrad,

        -- dates
        inskrivningsdatum,
        avaktualiseringsdatum,
        uppehallstillstand_datum,
        etablering_startdatum,
        etablering_planerat_slutdatum,
        etablering_slutdatum

    from source

)

select * from renamed
