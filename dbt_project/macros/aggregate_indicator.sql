{#-
  Aggregates a CTE named `population` into published indicator rows
  (indicator_id, area_code, period, breakdown, breakdown_value, gender,
  numerator, denominator). Expected columns of `population`:
    area_code, period, gender (K, M or null), and the breakdown columns
    used (education_level, age_group, disability, jobbspar_id,
    avbrottsorsak, signal — NULL for persons without Af data), plus
    numerator_part and denominator_part for percent and mean units.
  Counts count the rows of `population` (one row per counted unit).
  Every row is published for K and M (persons of that gender) and T
  (everyone, unknown gender included); empty populations produce no row.
  Emits two CTEs: population_gendered and indicator_rows.
-#}
{% macro aggregate_indicator(indicator_id, unit, breakdowns) -%}
{%- set breakdown_columns = {
    'total': "'total'",
    'education_level': 'education_level',
    'age_group': 'age_group',
    'disability': 'disability',
    'jobbspar': 'jobbspar_id',
    'interruption_reason': 'avbrottsorsak',
    'signal': 'signal',
} -%}
population_gendered as (

    select
        population.*,
        population.gender as published_gender

    from population
    where population.gender in ('K', 'M')

    union all

    select
        population.*,
        'T' as published_gender

    from population

),

indicator_rows as (

    {% for breakdown in breakdowns -%}
    {%- set column = breakdown_columns[breakdown] -%}
    select
        '{{ indicator_id }}'::text as indicator_id,
        population_gendered.area_code::text as area_code,
        population_gendered.period::text as period,
        '{{ breakdown }}'::text as breakdown,
        ({{ column }})::text as breakdown_value,
        population_gendered.published_gender::text as gender,
        {%- if unit == 'count' %}
        count(*)::numeric as numerator,
        null::numeric as denominator
        {%- else %}
        sum(population_gendered.numerator_part)::numeric as numerator,
        sum(population_gendered.denominator_part)::numeric as denominator
        {%- endif %}

    from population_gendered
    where ({{ column }}) is not null
    group by
        population_gendered.area_code,
        population_gendered.period,
        {%- if breakdown != 'total' %}
        ({{ column }}),
        {%- endif %}
        population_gendered.published_gender
    {%- if unit == 'count' %}
    having count(*) > 0
    {%- else %}
    having sum(population_gendered.denominator_part) > 0
    {%- endif %}
    {% if not loop.last %}

    union all

    {% endif -%}
    {%- endfor %}

)
{%- endmacro %}
