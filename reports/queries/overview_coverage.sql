-- overview_coverage: per network, posts, first and last day, and days with at least one post,
-- against the whole period of the page (first to last day over all networks).
with posts as (
    select
        p.network,
        p.created_date_lima
    from marts.fct_posts as p
    where ($start is null or p.created_date_lima >= $start)
      and ($end is null or p.created_date_lima <= $end)
),

period as (
    select
        min(created_date_lima) as first_day,
        max(created_date_lima) as last_day
    from posts
),

by_network as (
    select
        network,
        count(*) as posts,
        min(created_date_lima) as first_day,
        max(created_date_lima) as last_day,
        count(distinct created_date_lima) as days_with_data
    from posts
    group by network
)

select
    n.network,
    n.posts,
    n.first_day,
    n.last_day,
    n.days_with_data,
    date_diff('day', period.first_day, period.last_day) + 1 as days_in_period,
    cast(n.days_with_data as double)
        / (date_diff('day', period.first_day, period.last_day) + 1) as share_of_period
from by_network as n
cross join period
order by n.posts desc, n.network
