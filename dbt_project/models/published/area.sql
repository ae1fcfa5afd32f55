-- The areas of the publication (published.area): every municipality and
-- agreement area with its Swedish name, type and member municipalities.

with

areas as (

    select * from {{ ref('dim_area') }}

),

final as (

    select
        areas.area_code::text as area_code,
        areas.area_name::text as area_name,
        areas.area_type::text as area_type,
        case areas.area_type
            when 'municipality' then 'Kommun'
            when 'agreement_area' then 'Överenskommelseområde'
        end::text as area_type_sv,
        string_to_array(areas.member_kommunkoder, ',')::text[] as member_kommunkoder,
        areas.member_count::integer as member_count

    from areas

)

select * from final
