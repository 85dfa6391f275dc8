{#- Every post's match text, the form topic queries and topic models read: computed once per post
    (window-incremental), so a crisis query over the whole year only scans this table. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_window('created_at') }}",
) }}

with posts as (
    select post_key, created_at, text
    from {{ ref('int_posts_unioned') }}
    where {{ in_window('created_at') }}
),

searchable as (
    select
        post_key,
        created_at,
        {{ match_text('text') }} as match_text
    from posts
)

select * from searchable
