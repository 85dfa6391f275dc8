{#- Rows each raw file landed in the lake, per Lima day. Window-incremental like
    int_collection_days_counted; raw_files adds a file's days up. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('day', days_before=1) }}",
) }}

with collected as (
    {{ collected_rows_in_lima_window('source_sha256, day') }}
),

counted as (
    select
        source_sha256,
        day,
        count(*) as rows_landed
    from collected
    group by source_sha256, day
)

select * from counted
