-- worklist: the restricted list for joint assessments (gemensamma
-- ställningstaganden). Per pseudonymous person in establishment on the last
-- day of the area's latest reporting month, the cooperation signals they
-- have. Readable by dua_case_worker only.

with

signals as (

    select * from {{ ref('int_cooperation_signals_flagged') }}

),

latest as (

    select
        area_code,
        max(report_month) as report_month

    from {{ ref('int_area_months_listed') }}
    group by area_code

),

current_signals as (

    select signals.*

    from signals
    inner join latest
        on
            signals.area_code = latest.area_code
            and signals.period = to_char(latest.report_month, 'YYYY-MM')

)

select
    -- ids
    area_code,
    person_id,
    period,
    -- flags
    bool_or(signal = 'planned_end_within_6m') as planned_end_within_6m,
    bool_or(signal = 'sfi_low_progression') as sfi_low_progression,
    bool_or(signal = 'sfi_high_absence') as sfi_high_absence,
    bool_or(signal = 'sfi_interrupted_30d') as sfi_interrupted_30d

from current_signals
group by area_code, person_id, period
