{#- Every post's match text, the form topic queries and topic models read: computed once per post
    (window-incremental), so a crisis query over the whole year only scans this table. Its words mask
    lets a query skip the texts that lack its words (escucha.topics.query.mask_condition). A warehouse
    built before the mask gains the column on its next run (append_new_columns); its older rows keep
    a NULL mask, which every query reads as "look at the text". -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
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
),

masked as (
    select
        post_key,
        created_at,
        match_text,
        {{ words_mask('match_text') }} as words_mask
    from searchable
)

select * from masked
