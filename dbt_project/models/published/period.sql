-- The periods of the publication (published.period): every period of
-- indicator_value as a year or a month with its first and last day.  A year
-- is complete when the warehouse holds its December in some area's reporting
-- months; a month of indicator_value is complete by construction (it is
-- published only when it is a reporting month).  An incomplete year is
-- preliminary and is not judged against a target.

with

values_periods as (

    select distinct period from {{ ref('indicator_value') }}

),

months as (

    select distinct report_month from {{ ref('int_area_months_listed') }}

),

typed as (

    select
        period,
        case when length(period) = 4 then 'year' else 'month' end as period_type,
        case
            when length(period) = 4 then to_date(period || '-01-01', 'YYYY-MM-DD')
            else to_date(period || '-01', 'YYYY-MM-DD')
        end as first_day

    from values_periods

),

final as (

    select
        typed.period::text as period,
        typed.period_type::text as period_type,
        case typed.period_type when 'year' then 'År' else 'Månad' end::text as period_type_sv,
        typed.first_day::date as first_day,
        case
            when typed.period_type = 'year' then (typed.first_day + interval '1 year' - interval '1 day')::date
            else (typed.first_day + interval '1 month' - interval '1 day')::date
        end as last_day,
        extract(year from typed.first_day)::integer as year,
        case when typed.period_type = 'month' then extract(month from typed.first_day)::integer end as month,
        case
            when typed.period_type = 'month' then true
            else exists (
                    select 1 from months
                    where months.report_month = (typed.first_day + interval '11 months')::date
                )
        end as is_complete

    from typed

)

select * from final
