{# Cross-community exposure per topic and Lima quarter: how much of the topic's interaction crosses
   between communities, against what it would be if interaction ignored them. #}
with measured as (
    select * from {{ ref('int_topic_exposure_measured') }}
),

final as (
    select
        topic_id,
        period_start as quarter,
        accounts,
        communities,
        total_weight as interactions,
        cross_weight as interactions_across,
        cross_share,
        expected_cross_share,
        exposure_ratio,
        topic_version,
        model_version,
        data_through
    from measured
)

select * from final
