{#- Each active topic's relevant posts and reach per Lima day over all networks, with a row for every
    day from the first day with data to the last (0 on days without posts): the series the event
    impacts and the changepoints read. -#}
with daily as (
    select
        day,
        topic_id,
        cast(sum(posts) as bigint) as posts,
        cast(sum(reach) as bigint) as reach,
        cast(sum(positive_posts) as bigint) as positive_posts,
        cast(sum(negative_posts) as bigint) as negative_posts
    from {{ ref('fct_topic_daily') }}
    group by day, topic_id
),

topics as (
    select topic_id from {{ ref('stg_topics__versions') }} where is_current and active
),

bounds as (
    select min(day) as first_day, max(day) as last_day from daily
),

days as (
    select {{ dbt.dateadd('day', 'offsets.generated_number - 1', 'bounds.first_day') }} as day
    from ({{ dbt.generate_series(upper_bound=1500) }}) as offsets
    cross join bounds
    where offsets.generated_number - 1 <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}
),

dense as (
    select
        cast(days.day as date) as day,
        topics.topic_id,
        coalesce(daily.posts, 0) as posts,
        coalesce(daily.reach, 0) as reach,
        coalesce(daily.positive_posts, 0) as positive_posts,
        coalesce(daily.negative_posts, 0) as negative_posts
    from days
    cross join topics
    left join daily on daily.day = cast(days.day as date) and daily.topic_id = topics.topic_id
)

select * from dense
