-- Job-track participation: a person and a track such that the person has
-- at least one enrolment whose (kommunkod, kurspaket) matches the track.
-- Start P = earliest startdatum; end E = empty if any of them is Pågående,
-- else the latest slutdatum.

with

tracks as (

    select * from {{ ref('stg_catalogue__jobbspar') }}

),

enrolments as (

    select * from {{ ref('int_enrolments_classified') }}

),

participations as (

    select
        tracks.jobbspar_id,
        enrolments.person_id,
        tracks.kommunkod,
        tracks.kurspaket,
        count(*) as enrolment_count,
        min(enrolments.startdatum) as participation_start_date,
        case
            when bool_or(enrolments.status = 'Pågående') then null
            else max(enrolments.slutdatum)
        end as participation_end_date

    from tracks
    inner join enrolments
        on
            tracks.kommunkod = enrolments.kommunkod
            and tracks.kurspaket = enrolments.kurspaket
    group by tracks.jobbspar_id, enrolments.person_id, tracks.kommunkod, tracks.kurspaket

)

select * from participations
