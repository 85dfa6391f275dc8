{#- Which posts mention which topic: a post matches a topic when its normalised text (lower case, no
    accents, punctuation as spaces) contains one of the topic's keywords as whole words. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('created_at') }}",
) }}

with posts as (
    select post_key, created_at, {{ normalize_text('text') }} as normalized_text
    from {{ ref('int_posts_unioned') }}
    where {{ in_window('created_at') }}
),

keywords as (
    select topic_id, keyword, {{ normalize_text('keyword') }} as normalized_keyword
    from {{ ref('topic_keywords') }}
),

matches as (
    select
        posts.post_key,
        posts.created_at,
        keywords.topic_id,
        keywords.keyword
    from posts
    inner join keywords
        on {{ dbt.position('keywords.normalized_keyword', 'posts.normalized_text') }} > 0
),

per_topic as (
    select
        post_key,
        topic_id,
        min(created_at) as created_at,
        min(keyword) as first_keyword,
        count(*) as keywords_matched
    from matches
    group by post_key, topic_id
)

select * from per_topic
