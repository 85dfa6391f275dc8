-- top_topics_monthly: the $top_k topics with most posts per calendar month (Lima days),
-- with their share of that month's posts summed over all topics.
-- Ties are broken by label so the table is stable.
with monthly as (
    select
        cast(date_trunc('month', d.day) as date) as month,
        d.topic_id,
        cast(sum(d.posts) as bigint) as posts
    from marts.fct_topic_daily as d
    where ($start is null or d.day >= $start)
      and ($end is null or d.day <= $end)
    group by 1, 2
),

ranked as (
    select
        m.month,
        m.topic_id,
        coalesce(t.topic_label, m.topic_id) as topic_label,
        m.posts,
        cast(m.posts as double)
            / nullif(sum(m.posts) over (partition by m.month), 0) as share,
        row_number() over (
            partition by m.month
            order by m.posts desc, coalesce(t.topic_label, m.topic_id)
        ) as topic_rank
    from monthly as m
    left join marts.dim_topics as t
        on t.topic_id = m.topic_id
)

select
    month,
    topic_rank,
    topic_id,
    topic_label,
    posts,
    share
from ranked
where topic_rank <= $top_k
order by month, topic_rank
