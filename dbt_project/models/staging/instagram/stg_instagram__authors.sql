with source as (
    select * from {{ lake_scan('instagram', 'posts') }}
),

renamed as (
    select
        'instagram:' || user_name as author_key,
        'instagram' as network,
        user_name as author_id,
        user_name as handle,
        account as display_name,
        cast(null as varchar) as bio,
        cast(null as varchar) as location,
        followers_at_posting as followers,
        cast(null as boolean) as verified,
        cast(null as timestamp) as account_created_at,
        day as seen_day,
        created_at as observed_at,
        source_sha256
    from source
)

select * from renamed
