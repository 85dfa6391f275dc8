with source as (
    select * from {{ lake_scan('mapped', 'posts') }}
),

typed as (
    select
        *,
        coalesce(author_id, author_handle) as unified_author_id,
        case
            when lower(post_type) in ('post', 'reply', 'share', 'quote') then lower(post_type)
            when lower(post_type) in ('retweet', 'repost', 'reshare') then 'share'
            when lower(post_type) in ('comment', 'answer') then 'reply'
            when shared_post_id is not null then 'share'
            when parent_post_id is not null then 'reply'
            when quoted_post_id is not null then 'quote'
            else 'post'
        end as unified_type
    from source
),

renamed as (
    select
        network || ':' || post_id as post_key,
        network,
        post_id,
        created_at,
        network || ':' || unified_author_id as author_key,
        unified_author_id as author_id,
        text,
        language,
        thread_id,
        parent_post_id,
        parent_author_id,
        shared_post_id,
        shared_author_id,
        quoted_post_id,
        quoted_author_id,
        unified_type as post_type,
        coalesce(mentions, {{ mentions_in('text') }}) as mentions,
        coalesce(hashtags, {{ hashtags_in('text') }}) as hashtags,
        coalesce(urls, cast([] as varchar[])) as urls,
        cast(likes as bigint) as likes,
        cast(shares as bigint) as shares,
        cast(comments as bigint) as comments,
        cast(views as bigint) as views,
        cast(collected_at as timestamp) as collected_at,
        source_sha256,
        source_file,
        source_line
    from typed
)

select * from renamed
