{#- D + n months, keeping the day of month, clamped to the last day of the
    target month (PostgreSQL interval arithmetic does exactly that:
    2024-08-31 - 6 months = 2024-02-29). -#}
{% macro add_months(date_expr, months) -%}
    (({{ date_expr }}) + interval '{{ months }} months')::date
{%- endmacro %}

{#- Last day of the month of a date. -#}
{% macro month_end(date_expr) -%}
    (date_trunc('month', {{ date_expr }}) + interval '1 month' - interval '1 day')::date
{%- endmacro %}

{#- First day of the month of a date. -#}
{% macro month_start(date_expr) -%}
    date_trunc('month', {{ date_expr }})::date
{%- endmacro %}

{#- Whole years since birth on a day. -#}
{% macro age_years(birth_date, on_day) -%}
    extract(year from age({{ on_day }}, {{ birth_date }}))::integer
{%- endmacro %}

{#- Age group on a day: 0-15, 16-24, 25-64, 65+. -#}
{% macro age_group(birth_date, on_day) -%}
    case
        when {{ birth_date }} is null then null
        when {{ age_years(birth_date, on_day) }} < 16 then '0-15'
        when {{ age_years(birth_date, on_day) }} < 25 then '16-24'
        when {{ age_years(birth_date, on_day) }} < 65 then '25-64'
        else '65+'
    end
{%- endmacro %}

{#- Newly arrived on day D: D < residence-permit date + 36 months. -#}
{% macro is_newly_arrived(permit_date, on_day) -%}
    coalesce({{ on_day }} < {{ add_months(permit_date, 36) }}, false)
{%- endmacro %}

{#- In establishment on day D: S <= D and (X empty or X >= D). -#}
{% macro in_establishment_on(spell, on_day) -%}
    coalesce(
        {{ spell }}.etab_start_date <= {{ on_day }}
        and ({{ spell }}.etab_exit_date is null or {{ spell }}.etab_exit_date >= {{ on_day }}),
        false
    )
{%- endmacro %}

{#- In establishment during M: S <= end(M) and (X empty or X >= first day of M). -#}
{% macro in_establishment_during(spell, month_first_day, month_last_day) -%}
    coalesce(
        {{ spell }}.etab_start_date <= {{ month_last_day }}
        and ({{ spell }}.etab_exit_date is null or {{ spell }}.etab_exit_date >= {{ month_first_day }}),
        false
    )
{%- endmacro %}

{#- Enrolment active on day D: startdatum <= D and (slutdatum empty or >= D). -#}
{% macro enrolment_active_on(enrolment, on_day) -%}
    coalesce(
        {{ enrolment }}.startdatum <= {{ on_day }}
        and ({{ enrolment }}.slutdatum is null or {{ enrolment }}.slutdatum >= {{ on_day }}),
        false
    )
{%- endmacro %}

{#- Status groups that count as "in work or studies". -#}
{% macro work_or_studies_groups() -%}
    ('WORK', 'WORK_SUBSIDISED', 'OWN_BUSINESS', 'STUDIES')
{%- endmacro %}

{#- Status groups that count as "registered job-seeker". -#}
{% macro job_seeker_groups() -%}
    ('UNEMPLOYED', 'PROGRAMME', 'MUNICIPAL')
{%- endmacro %}
