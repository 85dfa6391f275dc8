{#- Every network's accounts, one row per account. Each field takes its latest known value: a later
    observation that lacks a field (a vendor export without bios, a comment author without a name)
    does not blank what an earlier one said. -#}
with unioned as (
    {{ union_unified('authors') }}
),

ordered as (
    select
        *,
        row_number() over (
            partition by author_key order by observed_at asc nulls first, seen_day asc, source_sha256 asc
        ) as observation_order
    from unioned
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
