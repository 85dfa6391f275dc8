with source as (
    select * from {{ lake_scan('topics', 'programmes') }}
),

renamed as (
    select
        programme_id,
        label as programme_label,
        focal_points,
        recipients
    from source
)

select * from renamed
