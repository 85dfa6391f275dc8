{#- What each raw file brought per network and Lima day: its lake rows (every collection of a post
    counts) and the posts it is the first file of (by checksum) that day, so that summing over files
    gives the day's distinct posts. fct_collection_daily and raw_files add these up; neither reads the
    lake. Window-incremental: a run recounts the Lima days its UTC window touches, from the day before
    its first (whose evening falls in it) to its last, each read whole across its two UTC days. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('day', days_before=1) }}",
) }}

with collected as (
    select network, {{ lima_date('created_at') }} as day, post_key, source_sha256
    from (
        {{ union_unified('posts', 'network, post_key, created_at, source_sha256') }}
    ) as all_rows
    where {{ in_window('created_at', days_before=1, days_after=1) }}
),

in_lima_window as (
    select * from collected where {{ in_window('day', days_before=1) }}
),

post_files as (
    select network, day, post_key, source_sha256, count(*) as rows_collected
    from in_lima_window
    group by network, day, post_key, source_sha256
),

attributed as (
    select
        *,
        min(source_sha256) over (partition by network, day, post_key) = source_sha256 as first_file_of_post
    from post_files
),

counted as (
    select
        network,
        day,
        source_sha256,
        cast(sum(rows_collected) as bigint) as rows_collected,
        cast(sum(case when first_file_of_post then 1 else 0 end) as bigint) as posts
    from attributed
    group by network, day, source_sha256
)

select * from counted
