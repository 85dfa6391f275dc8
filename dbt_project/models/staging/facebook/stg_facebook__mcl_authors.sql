with source as (
    select * from {{ lake_scan('facebook', 'mcl_posts') }}
),

renamed as (
    select
        'facebook:' || owner_id as author_key,
        'facebook' as network,
        owner_id as author_id,
        owner_username as handle,
        owner_name as display_name,
        cast(null as varchar) as bio,
        cast(null as varchar) as location,
        cast(null as bigint) as followers,
        cast(null as boolean) as verified,
        cast(null as timestamp) as account_created_at,
        day as seen_day,
        created_at as observed_at,
        source_sha256
    from source
    where owner_id is not null
)

select * from renamed
