{# Who leads each topic's debate, per Lima month: every account that posted on the topic or
   received an interaction on it, with its measures, its percentile on each, and the overall rank
   with the reasons that put it there.
   Incremental by slice (macros/incremental_slices.sql): a build writes only the topic-months whose
   ranking changed, not the year's ranks again. #}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['topic_id', 'month'],
    on_schema_change='fail',
    post_hook="{{ delete_slices_gone(ref('int_author_influence_ranked'), {'topic_id': 'topic_id', 'month': 'period_start'}) }}",
) }}
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
{%- if is_incremental() %}
where {{ in_changed_slice('final', ['topic_id', 'month']) }}
{%- endif %}
