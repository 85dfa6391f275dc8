{# Accounts that bridge the communities of a topic per Lima quarter: how evenly their interaction
   spreads over communities (participation) and how much of it leaves their own. #}
with scored as (
    select * from {{ ref('int_bridging_accounts_scored') }}
),

members as (
    select topic_id, period_start, author_key, community_size, pagerank, handle
    from {{ ref('int_community_members_detected') }}
),

authors as (
    select author_key, network from {{ ref('dim_authors') }}
),

final as (
    select
        scored.topic_id,
        scored.period_start as quarter,
        scored.bridge_rank,
        scored.author_key,
        authors.network,
        members.handle,
        scored.community,
        members.community_size,
        scored.degree as interactions,
        scored.participation,
        scored.external_share as share_across,
        scored.communities_reached,
        members.pagerank,
        scored.topic_version,
        scored.model_version,
        scored.data_through
    from scored
    inner join members
        on members.topic_id = scored.topic_id
        and members.period_start = scored.period_start
        and members.author_key = scored.author_key
    left join authors on authors.author_key = scored.author_key
)

select * from final
