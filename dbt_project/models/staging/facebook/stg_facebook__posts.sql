with source as (
    select * from {{ lake_scan('facebook', 'posts') }}
),

renamed as (
    select
        'facebook:' || post_id as post_key,
        'facebook' as network,
        post_id,
        created_at,
        'facebook:' || facebook_id as author_key,
        facebook_id as author_id,
        message as text,
        cast(null as varchar) as language,
        post_id as thread_id,
        cast(null as varchar) as parent_post_id,
        cast(null as varchar) as parent_author_id,
        cast(null as varchar) as shared_post_id,
        cast(null as varchar) as shared_author_id,
        cast(null as varchar) as quoted_post_id,
        cast(null as varchar) as quoted_author_id,
        'post' as post_type,
        {{ mentions_in('message') }} as mentions,
        {{ hashtags_in('message') }} as hashtags,
        case when link is null or link = '' then [] else [link] end as urls,
        -- every reaction counts as a like; CrowdTangle splits them by kind
        coalesce(likes, 0) + coalesce(love, 0) + coalesce(wow, 0) + coalesce(haha, 0)
            + coalesce(sad, 0) + coalesce(angry, 0) + coalesce(care, 0) as likes,
        shares,
        comments,
        nullif(greatest(coalesce(post_views, 0), coalesce(total_views, 0)), 0) as views,
        collected_at,
        source_sha256,
        source_file,
        source_line
    from source
)

select * from renamed
