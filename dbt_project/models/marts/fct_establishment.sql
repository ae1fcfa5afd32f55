{{ config(indexes=[{'columns': ['area_code', 'person_id']}]) }}

-- Establishment spell per area and person.

select
    area_code,
    person_id,
    source_status_month,
    etab_start_date,
    etab_exit_date,
    etab_planned_end_date

from {{ ref('int_establishment_spells_selected') }}
