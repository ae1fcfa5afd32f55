with

source as (

    select * from {{ source('meta', 'file_ledger') }}

),

renamed as (

    select
        -- ids
        file_id,
        file_name,
        source,
        kommunkod,
        sha256,

        -- status
        status,
        coalesce(status in ('loaded', 'superseded'), false) as is_loaded,
        reason_code,

        -- numerics
        rows_total,
        rows_loaded,
        rows_rejected,

        -- dates
        file_date,
        loaded_at

    from source

)

select * from renamed
