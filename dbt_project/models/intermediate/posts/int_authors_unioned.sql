{#- Every network's accounts, one row per account. Each field takes its latest known value: a later
    observation that lacks a field (a vendor export without bios, a comment author without a name)
    does not blank what an earlier one said.
    Incremental: the pre-hook removes the accounts a run can change (observed in its window's days,
    or with a first-to-last-seen span over them: an observation there may be gone); every account of
    the lake without a row is then rebuilt from all of its observations, so a one-day run profiles
    the day's accounts, not the 840,000 of a 10M-post year, and an account whose only observations
    were replaced is gone. Those accounts are found from the observations' keys alone (to_rebuild),
    and only their observations are read whole: reading every observation whole to keep a few held
    4.2 GB at 10M posts.
    Built after int_posts_unioned: the two full builds each rank a year of rows, and side by side they
    ran out of a 4GB memory limit at 10M posts where each alone fits. -#}
-- depends_on: {{ ref('int_posts_unioned') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_authors_to_rebuild() }}",
) }}
with unioned as (
    {{ union_unified('authors') }}
),

{%- if is_incremental() %}
to_rebuild as (
    select distinct observed.author_key
    from ({{ union_unified('authors', 'author_key') }}) as observed
    where not exists (select 1 from {{ this }} as kept where kept.author_key = observed.author_key)
),
{%- endif %}

observations as (
    select unioned.*
    from unioned
    {%- if is_incremental() %}
    where unioned.author_key in (select to_rebuild.author_key from to_rebuild)
    {%- endif %}
),

ordered as (
    select
        *,
        row_number() over (
            partition by author_key order by observed_at asc nulls first, seen_day asc, source_sha256 asc
        ) as observation_order
    from observations
),

latest as (
    select
        author_key,
        {{ latest_known('network', 'observation_order') }} as network,
        {{ latest_known('author_id', 'observation_order') }} as author_id,
        {{ latest_known('handle', 'observation_order') }} as handle,
        {{ latest_known('display_name', 'observation_order') }} as display_name,
        {{ latest_known('bio', 'observation_order') }} as bio,
        {{ latest_known('location', 'observation_order') }} as location,
        {{ latest_known('followers', 'observation_order') }} as followers,
        {{ latest_known('verified', 'observation_order') }} as verified,
        {{ latest_known('account_created_at', 'observation_order') }} as account_created_at,
        max(seen_day) as seen_day,
        max(observed_at) as observed_at,
        {{ latest_known('source_sha256', 'observation_order') }} as source_sha256,
        min(seen_day) as first_seen_day,
        max(seen_day) as last_seen_day
    from ordered
    group by author_key
)

select * from latest
