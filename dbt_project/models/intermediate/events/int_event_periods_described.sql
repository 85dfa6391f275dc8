{#- Each estimated event and topic before (the 28 days before the event), during and after (the
    28 days after it), clipped to the days with data: posts and reach per day, net sentiment, and
    the share of the period's authors who had never posted on the topic before it. -#}
with impacts as (
    select distinct event_id, topic_id, start_date, end_date
    from {{ ref('int_event_impacts_estimated') }}
),

bounds as (
    select min(day) as first_day, max(day) as last_day from {{ ref('int_topic_daily_totals') }}
),

periods as (
    select event_id, topic_id, 'before' as period,
        {{ dbt.dateadd('day', -28, 'start_date') }} as period_start,
        {{ dbt.dateadd('day', -1, 'start_date') }} as period_end
    from impacts
    union all
    select event_id, topic_id, 'during' as period, start_date as period_start, end_date as period_end
    from impacts
    union all
    select event_id, topic_id, 'after' as period,
        {{ dbt.dateadd('day', 1, 'end_date') }} as period_start,
        {{ dbt.dateadd('day', 28, 'end_date') }} as period_end
    from impacts
),

clipped as (
    select
        periods.event_id,
        periods.topic_id,
        periods.period,
        case when cast(periods.period_start as date) < bounds.first_day then bounds.first_day
            else cast(periods.period_start as date) end as period_start,
        case when cast(periods.period_end as date) > bounds.last_day then bounds.last_day
            else cast(periods.period_end as date) end as period_end
    from periods
    cross join bounds
),

topic_posts as (
    select topic_id, author_key, created_date_lima as day, sentiment
    from {{ ref('fct_post_topics') }}
    where is_relevant
),

first_posts as (
    select topic_id, author_key, min(day) as first_day
    from topic_posts
    group by topic_id, author_key
),

posts_described as (
    select
        clipped.event_id,
        clipped.topic_id,
        clipped.period,
        cast(count(topic_posts.author_key) as bigint) as posts,
        cast(count(distinct topic_posts.author_key) as bigint) as authors,
        cast(count(distinct case when first_posts.first_day >= clipped.period_start
            then topic_posts.author_key end) as bigint) as new_authors,
        cast(sum(case when topic_posts.sentiment = 'positive' then 1 else 0 end)
            - sum(case when topic_posts.sentiment = 'negative' then 1 else 0 end) as double)
            / nullif(count(topic_posts.author_key), 0) as net_sentiment
    from clipped
    left join topic_posts
        on topic_posts.topic_id = clipped.topic_id
        and topic_posts.day between clipped.period_start and clipped.period_end
    left join first_posts
        on first_posts.topic_id = topic_posts.topic_id and first_posts.author_key = topic_posts.author_key
    group by clipped.event_id, clipped.topic_id, clipped.period
),

reach_described as (
    select clipped.event_id, clipped.topic_id, clipped.period,
        cast(count(totals.day) as bigint) as days,
        cast(sum(totals.reach) as double) / nullif(count(totals.day), 0) as reach_per_day
    from clipped
    left join {{ ref('int_topic_daily_totals') }} as totals
        on totals.topic_id = clipped.topic_id and totals.day between clipped.period_start and clipped.period_end
    group by clipped.event_id, clipped.topic_id, clipped.period
),

final as (
    select
        posts_described.event_id,
        posts_described.topic_id,
        posts_described.period,
        reach_described.days,
        posts_described.posts,
        cast(posts_described.posts as double) / nullif(reach_described.days, 0) as posts_per_day,
        reach_described.reach_per_day,
        posts_described.net_sentiment,
        cast(posts_described.new_authors as double) / nullif(posts_described.authors, 0) as new_author_share
    from posts_described
    inner join reach_described
        on reach_described.event_id = posts_described.event_id
        and reach_described.topic_id = posts_described.topic_id
        and reach_described.period = posts_described.period
)

select * from final
