-- etab_full_time_share: persons with group ESTABLISHMENT in month M and
-- aktivitetsgrad set; numerator: aktivitetsgrad = 100.

{{ establishment_activity_indicator(
    'etab_full_time_share',
    'percent',
    numerator='case when status.aktivitetsgrad = 100 then 1 else 0 end'
) }}
