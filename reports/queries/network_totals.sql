-- network_totals: posts, distinct authors and engagement per network.
with posts as (
    select
        p.network,
        p.author_key,
        p.engagement
    from marts.fct_posts as p
    where ($start is null or p.created_date_lima >= $start)
      and ($end is null or p.created_date_lima <= $end)
)

select
    network,
    count(*) as posts,
    count(distinct author_key) as authors,
    coalesce(cast(sum(engagement) as bigint), 0) as engagement
from posts
group by network
order by posts desc, network
