with source as (
    select * from {{ lake_scan('instagram', 'mcl_posts') }}
),

renamed as (
    select
        'instagram:' || post_id as post_key,
        'instagram' as network,
        post_id,
        created_at,
        'instagram:' || coalesce(owner_username, owner_id) as author_key,
        coalesce(owner_username, owner_id) as author_id,
        text,
        lang as language,
        post_id as thread_id,
        cast(null as varchar) as parent_post_id,
        cast(null as varchar) as parent_author_id,
        cast(null as varchar) as shared_post_id,
        cast(null as varchar) as shared_author_id,
        cast(null as varchar) as quoted_post_id,
        cast(null as varchar) as quoted_author_id,
        'post' as post_type,
        {{ mentions_in('text') }} as mentions,
        coalesce(hashtags, {{ hashtags_in('text') }}) as hashtags,
        cast([] as varchar[]) as urls,
        cast(like_count as bigint) as likes,
        cast(coalesce(share_count, 0) as bigint) as shares,
        cast(comment_count as bigint) as comments,
        cast(views as bigint) as views,
        cast(collected_at as timestamp) as collected_at,
        source_sha256,
        source_file,
        source_line
    from source
)

select * from renamed
