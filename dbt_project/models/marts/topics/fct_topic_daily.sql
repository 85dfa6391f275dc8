{#- Volume, authors, engagement, reach, share of voice and growth per topic, network and Lima
    calendar day, counting the posts the topic finds relevant (fct_post_topics.is_relevant). -#}
with relevant as (
    select post_key, topic_id, topic_version, model_version, decided_by
    from {{ ref('fct_post_topics') }}
    where is_relevant
),

posts as (
    select post_key, network, author_key, created_date_lima, likes, shares, comments, views, engagement, sentiment
    from {{ ref('fct_posts') }}
),

authors as (
    select author_key, followers from {{ ref('dim_authors') }}
),

topics as (
    select topic_id, programme_id from {{ ref('stg_topics__versions') }} where is_current and active
),

topic_posts as (
    select posts.*, relevant.topic_id, relevant.topic_version, relevant.model_version, relevant.decided_by
    from relevant
    inner join posts on posts.post_key = relevant.post_key
),

daily as (
    select
        created_date_lima as day,
        topic_id,
        network,
        max(topic_version) as topic_version,
        max(model_version) as model_version,
        max(decided_by) as decided_by,
        cast(count(*) as bigint) as posts,
        cast(count(distinct author_key) as bigint) as authors,
        cast(sum(likes) as bigint) as likes,
        cast(sum(shares) as bigint) as shares,
        cast(sum(comments) as bigint) as comments,
        cast(sum(views) as bigint) as views,
        cast(sum(engagement) as bigint) as engagement,
        cast(sum(case when sentiment = 'positive' then 1 else 0 end) as bigint) as positive_posts,
        cast(sum(case when sentiment = 'neutral' then 1 else 0 end) as bigint) as neutral_posts,
        cast(sum(case when sentiment = 'negative' then 1 else 0 end) as bigint) as negative_posts
    from topic_posts
    group by created_date_lima, topic_id, network
),

daily_authors as (
    select distinct created_date_lima as day, topic_id, network, author_key
    from topic_posts
),

daily_reach as (
    select daily_authors.day, daily_authors.topic_id, daily_authors.network,
        cast(sum(coalesce(authors.followers, 0)) as bigint) as reach
    from daily_authors
    left join authors on authors.author_key = daily_authors.author_key
    group by daily_authors.day, daily_authors.topic_id, daily_authors.network
),

measured as (
    select
        daily.*,
        daily_reach.reach,
        topics.programme_id,
        {{ dbt.datediff("cast('2000-01-01' as date)", 'daily.day', 'day') }} as day_number
    from daily
    inner join daily_reach
        on daily_reach.day = daily.day and daily_reach.topic_id = daily.topic_id
        and daily_reach.network = daily.network
    inner join topics on topics.topic_id = daily.topic_id
),

final as (
    select
        day,
        topic_id,
        network,
        topic_version,
        model_version,
        decided_by,
        posts,
        authors,
        likes,
        shares,
        comments,
        views,
        engagement,
        reach,
        positive_posts,
        neutral_posts,
        negative_posts,
        cast(positive_posts as double) / posts as positive_share,
        cast(negative_posts as double) / posts as negative_share,
        cast(positive_posts - negative_posts as double) / posts as net_sentiment,
        cast(posts as double) / sum(posts) over (partition by day, network, programme_id) as share_of_voice,
        cast(sum(posts) over (
            partition by topic_id, network order by day_number range between 7 preceding and 1 preceding
        ) as bigint) as posts_previous_7_days,
        case
            when coalesce(sum(posts) over (
                partition by topic_id, network order by day_number range between 7 preceding and 1 preceding
            ), 0) > 0
            then cast(posts as double) / (sum(posts) over (
                partition by topic_id, network order by day_number range between 7 preceding and 1 preceding
            ) / 7.0) - 1
        end as growth
    from measured
)

select * from final
