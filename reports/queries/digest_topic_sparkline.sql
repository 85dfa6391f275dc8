-- digest_topic_sparkline: weekly posts (Monday starts) of each topic of programme $programme_id,
-- for the twelve weeks from $spark_start to the digest week ending $week_end, all networks summed.
-- A week in which the warehouse holds no topic data at all is null (no data), not 0.
with topics as (
    select t.topic_id
    from marts.dim_topics as t
    where t.programme_id = $programme_id
),

weeks as (
    select cast(w.week as date) as week
    from range(cast($spark_start as timestamp), cast($week_end as timestamp), interval 7 day) as w(week)
),

observed as (
    select distinct cast(date_trunc('week', d.day) as date) as week
    from marts.fct_topic_daily as d
    where d.day >= $spark_start
      and d.day <= $week_end
),

weekly as (
    select
        d.topic_id,
        cast(date_trunc('week', d.day) as date) as week,
        cast(sum(d.posts) as bigint) as posts
    from marts.fct_topic_daily as d
    inner join topics
        on topics.topic_id = d.topic_id
    where d.day >= $spark_start
      and d.day <= $week_end
    group by 1, 2
)

select
    topics.topic_id,
    weeks.week,
    case when observed.week is null then null else coalesce(weekly.posts, 0) end as posts
from topics
cross join weeks
left join observed
    on observed.week = weeks.week
left join weekly
    on weekly.topic_id = topics.topic_id
    and weekly.week = weeks.week
order by topics.topic_id, weeks.week
