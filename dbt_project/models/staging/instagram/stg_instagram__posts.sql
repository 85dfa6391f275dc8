with source as (
    select * from {{ lake_scan('instagram', 'posts') }}
),

renamed as (
    select
        'instagram:' || post_id as post_key,
        'instagram' as network,
        post_id,
        created_at,
        'instagram:' || user_name as author_key,
        user_name as author_id,
        description as text,
        cast(null as varchar) as language,
        post_id as thread_id,
        cast(null as varchar) as parent_post_id,
        cast(null as varchar) as parent_author_id,
        cast(null as varchar) as shared_post_id,
        cast(null as varchar) as shared_author_id,
        cast(null as varchar) as quoted_post_id,
        cast(null as varchar) as quoted_author_id,
        'post' as post_type,
        {{ mentions_in('description') }} as mentions,
        {{ hashtags_in('description') }} as hashtags,
        case when link is null or link = '' then [] else [link] end as urls,
        likes,
        cast(0 as bigint) as shares,
        comments,
        views,
        collected_at,
        source_sha256,
        source_file,
        source_line
    from source
)

select * from renamed
