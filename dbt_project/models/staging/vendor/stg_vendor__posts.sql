with source as (
    select * from {{ lake_scan('vendor', 'posts') }}
),

typed as (
    select
        *,
        case
            when shared_post_id is not null or thread_entry_type in ('share', 'retweet', 'repost') then 'share'
            when thread_entry_type in ('reply', 'comment') or parent_post_id is not null then 'reply'
            when thread_entry_type = 'quote' then 'quote'
            else 'post'
        end as unified_type,
        coalesce(full_text, snippet, title) as unified_text
    from source
),

renamed as (
    select
        network || ':' || post_id as post_key,
        network,
        post_id,
        created_at,
        network || ':' || author_id as author_key,
        author_id,
        unified_text as text,
        language,
        thread_id,
        parent_post_id,
        cast(null as varchar) as parent_author_id,
        shared_post_id,
        cast(null as varchar) as shared_author_id,
        cast(null as varchar) as quoted_post_id,
        cast(null as varchar) as quoted_author_id,
        unified_type as post_type,
        coalesce(mentioned_authors, {{ mentions_in('unified_text') }}) as mentions,
        coalesce(hashtags, {{ hashtags_in('unified_text') }}) as hashtags,
        coalesce(urls, cast([] as varchar[])) as urls,
        -- a share carries its original's counts, if any: keep them on the original only
        cast(case when unified_type <> 'share' then likes else 0 end as bigint) as likes,
        cast(case when unified_type <> 'share' then shares else 0 end as bigint) as shares,
        cast(case when unified_type <> 'share' then comments else 0 end as bigint) as comments,
        cast(case when unified_type <> 'share' then views end as bigint) as views,
        cast(collected_at as timestamp) as collected_at,
        source_sha256,
        source_file,
        source_line
    from typed
)

select * from renamed
