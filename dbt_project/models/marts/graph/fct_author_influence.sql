{# Who leads each topic's debate, per Lima month: every account that posted on the topic or
   received an interaction on it, with its measures, its percentile on each, and the overall rank
   with the reasons that put it there. #}
with ranked as (
    select * from {{ ref('int_author_influence_ranked') }}
),

final as (
    select
        topic_id,
        period_start as month,
        author_key,
        network,
        handle,
        posts,
        original_posts,
        engagement,
        cast(followers as bigint) as followers,
        engagement_rate,
        interactions_received,
        interactions_made,
        pagerank,
        score,
        overall_rank,
        network_rank,
        n_accounts,
        rank_reasons,
        pagerank_pct,
        engagement_pct,
        followers_pct,
        engagement_rate_pct,
        posts_pct,
        topic_version,
        model_version,
        data_through
    from ranked
)

select * from final
