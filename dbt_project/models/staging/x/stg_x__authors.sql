with source as (
    select * from {{ lake_scan('x', 'users') }}
),

renamed as (
    select
        'x:' || id as author_key,
        'x' as network,
        id as author_id,
        username as handle,
        name as display_name,
        description as bio,
        location,
        followers_count as followers,
        verified,
        created_at as account_created_at,
        day as seen_day,
        collected_at as observed_at,
        source_sha256
    from source
)

select * from renamed
