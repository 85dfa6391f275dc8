-- digest_topics: per topic of programme $programme_id, posts, net sentiment and share of voice
-- in the digest week ($week_start..$week_end) and the week before ($previous_start..$week_start - 1),
-- all networks summed, with the topic versions that classified the week.
-- change: relative change in posts (null when the previous week had none);
-- net_sentiment: (positive - negative) / posts, from -1 to 1; net_shift: its change, in points (x100);
-- share_of_voice: the topic's posts over the posts of all the programme's topics that week;
-- movement: |posts - posts_previous| / sqrt(posts + posts_previous + 1), the change measured
-- against the noise of a count of that size; topics are sorted by it, largest first.
with topics as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where t.programme_id = $programme_id
),

daily as (
    select
        d.topic_id,
        d.topic_version,
        d.posts,
        d.positive_posts,
        d.negative_posts,
        d.day >= $week_start as in_week
    from marts.fct_topic_daily as d
    inner join topics
        on topics.topic_id = d.topic_id
    where d.day >= $previous_start
      and d.day <= $week_end
),

weekly as (
    select
        topics.topic_id,
        topics.topic_label,
        coalesce(sum(daily.posts) filter (where daily.in_week), 0) as posts,
        coalesce(sum(daily.posts) filter (where not daily.in_week), 0) as posts_previous,
        coalesce(sum(daily.positive_posts) filter (where daily.in_week), 0) as positive,
        coalesce(sum(daily.negative_posts) filter (where daily.in_week), 0) as negative,
        coalesce(sum(daily.positive_posts) filter (where not daily.in_week), 0) as positive_previous,
        coalesce(sum(daily.negative_posts) filter (where not daily.in_week), 0) as negative_previous,
        list_sort(list(distinct daily.topic_version) filter (
            where daily.in_week and daily.topic_version is not null
        )) as topic_versions
    from topics
    left join daily
        on daily.topic_id = topics.topic_id
    group by topics.topic_id, topics.topic_label
),

measured as (
    select
        topic_id,
        topic_label,
        cast(posts as bigint) as posts,
        cast(posts_previous as bigint) as posts_previous,
        cast(posts - posts_previous as bigint) as posts_change,
        cast(posts - posts_previous as double) / nullif(posts_previous, 0) as change,
        cast(positive - negative as double) / nullif(posts, 0) as net_sentiment,
        cast(positive_previous - negative_previous as double) / nullif(posts_previous, 0)
            as net_sentiment_previous,
        cast(posts as double) / nullif(sum(posts) over (), 0) as share_of_voice,
        abs(posts - posts_previous) / sqrt(posts + posts_previous + 1) as movement,
        topic_versions
    from weekly
)

select
    topic_id,
    topic_label,
    posts,
    posts_previous,
    posts_change,
    change,
    net_sentiment,
    net_sentiment_previous,
    (net_sentiment - net_sentiment_previous) * 100 as net_shift,
    share_of_voice,
    movement,
    topic_versions
from measured
order by movement desc, abs(coalesce(net_sentiment - net_sentiment_previous, 0)) desc, topic_label
