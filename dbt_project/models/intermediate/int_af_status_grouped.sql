{{ config(
    materialized='table',
    indexes=[{'columns': ['area_code', 'person_id', 'status_month']}],
    post_hook='analyze {{ this }}',
) }}

-- Status group of a person per area and month. For an agreement area a
-- person may appear in two member municipalities' snapshots of the same
-- month: the row still registered (no avaktualiseringsdatum) wins, then
-- the latest inskrivningsdatum, then the lowest kommunkod.

with

status as (

    select * from {{ ref('int_af_status_latest_selected') }}

),

areas as (

    select * from {{ ref('int_areas_unioned') }}

),

mapping as (

    select * from {{ ref('status_group_mapping') }}

),

area_rows as (

    select
        areas.area_code,
        status.*,
        -- partitioned by month before person: the sort leaves the table
        -- in (area, month) order, which the indicators read it by
        row_number() over (
            partition by areas.area_code, status.status_month, status.person_id
            order by
                (status.avaktualiseringsdatum is null) desc,
                status.inskrivningsdatum desc,
                status.kommunkod asc,
                status.line_no asc
        ) as row_rank

    from status
    inner join areas
        on status.kommunkod = areas.kommunkod

),

grouped as (

    select
        -- ids
        area_rows.area_code,
        area_rows.person_id,
        area_rows.status_month,
        area_rows.kommunkod,

        -- status
        area_rows.sokandekategori,
        area_rows.avaktualiseringsorsak,
        case
            when area_rows.avaktualiseringsdatum is not null
                then coalesce(reason_map.status_group, 'OTHER')
            else coalesce(category_map.status_group, 'OTHER')
        end as status_group,

        -- person
        area_rows.kon,
        area_rows.birth_date,
        area_rows.utbildningsniva,
        area_rows.funktionsnedsattning,

        -- numerics
        area_rows.aktivitetsgrad,

        -- dates
        (area_rows.status_month + interval '1 month' - interval '1 day')::date as month_end,
        area_rows.inskrivningsdatum,
        area_rows.avaktualiseringsdatum,
        area_rows.uppehallstillstand_datum,
        area_rows.etablering_startdatum,
        area_rows.etablering_planerat_slutdatum,
        area_rows.etablering_slutdatum

    from area_rows
    left join mapping as category_map
        on
            category_map.code_type = 'sokandekategori'
            and area_rows.sokandekategori = category_map.code
    left join mapping as reason_map
        on
            reason_map.code_type = 'avaktualiseringsorsak'
            and area_rows.avaktualiseringsorsak = reason_map.code
    where area_rows.row_rank = 1

)

select * from grouped
