-- etab_activity_level_mean: persons with group ESTABLISHMENT in month M and
-- aktivitetsgrad set; numerator: sum of aktivitetsgrad; denominator: their
-- number.

{{ establishment_activity_indicator('etab_activity_level_mean', 'mean', numerator='status.aktivitetsgrad') }}
