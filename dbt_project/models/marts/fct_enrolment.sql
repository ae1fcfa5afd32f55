{{ config(indexes=[{'columns': ['person_id']}]) }}

-- Enrolment state (latest exported state of each Dexter enrolment).

select * from {{ ref('int_enrolments_classified') }}
