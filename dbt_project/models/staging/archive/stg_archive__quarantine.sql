with source as (
    select * from {{ lake_scan('archive', 'quarantine') }}
),

renamed as (
    select
        source_sha256 as file_sha256,
        source_file as file_name,
        source_line as line,
        day,
        reason,
        raw_excerpt
    from source
)

select * from renamed
