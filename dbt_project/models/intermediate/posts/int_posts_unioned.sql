{#- Every network's posts in the unified shape, one row per post: when a post was collected more than
    once, the latest collection's metrics win and the first-seen time is kept. Every collection of a
    post has the same created_at, so rebuilding a window of days deduplicates it completely. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('created_at') }}",
) }}
with unioned as (
    {{ union_unified('posts') }}
),

files as (
    select file_sha256, archived_at from {{ ref('stg_archive__files') }}
),

collected as (
    select
        unioned.*,
        coalesce(unioned.collected_at, files.archived_at) as seen_at
    from unioned
    left join files on files.file_sha256 = unioned.source_sha256
    where {{ in_window('unioned.created_at') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by post_key order by seen_at desc, source_sha256 desc, source_line desc
        ) as collection_rank,
        count(*) over (partition by post_key) as times_collected,
        min(seen_at) over (partition by post_key) as first_seen_at
    from collected
)

select * exclude (collection_rank, seen_at)
from ranked
where collection_rank = 1
