-- jobbspar_work_studies_90d: denominator: participations with end E in the
-- year whose month(E + 90 days) snapshot is loaded; numerator: of them, in
-- work or studies in any loaded month from month(E) to month(E + 90 days),
-- or with a Komvux enrolment outside every track package starting in
-- (E, E + 90 days].

with

participations as (

    select * from {{ ref('fct_jobbspar_participation') }}
    where participation_end_date is not null

),

areas as (

    select * from {{ ref('int_areas_unioned') }}

),

months as (

    select * from {{ ref('int_area_months_listed') }}

),

years as (

    select distinct
        area_code,
        period_year

    from months

),

status as (

    select * from {{ ref('fct_af_status_month') }}

),

tracks as (

    select * from {{ ref('dim_jobbspar_track') }}

),

enrolments as (

    select * from {{ ref('fct_enrolment') }}
    where is_komvux

),

persons as (

    select * from {{ ref('dim_person') }}

),

ended as (

    select
        areas.area_code,
        years.period_year as period,
        participations.jobbspar_id,
        participations.person_id,
        participations.participation_end_date as end_date,
        {{ month_start('participations.participation_end_date') }} as end_month,
        {{ month_start('participations.participation_end_date + 90') }} as follow_up_month

    from participations
    inner join areas
        on participations.kommunkod = areas.kommunkod
    inner join years
        on
            areas.area_code = years.area_code
            and to_char(participations.participation_end_date, 'YYYY') = years.period_year
    inner join months as follow_up_months
        on
            areas.area_code = follow_up_months.area_code
            and {{ month_start('participations.participation_end_date + 90') }}
            = follow_up_months.report_month

),

population as (

    select
        ended.area_code,
        ended.period,
        ended.jobbspar_id,
        persons.gender,
        persons.education_level,
        case
            when persons.has_af_data
                then {{ age_group('persons.birth_date', 'ended.end_date') }}
        end as age_group,
        persons.disability,
        case
            when exists (
                    select 1
                    from status
                    where
                        status.area_code = ended.area_code
                        and status.person_id = ended.person_id
                        and status.status_month between ended.end_month and ended.follow_up_month
                        and status.status_group in {{ work_or_studies_groups() }}
                ) then 1
            when exists (
                    select 1
                    from enrolments
                    where
                        enrolments.person_id = ended.person_id
                        and enrolments.startdatum > ended.end_date
                        and enrolments.startdatum <= ended.end_date + 90
                        and (
                            enrolments.kurspaket is null
                            or enrolments.kurspaket not in (
                                select tracks.kurspaket from tracks
                            )
                        )
                ) then 1
            else 0
        end as numerator_part,
        1 as denominator_part

    from ended
    left join persons
        on
            ended.area_code = persons.area_code
            and ended.person_id = persons.person_id

),

{{ aggregate_indicator('jobbspar_work_studies_90d', 'percent', ['total', 'education_level', 'age_group', 'disability', 'jobbspar']) }}

select * from indicator_rows
