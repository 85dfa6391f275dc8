-- overview_totals: posts, distinct authors, engagement, networks and the period covered.
-- $start / $end: optional inclusive bounds on the Lima calendar day (null = unbounded).
with posts as (
    select
        p.network,
        p.author_key,
        p.engagement,
        p.created_date_lima
    from marts.fct_posts as p
    where ($start is null or p.created_date_lima >= $start)
      and ($end is null or p.created_date_lima <= $end)
)

select
    count(*) as posts,
    count(distinct author_key) as authors,
    coalesce(cast(sum(engagement) as bigint), 0) as engagement,
    count(distinct network) as networks,
    min(created_date_lima) as first_day,
    max(created_date_lima) as last_day,
    date_diff('day', min(created_date_lima), max(created_date_lima)) + 1 as days_in_period
from posts
