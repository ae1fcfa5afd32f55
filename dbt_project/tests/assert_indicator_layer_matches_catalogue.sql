-- Every indicator of the catalogue seed has its model ind_<indicator_id> in
-- indicator_models() (macros/indicator_layer.sql), and every listed model an
-- indicator of the catalogue. Rows returned: the ids on one side only
-- (none from an empty seed, as in a build with --empty).

with

catalogue as (

    select indicator_id from {{ ref('indicator_catalogue') }}

),

layer as (

    select substr(model_name, 5) as indicator_id
    from (
        values
        {%- for model_name in indicator_models() %}
            ('{{ model_name }}'){% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as listed (model_name)

)

select
    coalesce(catalogue.indicator_id, layer.indicator_id) as indicator_id,
    case
        when layer.indicator_id is null then 'in the catalogue, no model ind_' || catalogue.indicator_id
        else 'model ind_' || layer.indicator_id || ' not in the catalogue'
    end as problem

from catalogue
full outer join layer
    on catalogue.indicator_id = layer.indicator_id
where
    (catalogue.indicator_id is null or layer.indicator_id is null)
    and exists (select 1 from catalogue)
