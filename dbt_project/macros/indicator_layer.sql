{#-
  The indicator layer: one model `ind_<indicator_id>` per indicator of the
  catalogue (seeds/indicator_catalogue.csv).

  indicator_models() lists the layer's models for `ref` when the project is
  parsed: dbt resolves a model's dependencies before any table (the seed
  included) can be read, and its `graph` is empty on a fresh parse, so the
  list cannot be derived from either at that point. It is held to both:
  - check_indicator_layer() (called by indicator_value when executed) fails
    the build when the project's ind_ models and this list differ;
  - the data test assert_indicator_layer_matches_catalogue fails when the
    catalogue seed's ids and this list differ.
-#}
{% macro indicator_models() %}
    {{ return([
        'ind_etab_work_studies_90d',
        'ind_etab_programme_90d',
        'ind_etab_exit_work_studies_month',
        'ind_etab_komvux_start_month',
        'ind_etab_komvux_share',
        'ind_etab_activity_level_mean',
        'ind_etab_full_time_share',
        'ind_outside_work_studies_month',
        'ind_outside_programme_share',
        'ind_youth_in_studies_share',
        'ind_jobbspar_participants',
        'ind_jobbspar_women_share',
        'ind_jobbspar_target_group_share',
        'ind_jobbspar_places',
        'ind_jobbspar_tracks',
        'ind_jobbspar_work_studies_90d',
        'ind_sfi_interruptions',
        'ind_sfi_low_progression_share',
        'ind_cooperation_signals',
    ]) }}
{% endmacro %}


{#- The ind_ models of the project's graph (complete when executing). -#}
{% macro graph_indicator_models() %}
    {%- set found = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name
               and node.name.startswith('ind_') -%}
            {%- do found.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found | sort) }}
{% endmacro %}


{% macro check_indicator_layer() %}
    {#- (a unit test's graph holds no nodes) -#}
    {%- if execute and graph.nodes is defined -%}
        {%- set listed = indicator_models() | sort -%}
        {%- set found = graph_indicator_models() -%}
        {%- if listed != found -%}
            {{ exceptions.raise_compiler_error(
                "macros/indicator_layer.sql: indicator_models() and the ind_ models of the project differ; "
                ~ "not listed: " ~ (found | reject('in', listed) | list) ~ ", listed but missing: "
                ~ (listed | reject('in', found) | list)) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
