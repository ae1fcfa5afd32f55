-- The indicator catalogue (published as published.indicator).

select
    indicator_id::text as indicator_id,
    title_sv::text as title_sv,
    title_en::text as title_en,
    unit::text as unit,
    case unit
        when 'percent' then 'procent'
        when 'mean' then 'medelvärde'
        when 'count' then 'antal'
    end::text as unit_sv,
    period_types::text as period_types,
    source::text as source,
    kolada_kpi::text as kolada_kpi,
    kolada_relation::text as kolada_relation,
    description_sv::text as description_sv

from {{ ref('indicator_catalogue') }}
