-- evolution_bridges: the $top_bridges accounts that best bridge the communities of each topic in
-- scope per Lima calendar quarter touching the period (fct_bridging_accounts, whole quarters):
-- participation coefficient (0 = one community, 1 = spread evenly), communities reached and
-- interactions on the topic.
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
)

select
    b.topic_id,
    scope.topic_label,
    b.quarter,
    b.bridge_rank,
    b.author_key,
    b.network,
    b.handle,
    b.community,
    b.participation,
    b.share_across,
    b.communities_reached,
    b.interactions
from marts.fct_bridging_accounts as b
inner join scope
    on scope.topic_id = b.topic_id
where b.quarter between cast(date_trunc('quarter', cast($start as date)) as date) and $end
  and b.bridge_rank <= $top_bridges
order by scope.topic_label, b.quarter, b.bridge_rank
