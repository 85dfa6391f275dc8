{#- Every network's posts in the unified shape, one row per post: when a post was collected more than
    once, the latest collection's metrics win and the first-seen time is kept. Every collection of a
    post has the same created_at, so rebuilding a window of days deduplicates it completely.

    The latest collection is chosen among the collections' keys alone (post, when seen, file, line),
    then its row is read whole: ranking whole rows, texts included, took most of DuckDB's 4GB for a
    year of 10M posts and ran out of it beside another model. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('created_at') }}",
) }}
with files as (
    select file_sha256, archived_at from {{ ref('stg_archive__files') }}
),

collections as (
    select
        unioned.post_key,
        unioned.source_sha256,
        unioned.source_line,
        coalesce(unioned.collected_at, files.archived_at) as seen_at
    from (
        {{ union_unified('posts', 'post_key, created_at, collected_at, source_sha256, source_line') }}
    ) as unioned
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
    from collections
),

latest as (
    select post_key, source_sha256, source_line, times_collected, first_seen_at
    from ranked
    where collection_rank = 1
),

unioned as (
    {{ union_unified('posts') }}
)

select
    unioned.*,
    latest.times_collected,
    latest.first_seen_at
from unioned
inner join latest
    on latest.post_key = unioned.post_key
    and latest.source_sha256 = unioned.source_sha256
    and latest.source_line = unioned.source_line
where {{ in_window('unioned.created_at') }}
