-- All indicator rows with value, disclosure control and targets
-- (published as published.indicator_value).

{{- check_indicator_layer() }}
{%- set indicators = indicator_models() %}

with

unioned as (

    {% for indicator in indicators -%}
        select
            indicator_id,
            area_code,
            period,
            breakdown,
            breakdown_value,
            gender,
            numerator,
            denominator

        from {{ ref(indicator) }}
        {% if not loop.last %}
            union all

        {% endif -%}
    {%- endfor %}

),

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

targets as (

    select * from {{ ref('indicator_targets') }}

),

with_unit as (

    select
        unioned.*,
        catalogue.unit,
        -- a count of places or tracks counts no person: never suppressed
        catalogue.is_person_based

    from unioned
    inner join catalogue
        on unioned.indicator_id = catalogue.indicator_id

),

primary_suppressed as (

    select
        with_unit.*,
        coalesce(
            with_unit.is_person_based
            and (
                (with_unit.unit in ('percent', 'mean') and with_unit.denominator < 5)
                or (with_unit.unit = 'count' and with_unit.numerator between 1 and 4)
            ),
            false
        ) as is_primary_suppressed

    from with_unit

),

gender_pairs as (

    select
        primary_suppressed.*,
        count(*) filter (where primary_suppressed.gender = 'K') over cell as k_rows,
        count(*) filter (where primary_suppressed.gender = 'M') over cell as m_rows,
        count(*) filter (
            where primary_suppressed.gender in ('K', 'M') and primary_suppressed.is_primary_suppressed
        ) over cell as km_suppressed_rows

    from primary_suppressed
    window cell as (
        partition by
            primary_suppressed.indicator_id,
            primary_suppressed.area_code,
            primary_suppressed.period,
            primary_suppressed.breakdown,
            primary_suppressed.breakdown_value
    )

),

suppressed as (

    select
        gender_pairs.*,
        (
            gender_pairs.is_primary_suppressed
            or (
                gender_pairs.gender in ('K', 'M')
                and gender_pairs.k_rows = 1
                and gender_pairs.m_rows = 1
                and gender_pairs.km_suppressed_rows = 1
            )
        ) as is_suppressed

    from gender_pairs

),

valued as (

    select
        suppressed.*,
        case
            when suppressed.unit = 'percent'
                then round(100 * suppressed.numerator / nullif(suppressed.denominator, 0), 1)
            when suppressed.unit = 'mean'
                then round(suppressed.numerator / nullif(suppressed.denominator, 0), 1)
            else suppressed.numerator
        end as computed_value

    from suppressed

),

final as (

    select
        valued.indicator_id::text as indicator_id,
        valued.area_code::text as area_code,
        valued.period::text as period,
        valued.breakdown::text as breakdown,
        valued.breakdown_value::text as breakdown_value,
        valued.gender::text as gender,
        (case when not valued.is_suppressed then valued.numerator end)::numeric as numerator,
        (case when not valued.is_suppressed then valued.denominator end)::numeric as denominator,
        (case when not valued.is_suppressed then valued.computed_value end)::numeric as value,
        valued.is_suppressed::boolean as is_suppressed,
        (
            case
                -- a count target (places, tracks) is the area's total, not a track's
                when valued.unit = 'count' and valued.breakdown <> 'total' then null
                else coalesce(area_target.target_value, default_target.target_value)
            end
        )::numeric as target_value

    from valued
    left join targets as area_target
        on
            valued.indicator_id = area_target.indicator_id
            and valued.area_code = area_target.area_code
    left join targets as default_target
        on
            valued.indicator_id = default_target.indicator_id
            and default_target.area_code = '*'

)

select * from final
