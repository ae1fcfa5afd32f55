-- Loaded Af snapshots per (kommunkod, status_month): from the status rows
-- and from the file ledger (a loaded file may hold no row).

with

row_snapshots as (

    -- the snapshots of the rows (int_af_status_latest_selected keeps the
    -- latest file of every (kommunkod, status_month) of them, so it has the
    -- same snapshots, read here without its window over every row)
    select distinct
        kommunkod,
        status_month

    from {{ ref('stg_af__status') }}

),

ledger_snapshots as (

    select
        kommunkod,
        date_trunc('month', file_date)::date as status_month

    from {{ ref('stg_meta__file_ledger') }}
    where
        source = 'af'
        and is_loaded
        and kommunkod is not null
        and file_date is not null

),

unioned as (

    select
        kommunkod,
        status_month
    from row_snapshots

    union

    select
        kommunkod,
        status_month
    from ledger_snapshots

)

select * from unioned
