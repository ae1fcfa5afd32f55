-- jobbspar_women_share: denominator: participations started in the year
-- whose person has a known gender; numerator: women.  Published for T only:
-- its K and M rows would be 100 and 0 by construction.

{{ jobbspar_started_indicator(
    'jobbspar_women_share',
    'percent',
    measures=",
        case when persons.gender = 'K' then 1 else 0 end as numerator_part,
        1 as denominator_part",
    person_join='inner',
    population_condition="persons.gender in ('K', 'M')",
    genders=['T']
) }}
