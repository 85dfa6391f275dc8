{#- The Research API names a video's creator only by username (no account id, no profile): one row
    per video or comment with a username, as observed when posting. -#}
with source as (
    select * from {{ lake_scan('tiktok', 'posts') }}
    where username is not null and username <> ''
),

renamed as (
    select
        'tiktok:' || username as author_key,
        'tiktok' as network,
        username as author_id,
        username as handle,
        cast(null as varchar) as display_name,
        cast(null as varchar) as bio,
        -- region_code: the country where the creator registered the account
        region_code as location,
        cast(null as bigint) as followers,
        cast(null as boolean) as verified,
        cast(null as timestamp) as account_created_at,
        day as seen_day,
        created_at as observed_at,
        source_sha256
    from source
)

select * from renamed
