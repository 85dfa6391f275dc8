-- evolution_sentiment_weekly: per ISO week of the period (Monday start; only the period's days
-- count) and sentiment (positive, neutral, negative), the posts of all topics in scope together
-- and their share of the week's posts. A post relevant to two topics counts for each
-- (fct_topic_daily); posts without a sentiment are left out of the shares.
with scope as (
    select t.topic_id
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

weekly as (
    select
        cast(date_trunc('week', d.day) as date) as week,
        sum(d.positive_posts) as positive,
        sum(d.neutral_posts) as neutral,
        sum(d.negative_posts) as negative
    from marts.fct_topic_daily as d
    inner join scope
        on scope.topic_id = d.topic_id
    where d.day between $start and $end
    group by 1
),

long as (
    select week, 'positive' as sentiment, 1 as sentiment_order, positive as posts from weekly
    union all
    select week, 'neutral', 2, neutral from weekly
    union all
    select week, 'negative', 3, negative from weekly
)

select
    week,
    sentiment,
    sentiment_order,
    cast(posts as bigint) as posts,
    cast(posts as double) / nullif(sum(posts) over (partition by week), 0) as share
from long
order by week, sentiment_order
