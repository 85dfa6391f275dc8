with source as (
    select * from {{ lake_scan('facebook', 'posts') }}
),

renamed as (
    select
        'facebook:' || facebook_id as author_key,
        'facebook' as network,
        facebook_id as author_id,
        user_name as handle,
        page_name as display_name,
        page_description as bio,
        cast(null as varchar) as location,
        followers_at_posting as followers,
        cast(null as boolean) as verified,
        page_created as account_created_at,
        day as seen_day,
        created_at as observed_at,
        source_sha256
    from source
)

select * from renamed
