{#- Primary-key test for composite keys (dbt_utils-free). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows

from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}

{#- Not-null on several columns at once. -#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} is null{% if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
