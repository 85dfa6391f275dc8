-- evolution_weekly: per ISO week (Monday start; only the period's days count, so the first and
-- last week may be partial) and topic in scope: posts, share of voice (over the posts of all
-- topics in scope that week) and net sentiment ((positive - negative) / posts; null without posts).
-- Every topic gets every week of the period that collection covers (0 posts when it had none).
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

weekly as (
    select
        cast(date_trunc('week', d.day) as date) as week,
        d.topic_id,
        sum(d.posts) as posts,
        sum(d.positive_posts) as positive_posts,
        sum(d.negative_posts) as negative_posts
    from marts.fct_topic_daily as d
    inner join scope
        on scope.topic_id = d.topic_id
    where d.day between $start and $end
    group by 1, 2
),

collected as (
    select
        greatest(cast($start as date), min(c.day)) as first_day,
        least(cast($end as date), max(c.day)) as last_day
    from marts.fct_collection_daily as c
    where c.has_collection
),

weeks as (
    select cast(range as date) as week
    from collected,
        range(cast(date_trunc('week', collected.first_day) as timestamp),
              cast(collected.last_day as timestamp) + interval 1 day, interval 7 day)
),

grid as (
    select
        weeks.week,
        scope.topic_id,
        scope.topic_label
    from weeks
    cross join scope
)

select
    grid.week,
    grid.topic_id,
    grid.topic_label,
    cast(coalesce(weekly.posts, 0) as bigint) as posts,
    coalesce(cast(weekly.posts as double) / nullif(sum(weekly.posts) over (partition by grid.week), 0), 0)
        as share_of_voice,
    cast(weekly.positive_posts - weekly.negative_posts as double) / nullif(weekly.posts, 0) as net_sentiment
from grid
left join weekly
    on weekly.week = grid.week
    and weekly.topic_id = grid.topic_id
order by grid.week, grid.topic_label
