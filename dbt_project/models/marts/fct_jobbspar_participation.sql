-- Job-track participations (person × track).

select
    jobbspar_id,
    person_id,
    kommunkod,
    kurspaket,
    enrolment_count,
    participation_start_date,
    participation_end_date

from {{ ref('int_jobbspar_participations_built') }}
