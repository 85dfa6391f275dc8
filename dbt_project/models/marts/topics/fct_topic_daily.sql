{#- Posts, authors and engagement per topic, network and Lima calendar day. A window of UTC days
    touches the Lima days from the day before its first to its last: those are rebuilt whole. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('day', days_before=1) }}",
) }}
with matched as (
    select * from {{ ref('int_post_topics_matched') }}
),

posts as (
    select * from {{ ref('fct_posts') }}
),

final as (
    select
        posts.created_date_lima as day,
        matched.topic_id,
        posts.network,
        cast(count(*) as bigint) as posts,
        cast(count(distinct posts.author_key) as bigint) as authors,
        cast(sum(posts.likes) as bigint) as likes,
        cast(sum(posts.shares) as bigint) as shares,
        cast(sum(posts.comments) as bigint) as comments,
        cast(sum(posts.views) as bigint) as views,
        cast(sum(posts.engagement) as bigint) as engagement
    from matched
    inner join posts on posts.post_key = matched.post_key
    where {{ in_window('posts.created_date_lima', days_before=1) }}
    group by posts.created_date_lima, matched.topic_id, posts.network
)

select * from final
