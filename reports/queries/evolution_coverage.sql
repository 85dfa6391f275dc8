-- evolution_coverage: per network, over the days of the period its collection spans
-- (fct_collection_daily): days collected, days with no collection at all (gaps, not silence),
-- first and last day collected and the posts landed (all posts, not only the topics'); and over
-- all networks, the first and last day collected and the gap days.
with days as (
    select
        c.network,
        c.day,
        c.has_collection,
        c.posts
    from marts.fct_collection_daily as c
    where c.day between $start and $end
)

select
    network,
    count(*) as days_spanned,
    count(*) filter (where has_collection) as days_collected,
    count(*) filter (where not has_collection) as gap_days,
    min(day) filter (where has_collection) as first_day,
    max(day) filter (where has_collection) as last_day,
    cast(sum(posts) as bigint) as posts,
    date_diff('day', cast($start as date), cast($end as date)) + 1 as days_in_period,
    min(min(day) filter (where has_collection)) over () as data_first_day,
    max(max(day) filter (where has_collection)) over () as data_last_day,
    sum(count(*) filter (where not has_collection)) over () as gap_days_total
from days
group by network
order by posts desc, network
