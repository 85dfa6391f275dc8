-- evolution_totals: distinct relevant posts, their distinct authors, engagement and net sentiment,
-- and the alerts raised, for the topics in scope, in the period [$start, $end] and in the
-- previous period [$prev_start, $prev_end] (previous_covered: collection spans all of it).
-- A post relevant to two topics counts once here (fct_post_topics, which carries each post's author,
-- engagement and sentiment), while the per-topic figures (evolution_topics) count it for each topic.
with scope as (
    select t.topic_id
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

posts as (
    select distinct
        pt.post_key,
        case when pt.created_date_lima between $start and $end then 'current' else 'previous' end as period,
        pt.author_key,
        coalesce(pt.engagement, 0) as engagement,
        pt.sentiment
    from marts.fct_post_topics as pt
    inner join scope
        on scope.topic_id = pt.topic_id
    where pt.is_relevant
      and (pt.created_date_lima between $start and $end
           or pt.created_date_lima between $prev_start and $prev_end)
),

by_period as (
    select
        period,
        count(*) as posts,
        count(distinct author_key) as authors,
        sum(engagement) as engagement,
        cast(sum(case when sentiment = 'positive' then 1 when sentiment = 'negative' then -1 else 0 end) as double)
            / nullif(count(*), 0) as net_sentiment
    from posts
    group by period
),

alerts as (
    select
        case when cast(a.onset - interval 5 hour as date) between $start and $end
             then 'current' else 'previous' end as period,
        count(*) as alerts
    from marts.fct_alerts as a
    inner join scope
        on scope.topic_id = a.topic_id
    where cast(a.onset - interval 5 hour as date) between $start and $end
       or cast(a.onset - interval 5 hour as date) between $prev_start and $prev_end
    group by 1
)

select
    coalesce(max(case when b.period = 'current' then b.posts end), 0) as posts,
    max(case when b.period = 'previous' then b.posts end) as posts_previous,
    coalesce(max(case when b.period = 'current' then b.authors end), 0) as authors,
    max(case when b.period = 'previous' then b.authors end) as authors_previous,
    coalesce(cast(max(case when b.period = 'current' then b.engagement end) as bigint), 0) as engagement,
    cast(max(case when b.period = 'previous' then b.engagement end) as bigint) as engagement_previous,
    max(case when b.period = 'current' then b.net_sentiment end) as net_sentiment,
    max(case when b.period = 'previous' then b.net_sentiment end) as net_sentiment_previous,
    coalesce((select alerts from alerts where period = 'current'), 0) as alerts,
    coalesce((select alerts from alerts where period = 'previous'), 0) as alerts_previous,
    (select count(*) from scope) as topics,
    coalesce((
        select min(c.day) <= $prev_start and max(c.day) >= $prev_end
        from marts.fct_collection_daily as c
        where c.has_collection
    ), false) as previous_covered
from by_period as b
