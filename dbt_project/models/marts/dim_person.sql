{{ config(indexes=[{'columns': ['area_code', 'person_id']}]) }}

-- Pseudonymous person attributes per area.

select
    area_code,
    person_id,
    has_af_data,
    is_temporary_number,
    gender,
    birth_date,
    education_level,
    disability,
    residence_permit_date,
    latest_status_month

from {{ ref('int_person_attributes_selected') }}
