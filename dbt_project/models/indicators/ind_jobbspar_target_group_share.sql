-- jobbspar_target_group_share: denominator: participations started in the
-- year; numerator: the person is newly arrived on P (persons without Af
-- data in the area are not).

{{ jobbspar_started_indicator(
    'jobbspar_target_group_share',
    'percent',
    measures=",
        case
            when
                coalesce(persons.has_af_data, false)
                and " ~ is_newly_arrived('persons.residence_permit_date', 'participations.participation_start_date') ~ "
                then 1
            else 0
        end as numerator_part,
        1 as denominator_part"
) }}
