with source as (
    select * from {{ lake_scan('vendor', 'posts') }}
),

renamed as (
    select
        network || ':' || author_id as author_key,
        network,
        author_id,
        author as handle,
        display_name,
        cast(null as varchar) as bio,
        cast(null as varchar) as location,
        cast(followers as bigint) as followers,
        verified,
        cast(null as timestamp) as account_created_at,
        day as seen_day,
        coalesce(collected_at, created_at) as observed_at,
        source_sha256
    from source
    where author_id is not null
)

select * from renamed
