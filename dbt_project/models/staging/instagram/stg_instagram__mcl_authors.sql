with source as (
    select * from {{ lake_scan('instagram', 'mcl_posts') }}
),

renamed as (
    select
        'instagram:' || coalesce(owner_username, owner_id) as author_key,
        'instagram' as network,
        coalesce(owner_username, owner_id) as author_id,
        owner_username as handle,
        owner_name as display_name,
        cast(null as varchar) as bio,
        cast(null as varchar) as location,
        cast(null as bigint) as followers,
        -- MCL's is_verified says the post came from a verified account
        is_verified as verified,
        cast(null as timestamp) as account_created_at,
        day as seen_day,
        created_at as observed_at,
        source_sha256
    from source
    where coalesce(owner_username, owner_id) is not null
)

select * from renamed
