{#- Reddit accounts as observed on their submissions and comments. Usernames are permanent on Reddit,
    so they are the author id (author_fullname, t2_..., is often missing from dumps). -#}
with source as (
    select * from {{ lake_scan('reddit', 'posts') }}
    where author is not null and author not in ('', '[deleted]')
),

renamed as (
    select
        'reddit:' || author as author_key,
        'reddit' as network,
        author as author_id,
        author as handle,
        cast(null as varchar) as display_name,
        cast(null as varchar) as bio,
        cast(null as varchar) as location,
        cast(null as bigint) as followers,
        cast(null as boolean) as verified,
        cast(null as timestamp) as account_created_at,
        day as seen_day,
        coalesce(collected_at, created_at) as observed_at,
        source_sha256
    from source
)

select * from renamed
