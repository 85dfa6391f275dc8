{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('created_at') }}",
    post_hook="{{ sync_rescored_sentiments() }}",
) }}

with posts as (
    select * from {{ ref('int_posts_unioned') }}
    where {{ in_window('created_at') }}
),

sentiments as (
    select post_key, sentiment, sentiment_score, lexicon_version
    from {{ ref('int_post_sentiments_scored') }}
),

{#- Overperformance needs each post's earlier posts, which may lie before the run's window: the
    whole history of the window's authors up to the window's last post (no later post counts). -#}
history as (
    select post_key, author_key, post_type, created_at, likes, shares, comments
    from {{ ref('int_posts_unioned') }}
    where author_key in (select author_key from posts)
        and created_at <= (select max(created_at) from posts)
),

scores as (
    select post_key, expected_interactions, overperformance
    from ({{ overperformance('history') }}) as scored
),

final as (
    select
        post_key,
        network,
        post_id,
        created_at,
        {{ lima_date('created_at') }} as created_date_lima,
        author_key,
        author_id,
        text,
        language,
        thread_id,
        case when parent_post_id is not null then network || ':' || parent_post_id end as parent_post_key,
        case when parent_author_id is not null then network || ':' || parent_author_id end
            as parent_author_key,
        case when shared_post_id is not null then network || ':' || shared_post_id end as shared_post_key,
        case when shared_author_id is not null then network || ':' || shared_author_id end
            as shared_author_key,
        case when quoted_post_id is not null then network || ':' || quoted_post_id end as quoted_post_key,
        case when quoted_author_id is not null then network || ':' || quoted_author_id end
            as quoted_author_key,
        post_type,
        mentions,
        hashtags,
        urls,
        cast(coalesce(likes, 0) as bigint) as likes,
        cast(coalesce(shares, 0) as bigint) as shares,
        cast(coalesce(comments, 0) as bigint) as comments,
        cast(views as bigint) as views,
        cast(coalesce(likes, 0) + coalesce(shares, 0) + coalesce(comments, 0) as bigint) as engagement,
        expected_interactions,
        overperformance,
        sentiments.sentiment,
        sentiments.sentiment_score,
        sentiments.lexicon_version as sentiment_version,
        first_seen_at,
        cast(times_collected as bigint) as times_collected,
        source_file,
        source_sha256,
        cast(source_line as bigint) as source_line
    from posts
    left join scores using (post_key)
    left join sentiments using (post_key)
)

select * from final
