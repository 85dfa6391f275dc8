{#- Lasting shifts in each topic's daily volume, found in the data (changepoints), and the declared
    event whose window holds them, if any: a shift with no event is one no one declared. -#}
with changepoints as (
    select * from {{ ref('int_topic_changepoints_detected') }}
),

events as (
    select event_id, topic_id, start_date, end_date from {{ ref('stg_events__events') }}
),

matched as (
    select
        changepoints.topic_id,
        cast(changepoints.day as date) as day,
        min(events.event_id) as event_id
    from changepoints
    left join events
        on events.topic_id = changepoints.topic_id
        and cast(changepoints.day as date)
            between {{ dbt.dateadd('day', -3, 'events.start_date') }}
            and {{ dbt.dateadd('day', 3, 'events.end_date') }}
    group by changepoints.topic_id, cast(changepoints.day as date)
),

final as (
    select
        cast(changepoints.topic_id as varchar) as topic_id,
        cast(changepoints.day as date) as day,
        cast(changepoints.before_mean as double) as posts_per_day_before,
        cast(changepoints.after_mean as double) as posts_per_day_after,
        cast(changepoints.ratio as double) as ratio,
        cast(changepoints.direction as varchar) as direction,
        matched.event_id,
        matched.event_id is null as is_undeclared
    from changepoints
    inner join matched
        on matched.topic_id = changepoints.topic_id and matched.day = cast(changepoints.day as date)
)

select * from final
