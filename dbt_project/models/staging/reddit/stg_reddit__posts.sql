with source as (
    select * from {{ lake_scan('reddit', 'posts') }}
),

texts as (
    select
        *,
        case when kind = 'submission' then concat_ws(chr(10) || chr(10), title, nullif(selftext, ''))
             else body end as post_text,
        nullif(author, '[deleted]') as author_name
    from source
),

renamed as (
    select
        -- fullnames: comment and submission ids are separate sequences, and parents are fullnames
        'reddit:' || name as post_key,
        'reddit' as network,
        name as post_id,
        created_at,
        -- deleted accounts keep Reddit's own '[deleted]' in the key (no author_id, no dim_authors row)
        'reddit:' || coalesce(nullif(author, ''), '[unknown]') as author_key,
        author_name as author_id,
        post_text as text,
        cast(null as varchar) as language,
        coalesce(link_id, name) as thread_id,
        parent_id as parent_post_id,
        nullif(parent_author, '[deleted]') as parent_author_id,
        crosspost_parent as shared_post_id,
        nullif(crosspost_parent_author, '[deleted]') as shared_author_id,
        cast(null as varchar) as quoted_post_id,
        cast(null as varchar) as quoted_author_id,
        case
            when crosspost_parent is not null then 'share'
            when kind = 'comment' then 'reply'
            else 'post'
        end as post_type,
        {{ mentions_in('post_text') }} as mentions,
        {{ hashtags_in('post_text') }} as hashtags,
        case when kind = 'submission' and not coalesce(is_self, true) and url like 'http%' then [url]
             else {{ urls_in('post_text') }} end as urls,
        -- the net score can be negative; likes keep its positive part
        cast(greatest(coalesce(score, ups), 0) as bigint) as likes,
        cast(num_crossposts as bigint) as shares,
        cast(num_comments as bigint) as comments,
        cast(null as bigint) as views,
        collected_at,
        source_sha256,
        source_file,
        cast(source_line as bigint) as source_line
    from texts
)

select * from renamed
