-- The agreements' targets (published.target): per indicator and area
-- ('*' = every area) the target value or baseline year, how a value is
-- compared with it, the period of validity and the document it comes from.

select
    indicator_id::text as indicator_id,
    area_code::text as area_code,
    target_value::numeric as target_value,
    baseline_year::integer as baseline_year,
    comparison::text as comparison,
    case comparison
        when 'at_least' then 'minst'
        when 'at_most' then 'högst'
        when 'higher_than_baseline' then 'högre än basåret'
        when 'lower_than_baseline' then 'lägre än basåret'
    end::text as comparison_sv,
    valid_from::date as valid_from,
    valid_to::date as valid_to,
    source_document::text as source_document

from {{ ref('indicator_targets') }}
