-- etab_programme_90d: the denominator of etab_work_studies_90d minus its
-- numerator; numerator: of them, group PROGRAMME in month(X + 90 days).

{{ etab_exit_follow_up_indicator(
    'etab_programme_90d',
    population_condition='followed.follow_up_group not in ' ~ work_or_studies_groups(),
    numerator_condition="followed.follow_up_group = 'PROGRAMME'"
) }}
