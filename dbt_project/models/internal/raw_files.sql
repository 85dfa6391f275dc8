{#- Every archived raw file and how its rows were accounted for: rows in = landed + quarantined. -#}
with files as (
    select * from {{ ref('stg_archive__files') }}
),

landed as (
    select source_sha256 as file_sha256, sum(rows_collected) as rows_landed
    from {{ ref('int_collected_rows_counted') }}
    group by source_sha256
)

select
    files.*,
    cast(coalesce(landed.rows_landed, 0) as bigint) as rows_landed
from files
left join landed on landed.file_sha256 = files.file_sha256
