-- etab_work_studies_90d: persons with exit X in the period whose
-- month(X + 90 days) snapshot is loaded; numerator: of them, in work or
-- studies in month(X + 90 days). Published per year and per month of X.

{{ etab_exit_follow_up_indicator(
    'etab_work_studies_90d',
    population_condition='true',
    numerator_condition='followed.follow_up_group in ' ~ work_or_studies_groups()
) }}
