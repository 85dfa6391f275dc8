-- evolution_topic_versions: the topic (and model) versions behind the period's figures, per topic
-- in scope (fct_topic_daily.topic_version), with the days they cover and who made each version,
-- when and why (dim_topic_versions); is_current says whether it is still the topic's definition.
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

used as (
    select
        d.topic_id,
        d.topic_version,
        max(d.model_version) as model_version,
        max(d.decided_by) as decided_by,
        min(d.day) as first_day,
        max(d.day) as last_day,
        cast(sum(d.posts) as bigint) as posts
    from marts.fct_topic_daily as d
    inner join scope
        on scope.topic_id = d.topic_id
    where d.day between $start and $end
    group by all
)

select
    used.topic_id,
    scope.topic_label,
    used.topic_version,
    used.model_version,
    used.decided_by,
    used.first_day,
    used.last_day,
    used.posts,
    v.is_current,
    v.changed_by,
    v.changed_at,
    v.note
from used
inner join scope
    on scope.topic_id = used.topic_id
left join marts.dim_topic_versions as v
    on v.topic_id = used.topic_id
    and v.topic_version = used.topic_version
order by scope.topic_label, used.topic_version
