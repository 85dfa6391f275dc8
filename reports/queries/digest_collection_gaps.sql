-- digest_collection_gaps: per network, the days of the week $week_start..$week_end on which nothing
-- was collected although the network is collected then (marts.fct_collection_daily): gaps in
-- collection, not quiet days.
select
    c.network,
    list(c.day order by c.day) as gap_days
from marts.fct_collection_daily as c
where c.day >= $week_start
  and c.day <= $week_end
  and not c.has_collection
group by c.network
order by c.network
