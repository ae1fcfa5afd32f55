-- cooperation_signals: persons in establishment on D = end(M) with a signal;
-- one breakdown value per signal (no total).

with

signals as (

    select * from {{ ref('int_cooperation_signals_flagged') }}

),

persons as (

    select * from {{ ref('dim_person') }}

),

population as (

    select
        signals.area_code,
        signals.period,
        signals.signal,
        persons.gender

    from signals
    inner join persons
        on
            signals.area_code = persons.area_code
            and signals.person_id = persons.person_id

),

{{ aggregate_indicator('cooperation_signals', 'count', ['signal']) }}

select * from indicator_rows
