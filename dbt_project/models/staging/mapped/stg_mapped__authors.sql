with source as (
    select * from {{ lake_scan('mapped', 'posts') }}
),

renamed as (
    select
        network || ':' || coalesce(author_id, author_handle) as author_key,
        network,
        coalesce(author_id, author_handle) as author_id,
        author_handle as handle,
        author_name as display_name,
        author_bio as bio,
        author_location as location,
        cast(author_followers as bigint) as followers,
        author_verified as verified,
        cast(author_created_at as timestamp) as account_created_at,
        day as seen_day,
        coalesce(collected_at, created_at) as observed_at,
        source_sha256
    from source
    where coalesce(author_id, author_handle) is not null
)

select * from renamed
