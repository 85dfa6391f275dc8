-- evolution_demographics: who took part in each topic in scope in the last Lima calendar month of
-- the period that has figures (fct_topic_demographics), per dimension (account type; gender and
-- age band of persons; region) and value: authors, posts and their share of the dimension's
-- authors. Withheld cells (is_suppressed: fewer than 10 authors, or a complement that would
-- reveal one) carry no figure and nothing is computed from them.
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

cells as (
    select g.*
    from marts.fct_topic_demographics as g
    inner join scope
        on scope.topic_id = g.topic_id
    where g.month between cast(date_trunc('month', cast($start as date)) as date) and $end
),

last_month as (
    select max(month) as month from cells
)

select
    c.topic_id,
    scope.topic_label,
    c.month,
    c.dimension,
    case c.dimension when 'account_type' then 1 when 'gender' then 2 when 'age_band' then 3 else 4 end
        as dimension_order,
    c.value,
    c.is_suppressed,
    case when not c.is_suppressed then c.authors end as authors,
    case when not c.is_suppressed then c.posts end as posts,
    case when not c.is_suppressed then cast(c.authors as double) / nullif(c.group_authors, 0) end
        as share_of_group,
    c.group_authors,
    c.share_known
from cells as c
inner join last_month
    on last_month.month = c.month
inner join scope
    on scope.topic_id = c.topic_id
order by
    scope.topic_label,
    dimension_order,
    c.is_suppressed,
    case when c.value = 'unknown' then 1 else 0 end,
    authors desc,
    c.value
