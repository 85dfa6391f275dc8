{#- Every network's accounts, one row per account, from its latest observation. -#}
with unioned as (
    {{ union_unified('authors') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by author_key order by observed_at desc nulls last, seen_day desc, source_sha256 desc
        ) as observation_rank,
        min(seen_day) over (partition by author_key) as first_seen_day,
        max(seen_day) over (partition by author_key) as last_seen_day
    from unioned
)

select * exclude (observation_rank)
from ranked
where observation_rank = 1
