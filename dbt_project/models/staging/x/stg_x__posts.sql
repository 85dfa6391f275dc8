with source as (
    select * from {{ lake_scan('x', 'posts') }}
),

renamed as (
    select
        'x:' || id as post_key,
        'x' as network,
        id as post_id,
        created_at,
        'x:' || author_id as author_key,
        author_id,
        text,
        lang as language,
        conversation_id as thread_id,
        replied_to_id as parent_post_id,
        replied_to_author_id as parent_author_id,
        retweeted_id as shared_post_id,
        retweeted_author_id as shared_author_id,
        quoted_id as quoted_post_id,
        quoted_author_id,
        case
            when retweeted_id is not null then 'share'
            when replied_to_id is not null then 'reply'
            when quoted_id is not null then 'quote'
            else 'post'
        end as post_type,
        mention_usernames as mentions,
        hashtags,
        urls,
        -- a retweet carries its original's counts: keep them on the original only
        case when retweeted_id is null then like_count else 0 end as likes,
        case when retweeted_id is null then retweet_count + coalesce(quote_count, 0) else 0 end as shares,
        case when retweeted_id is null then reply_count else 0 end as comments,
        case when retweeted_id is null then impression_count end as views,
        collected_at,
        source_sha256,
        source_file,
        source_line
    from source
)

select * from renamed
