-- evolution_gaps: the runs of consecutive days in the period on which a network collected nothing
-- (fct_collection_daily.has_collection = false): first and last day and length of each gap.
with gap_days as (
    select
        c.network,
        c.day,
        c.day - cast(row_number() over (partition by c.network order by c.day) as integer) as run
    from marts.fct_collection_daily as c
    where c.day between $start and $end
      and not c.has_collection
)

select
    network,
    min(day) as gap_start,
    max(day) as gap_end,
    count(*) as days
from gap_days
group by network, run
order by gap_start, network
