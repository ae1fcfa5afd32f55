{{ config(indexes=[{'columns': ['area_code', 'status_month']}, {'columns': ['area_code', 'person_id', 'status_month']}]) }}

-- One row per area, person and reporting month in which the person has a
-- row in the area's Af snapshot, with the person's status group.

select
    -- ids
    area_code,
    person_id,
    status_month,
    kommunkod,

    -- status
    sokandekategori,
    avaktualiseringsorsak,
    status_group,
    coalesce(status_group in ('WORK', 'WORK_SUBSIDISED', 'OWN_BUSINESS', 'STUDIES'), false)
        as is_in_work_or_studies,
    coalesce(status_group in ('UNEMPLOYED', 'PROGRAMME', 'MUNICIPAL'), false)
        as is_registered_job_seeker,

    -- numerics
    aktivitetsgrad,

    -- dates
    month_end,
    avaktualiseringsdatum

from {{ ref('int_af_status_grouped') }}
