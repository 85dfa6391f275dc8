{#- What was collected per network and Lima day: rows (every collection of a post), distinct posts
    and the files they came from. Window-incremental: a run recounts only the Lima days its window
    touches, so fct_collection_daily no longer reads the whole lake in every run. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('day', days_before=1) }}",
) }}

with collected as (
    {{ collected_rows_in_lima_window('network, day, post_key, source_sha256') }}
),

counted as (
    select
        network,
        day,
        count(*) as rows_collected,
        count(distinct post_key) as posts,
        count(distinct source_sha256) as files
    from collected
    group by network, day
)

select * from counted
