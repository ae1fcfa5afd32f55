-- Af monthly status rows of the latest delivery. raw.af_status holds one snapshot per
-- (kommunkod, status_month); should a replaced delivery still be present,
-- only the latest loaded file of the month is kept (corrected delivery).

with

source as (

    select * from {{ ref('stg_af__status') }}

),

latest_file as (

    select
        source.*,
        max(source.file_id) over (
            partition by source.kommunkod, source.status_month
        ) as latest_file_id

    from source

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

    from latest_file
    where file_id = latest_file_id

)

select * from renamed
