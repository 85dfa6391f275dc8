with source as (
    select * from {{ lake_scan('tiktok', 'posts') }}
),

renamed as (
    select
        'tiktok:' || id as post_key,
        'tiktok' as network,
        id as post_id,
        created_at,
        -- the Research API gives comments without their author: a placeholder key, no author_id
        'tiktok:' || coalesce(nullif(username, ''), '[unknown]') as author_key,
        nullif(username, '') as author_id,
        text,
        cast(null as varchar) as language,
        coalesce(video_id, id) as thread_id,
        parent_id as parent_post_id,
        parent_username as parent_author_id,
        cast(null as varchar) as shared_post_id,
        cast(null as varchar) as shared_author_id,
        cast(null as varchar) as quoted_post_id,
        cast(null as varchar) as quoted_author_id,
        case when kind = 'comment' then 'reply' else 'post' end as post_type,
        coalesce(video_mention_list, {{ mentions_in('text') }}) as mentions,
        coalesce(hashtag_names, {{ hashtags_in('text') }}) as hashtags,
        {{ urls_in('text') }} as urls,
        cast(like_count as bigint) as likes,
        cast(share_count as bigint) as shares,
        -- a video's comments, a comment's replies
        cast(coalesce(comment_count, reply_count) as bigint) as comments,
        cast(view_count as bigint) as views,
        cast(null as timestamp) as collected_at,
        source_sha256,
        source_file,
        cast(source_line as bigint) as source_line
    from source
)

select * from renamed
