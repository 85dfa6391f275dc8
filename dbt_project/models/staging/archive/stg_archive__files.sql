with source as (
    select * from {{ lake_scan('archive', 'files') }}
),

renamed as (
    select
        sha256 as file_sha256,
        original_name as file_name,
        format,
        rows_in,
        rows_parsed,
        rows_quarantined,
        rows_duplicate,
        min_day,
        max_day,
        archived_at,
        bytes
    from source
)

select * from renamed
