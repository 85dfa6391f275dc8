with source as (
    select * from {{ lake_scan('topics', 'versions') }}
),

renamed as (
    select
        topic_id,
        cast(version as bigint) as topic_version,
        programme_id,
        label as topic_label,
        query,
        use_model,
        active,
        is_current,
        changed_by,
        changed_at,
        note
    from source
)

select * from renamed
