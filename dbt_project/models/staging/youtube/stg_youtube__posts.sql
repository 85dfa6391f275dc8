with source as (
    select * from {{ lake_scan('youtube', 'posts') }}
),

texts as (
    select
        *,
        case when kind = 'video' then concat_ws(chr(10) || chr(10), title, nullif(description, ''))
             else coalesce(text_original, text_display) end as post_text
    from source
),

renamed as (
    select
        'youtube:' || id as post_key,
        'youtube' as network,
        id as post_id,
        created_at,
        -- a comment whose author channel is gone: a placeholder key, no author_id
        'youtube:' || coalesce(nullif(channel_id, ''), '[unknown]') as author_key,
        nullif(channel_id, '') as author_id,
        post_text as text,
        coalesce(default_language, default_audio_language) as language,
        -- the video; a reply from comments.list (no videoId) is threaded under its top-level comment
        coalesce(video_id, parent_id, id) as thread_id,
        -- a top-level comment answers its video, a reply the comment in parent_id
        case when kind = 'video' then null else coalesce(parent_id, video_id) end as parent_post_id,
        parent_channel_id as parent_author_id,
        cast(null as varchar) as shared_post_id,
        cast(null as varchar) as shared_author_id,
        cast(null as varchar) as quoted_post_id,
        cast(null as varchar) as quoted_author_id,
        case when kind = 'video' then 'post' else 'reply' end as post_type,
        {{ mentions_in('post_text') }} as mentions,
        {{ hashtags_in('post_text') }} as hashtags,
        {{ urls_in('post_text') }} as urls,
        cast(like_count as bigint) as likes,
        cast(0 as bigint) as shares,
        -- a video's commentCount, a top-level comment's totalReplyCount
        cast(coalesce(comment_count, total_reply_count) as bigint) as comments,
        cast(view_count as bigint) as views,
        cast(null as timestamp) as collected_at,
        source_sha256,
        source_file,
        cast(source_line as bigint) as source_line
    from texts
)

select * from renamed
