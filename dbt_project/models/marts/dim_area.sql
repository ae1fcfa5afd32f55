-- Areas: municipalities and agreement areas, with their members and the
-- extent of loaded data.

with

int_area_dexter_exports_summarised as (

    select * from {{ ref('int_area_dexter_exports_summarised') }}

),

areas as (

    select
        area_code,
        min(area_type) as area_type,
        min(area_name) as area_name,
        string_agg(kommunkod, ',' order by kommunkod) as member_kommunkoder,
        count(*) as member_count

    from {{ ref('int_areas_unioned') }}
    group by area_code

),

months as (

    select
        area_code,
        count(*) as reporting_month_count,
        min(report_month) as first_reporting_month,
        max(report_month) as last_reporting_month

    from {{ ref('int_area_months_listed') }}
    group by area_code

),

final as (

    select
        areas.area_code,
        areas.area_type,
        areas.area_name,
        areas.member_kommunkoder,
        areas.member_count,
        coalesce(months.reporting_month_count, 0) as reporting_month_count,
        months.first_reporting_month,
        months.last_reporting_month,
        exports.latest_export_date as latest_dexter_export_date

    from areas
    left join months
        on areas.area_code = months.area_code
    left join int_area_dexter_exports_summarised as exports
        on areas.area_code = exports.area_code

)

select * from final
