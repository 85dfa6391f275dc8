-- evolution_scope: the programmes a conversation-evolution report covers ($programme, or all
-- when null), with the topics of each that the report reads (dim_topics: current, active topics).
with programmes as (
    select
        p.programme_id,
        coalesce(p.programme_label, p.programme_id) as programme_label
    from marts.dim_programmes as p
    where $programme is null or p.programme_id = $programme
),

topics as (
    select
        t.programme_id,
        count(*) as topics,
        string_agg(coalesce(t.topic_label, t.topic_id), ', ' order by coalesce(t.topic_label, t.topic_id))
            as topic_labels
    from marts.dim_topics as t
    group by t.programme_id
)

select
    programmes.programme_id,
    programmes.programme_label,
    coalesce(topics.topics, 0) as topics,
    topics.topic_labels
from programmes
left join topics
    on topics.programme_id = programmes.programme_id
order by programmes.programme_label
