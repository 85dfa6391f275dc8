-- topic_weekly: posts per ISO week (Monday start) and topic, all networks summed.
-- Every topic gets a row for every week present in the data (0 when it had no posts),
-- so lines drop to zero instead of skipping weeks.
with daily as (
    select
        d.day,
        d.topic_id,
        d.posts
    from marts.fct_topic_daily as d
    where ($start is null or d.day >= $start)
      and ($end is null or d.day <= $end)
),

weekly as (
    select
        cast(date_trunc('week', day) as date) as week,
        topic_id,
        cast(sum(posts) as bigint) as posts
    from daily
    group by 1, 2
),

weeks as (
    select distinct week from weekly
),

topics as (
    select distinct topic_id from weekly
),

grid as (
    select
        weeks.week,
        topics.topic_id
    from weeks
    cross join topics
)

select
    g.week,
    g.topic_id,
    coalesce(t.topic_label, g.topic_id) as topic_label,
    coalesce(w.posts, 0) as posts
from grid as g
left join weekly as w
    on w.week = g.week
    and w.topic_id = g.topic_id
left join marts.dim_topics as t
    on t.topic_id = g.topic_id
order by g.week, topic_label
