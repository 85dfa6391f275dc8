with authors as (
    select * from {{ ref('int_authors_unioned') }}
),

activity as (
    select author_key, count(*) as posts, min(created_at) as first_post_at, max(created_at) as last_post_at
    from {{ ref('int_posts_unioned') }}
    group by author_key
),

final as (
    select
        authors.author_key,
        authors.network,
        authors.author_id,
        authors.handle,
        authors.display_name,
        authors.bio,
        authors.location,
        cast(authors.followers as bigint) as followers,
        authors.verified,
        authors.account_created_at,
        cast(coalesce(activity.posts, 0) as bigint) as posts,
        activity.first_post_at,
        activity.last_post_at
    from authors
    left join activity on activity.author_key = authors.author_key
)

select * from final
