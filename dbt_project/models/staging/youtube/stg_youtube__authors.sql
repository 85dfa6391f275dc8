{#- YouTube channels as observed on their videos (channelTitle) and comments (authorDisplayName,
    usually the channel's @handle). List responses carry no channel statistics. -#}
with source as (
    select * from {{ lake_scan('youtube', 'posts') }}
    where channel_id is not null and channel_id <> ''
),

renamed as (
    select
        'youtube:' || channel_id as author_key,
        'youtube' as network,
        channel_id as author_id,
        case when starts_with(author_display_name, '@') then substr(author_display_name, 2) end as handle,
        nullif(author_display_name, '') as display_name,
        cast(null as varchar) as bio,
        cast(null as varchar) as location,
        cast(null as bigint) as followers,
        cast(null as boolean) as verified,
        cast(null as timestamp) as account_created_at,
        day as seen_day,
        created_at as observed_at,
        source_sha256
    from source
)

select * from renamed
