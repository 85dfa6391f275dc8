-- evolution_exposure: per topic in scope and Lima calendar quarter touching the period (the whole
-- quarter, as fct_topic_exposure measures it), the interaction graph's accounts and communities,
-- the share of interaction that crosses communities, the share expected if interaction ignored
-- them, and their ratio (1 = no echo chambers, near 0 = closed ones), and the last UTC day of
-- posts the quarter's graph holds (a running quarter's graph is computed every 7 days of data).
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
)

select
    x.topic_id,
    scope.topic_label,
    x.quarter,
    x.accounts,
    x.communities,
    x.interactions,
    x.cross_share,
    x.expected_cross_share,
    x.exposure_ratio,
    x.data_through
from marts.fct_topic_exposure as x
inner join scope
    on scope.topic_id = x.topic_id
where x.quarter between cast(date_trunc('quarter', cast($start as date)) as date) and $end
order by scope.topic_label, x.quarter
