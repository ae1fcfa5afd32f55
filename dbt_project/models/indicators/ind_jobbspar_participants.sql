-- jobbspar_participants: participations started in the year (year of P),
-- per area = tracks of the area's municipalities.

{{ jobbspar_started_indicator('jobbspar_participants', 'count') }}
