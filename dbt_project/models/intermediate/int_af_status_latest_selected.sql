-- Af monthly status rows of the latest delivery. raw.af_status holds one snapshot per
-- (kommunkod, status_month); should a replaced delivery still be present,
-- only the latest loaded file of the month is kept (corrected delivery).

with

source as (

    select * from {{ ref('stg_af__status') }}

),

latest_files as (

    select
        kommunkod,
        status_month,
        max(file_id) as file_id

    from source
    group by kommunkod, status_month

),

latest as (

    select source.*

    from source
    inner join latest_files
        on
            source.kommunkod = latest_files.kommunkod
            and source.status_month = latest_files.status_month
            and source.file_id = latest_files.file_id

)

select * from latest
