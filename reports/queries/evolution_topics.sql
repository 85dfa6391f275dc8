-- evolution_topics: per topic in scope, its relevant posts in the period and in the previous one
-- with their change (only when collection spans the whole previous period), its share of voice
-- (its posts over the posts of all topics in scope: the programme's topics, as in
-- fct_topic_daily.share_of_voice, or every topic when $programme is null), engagement and
-- sentiment (shares of posts; net = (positive - negative) / posts).
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label,
        t.programme_id,
        coalesce(t.programme_label, t.programme_id) as programme_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

daily as (
    select
        d.topic_id,
        d.day between $start and $end as is_current,
        d.posts,
        d.engagement,
        d.positive_posts,
        d.neutral_posts,
        d.negative_posts
    from marts.fct_topic_daily as d
    inner join scope
        on scope.topic_id = d.topic_id
    where d.day between $start and $end
       or d.day between $prev_start and $prev_end
),

covered as (
    select coalesce(min(c.day) <= $prev_start and max(c.day) >= $prev_end, false) as previous_covered
    from marts.fct_collection_daily as c
    where c.has_collection
),

per_topic as (
    select
        topic_id,
        cast(coalesce(sum(case when is_current then posts end), 0) as bigint) as posts,
        cast(sum(case when not is_current then posts end) as bigint) as posts_previous,
        cast(coalesce(sum(case when is_current then engagement end), 0) as bigint) as engagement,
        sum(case when is_current then positive_posts end) as positive_posts,
        sum(case when is_current then neutral_posts end) as neutral_posts,
        sum(case when is_current then negative_posts end) as negative_posts
    from daily
    group by topic_id
)

select
    scope.topic_id,
    scope.topic_label,
    scope.programme_id,
    scope.programme_label,
    coalesce(per_topic.posts, 0) as posts,
    case when covered.previous_covered then coalesce(per_topic.posts_previous, 0) end as posts_previous,
    case when covered.previous_covered
         then cast(per_topic.posts as double) / nullif(per_topic.posts_previous, 0) - 1 end as posts_change,
    cast(coalesce(per_topic.posts, 0) as double) / nullif(sum(per_topic.posts) over (), 0) as share_of_voice,
    coalesce(per_topic.engagement, 0) as engagement,
    cast(per_topic.positive_posts as double) / nullif(per_topic.posts, 0) as positive_share,
    cast(per_topic.neutral_posts as double) / nullif(per_topic.posts, 0) as neutral_share,
    cast(per_topic.negative_posts as double) / nullif(per_topic.posts, 0) as negative_share,
    cast(per_topic.positive_posts - per_topic.negative_posts as double) / nullif(per_topic.posts, 0)
        as net_sentiment
from scope
cross join covered
left join per_topic
    on per_topic.topic_id = scope.topic_id
order by posts desc, scope.topic_label
