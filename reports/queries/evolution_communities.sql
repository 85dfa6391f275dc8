-- evolution_communities: the $top_communities largest communities of each topic in scope per
-- Lima calendar quarter touching the period (fct_topic_communities, whole quarters): accounts,
-- posts, the share of their interaction that leaves the community, their most central handles,
-- hashtags and words.
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

ranked as (
    select
        c.*,
        row_number() over (partition by c.topic_id, c.quarter order by c.accounts desc, c.community)
            as size_rank
    from marts.fct_topic_communities as c
    inner join scope
        on scope.topic_id = c.topic_id
    where c.quarter between cast(date_trunc('quarter', cast($start as date)) as date) and $end
)

select
    r.topic_id,
    scope.topic_label,
    r.quarter,
    r.community,
    r.size_rank,
    r.accounts,
    r.posts,
    r.share_across,
    array_to_string(list_transform(list_slice(r.top_handles, 1, 3), lambda h: '@' || h), ', ') as top_handles,
    array_to_string(list_transform(list_slice(r.top_hashtags, 1, 4), lambda h: '#' || h), ' ') as top_hashtags,
    array_to_string(list_slice(r.top_words, 1, 5), ', ') as top_words
from ranked as r
inner join scope
    on scope.topic_id = r.topic_id
where r.size_rank <= $top_communities
order by scope.topic_label, r.quarter, r.size_rank
