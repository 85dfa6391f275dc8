-- evolution_last_day: the last Lima day with any collection, and the first, over the whole
-- warehouse (fct_collection_daily); the report periods are derived from the last one.
with collected as (
    select c.day
    from marts.fct_collection_daily as c
    where c.has_collection
)

select
    min(day) as first_day,
    max(day) as last_day
from collected
