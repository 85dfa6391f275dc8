-- evolution_events: the declared events (config/events.yaml, measured in fct_event_impact) that
-- overlap the period, for the topics in scope they name (role affected): before / during / after
-- figures, the effect on volume (relative, with its 95% interval), whether it is significant,
-- how it was estimated, and how the same estimate fared on the control topics (placebos that
-- should find nothing). origin = 'demo' marks an event invented for the demo data.
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

controls as (
    select
        e.event_id,
        count(*) as controls_tested,
        count(*) filter (where e.significant) as controls_significant
    from marts.fct_event_impact as e
    where e.role = 'control'
    group by e.event_id
)

select
    e.event_id,
    e.event_name,
    e.event_kind,
    e.origin,
    e.topic_id,
    scope.topic_label,
    e.start_date,
    e.end_date,
    e.posts_per_day_before,
    e.posts_per_day_during,
    e.posts_per_day_after,
    e.net_sentiment_before,
    e.net_sentiment_during,
    e.net_sentiment_after,
    e.actual,
    e.counterfactual,
    e.relative_effect,
    e.relative_low,
    e.relative_high,
    e.significant,
    e.p_value,
    e.r2_pre,
    e.method,
    coalesce(controls.controls_tested, 0) as controls_tested,
    coalesce(controls.controls_significant, 0) as controls_significant
from marts.fct_event_impact as e
inner join scope
    on scope.topic_id = e.topic_id
left join controls
    on controls.event_id = e.event_id
where e.role = 'affected'
  and e.start_date <= $end
  and coalesce(e.end_date, e.start_date) >= $start
order by e.start_date, e.event_id, scope.topic_label
