with source as (
    select * from {{ lake_scan('facebook', 'mcl_posts') }}
),

renamed as (
    select
        'facebook:' || post_id as post_key,
        'facebook' as network,
        post_id,
        created_at,
        'facebook:' || owner_id as author_key,
        owner_id as author_id,
        text,
        lang as language,
        post_id as thread_id,
        cast(null as varchar) as parent_post_id,
        cast(null as varchar) as parent_author_id,
        shared_post_id,
        cast(null as varchar) as shared_author_id,
        cast(null as varchar) as quoted_post_id,
        cast(null as varchar) as quoted_author_id,
        case when shared_post_id is not null then 'share' else 'post' end as post_type,
        {{ mentions_in('text') }} as mentions,
        {{ hashtags_in('text') }} as hashtags,
        case when link_url is null then [] else [link_url] end as urls,
        -- every reaction counts as a like; MCL also splits them by kind
        cast(coalesce(
            reaction_count,
            coalesce(like_count, 0) + coalesce(love_count, 0) + coalesce(wow_count, 0) + coalesce(haha_count, 0)
                + coalesce(sad_count, 0) + coalesce(angry_count, 0) + coalesce(care_count, 0)
        ) as bigint) as likes,
        cast(share_count as bigint) as shares,
        cast(comment_count as bigint) as comments,
        cast(views as bigint) as views,
        cast(collected_at as timestamp) as collected_at,
        source_sha256,
        source_file,
        source_line
    from source
)

select * from renamed
