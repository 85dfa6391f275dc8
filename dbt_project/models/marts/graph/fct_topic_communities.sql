{# The communities (echo chambers) of each topic per Lima quarter, described by their top accounts,
   hashtags and words, with how much of their interaction crosses their border. #}
with described as (
    select * from {{ ref('int_communities_described') }}
),

final as (
    select
        topic_id,
        period_start as quarter,
        community,
        size as accounts,
        posts,
        internal_weight as interactions_inside,
        external_weight as interactions_across,
        external_share as share_across,
        top_accounts,
        top_handles,
        top_hashtags,
        top_words,
        topic_version,
        model_version,
        data_through
    from described
)

select * from final
