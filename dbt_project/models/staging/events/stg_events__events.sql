with source as (
    select * from {{ lake_scan('events', 'calendar') }}
),

renamed as (
    select
        event_id,
        name as event_name,
        kind as event_kind,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        topic_id,
        origin,
        description
    from source
)

select * from renamed
