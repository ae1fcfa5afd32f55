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
  (everyone, unknown gender included) — or, with genders=['T'], for T only
  (an indicator whose K and M rows would be fixed by construction);
  empty populations produce no row.
  Emits two CTEs: population_cells and indicator_rows.

  The population is read once: one grouping set per breakdown gives its
  cells per area, period, breakdown value and the persons' own gender; the
  K and M rows are those cells, the T row the sum of a cell's genders.
  Rows whose breakdown column is NULL form no cell.
-#}
{% macro aggregate_indicator(indicator_id, unit, breakdowns, genders=['KM', 'T']) -%}
{%- set breakdown_columns = {
    'total': "'total'",
    'education_level': 'education_level',
    'age_group': 'age_group',
    'disability': 'disability',
    'jobbspar': 'jobbspar_id',
    'interruption_reason': 'avbrottsorsak',
    'signal': 'signal',
} -%}
{%- set column_breakdowns = breakdowns | reject('equalto', 'total') | list -%}
population_cells as (

    select
        population.area_code,
        population.period,
        case
            {%- for breakdown in column_breakdowns %}
            when grouping(population.{{ breakdown_columns[breakdown] }}) = 0 then '{{ breakdown }}'
            {%- endfor %}
            else 'total'
        end as breakdown,
        case
            {%- for breakdown in column_breakdowns %}
            when grouping(population.{{ breakdown_columns[breakdown] }}) = 0
                then (population.{{ breakdown_columns[breakdown] }})::text
            {%- endfor %}
            else 'total'
        end as breakdown_value,
        population.gender,
        {%- if unit == 'count' %}
        count(*) as row_count
        {%- else %}
        sum(population.numerator_part) as numerator_sum,
        sum(population.denominator_part) as denominator_sum
        {%- endif %}

    from population
    group by grouping sets (
        {%- for breakdown in breakdowns %}
        {%- if breakdown == 'total' %}
        (population.area_code, population.period, population.gender)
        {%- else %}
        (
            population.area_code,
            population.period,
            population.{{ breakdown_columns[breakdown] }},
            population.gender
        )
        {%- endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    )

),

indicator_rows as (

    {% for published in genders -%}
    select
        '{{ indicator_id }}'::text as indicator_id,
        population_cells.area_code::text as area_code,
        population_cells.period::text as period,
        population_cells.breakdown::text as breakdown,
        population_cells.breakdown_value::text as breakdown_value,
        {%- if published == 'KM' %}
        population_cells.gender::text as gender,
        {%- else %}
        'T'::text as gender,
        {%- endif %}
        {%- if unit == 'count' %}
        sum(population_cells.row_count)::numeric as numerator,
        null::numeric as denominator
        {%- else %}
        sum(population_cells.numerator_sum)::numeric as numerator,
        sum(population_cells.denominator_sum)::numeric as denominator
        {%- endif %}

    from population_cells
    where
        population_cells.breakdown_value is not null
        {%- if published == 'KM' %}
        and population_cells.gender in ('K', 'M')
        {%- endif %}
    group by
        population_cells.area_code,
        population_cells.period,
        population_cells.breakdown,
        population_cells.breakdown_value
        {%- if published == 'KM' -%}
        ,
        population_cells.gender
        {%- endif %}
    {%- if unit == 'count' %}
    having sum(population_cells.row_count) > 0
    {%- else %}
    having sum(population_cells.denominator_sum) > 0
    {%- endif %}
    {% if not loop.last %}

    union all

    {% endif -%}
    {%- endfor %}

)
{%- endmacro %}
