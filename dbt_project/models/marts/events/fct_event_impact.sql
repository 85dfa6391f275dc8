{#- What each declared event did to each of its topics: the topic before, during and after, and the
    effect on its volume against a counterfactual from its own pre-event trend and unaffected
    control topics, with a confidence interval. Control topics appear too (role 'control'): the
    same estimate where nothing happened, whose interval should hold 0. -#}
with impacts as (
    select * from {{ ref('int_event_impacts_estimated') }}
),

events as (
    select distinct event_id, event_name, event_kind, origin from {{ ref('stg_events__events') }}
),

periods as (
    select * from {{ ref('int_event_periods_described') }}
),

pivoted as (
    select
        event_id,
        topic_id,
        max(case when period = 'before' then posts_per_day end) as posts_per_day_before,
        max(case when period = 'during' then posts_per_day end) as posts_per_day_during,
        max(case when period = 'after' then posts_per_day end) as posts_per_day_after,
        max(case when period = 'before' then reach_per_day end) as reach_per_day_before,
        max(case when period = 'during' then reach_per_day end) as reach_per_day_during,
        max(case when period = 'after' then reach_per_day end) as reach_per_day_after,
        max(case when period = 'before' then net_sentiment end) as net_sentiment_before,
        max(case when period = 'during' then net_sentiment end) as net_sentiment_during,
        max(case when period = 'after' then net_sentiment end) as net_sentiment_after,
        max(case when period = 'before' then new_author_share end) as new_author_share_before,
        max(case when period = 'during' then new_author_share end) as new_author_share_during,
        max(case when period = 'after' then new_author_share end) as new_author_share_after
    from periods
    group by event_id, topic_id
),

final as (
    select
        impacts.event_id,
        events.event_name,
        events.event_kind,
        events.origin,
        impacts.topic_id,
        impacts.role,
        cast(impacts.start_date as date) as start_date,
        cast(impacts.end_date as date) as end_date,
        pivoted.posts_per_day_before,
        pivoted.posts_per_day_during,
        pivoted.posts_per_day_after,
        pivoted.reach_per_day_before,
        pivoted.reach_per_day_during,
        pivoted.reach_per_day_after,
        pivoted.net_sentiment_before,
        pivoted.net_sentiment_during,
        pivoted.net_sentiment_after,
        pivoted.new_author_share_before,
        pivoted.new_author_share_during,
        pivoted.new_author_share_after,
        impacts.measure,
        cast(impacts.actual as double) as actual,
        cast(impacts.counterfactual as double) as counterfactual,
        cast(impacts.counterfactual_low as double) as counterfactual_low,
        cast(impacts.counterfactual_high as double) as counterfactual_high,
        cast(impacts.effect as double) as effect,
        cast(impacts.effect_low as double) as effect_low,
        cast(impacts.effect_high as double) as effect_high,
        cast(impacts.relative_effect as double) as relative_effect,
        cast(impacts.relative_low as double) as relative_low,
        cast(impacts.relative_high as double) as relative_high,
        cast(impacts.p_value as double) as p_value,
        impacts.significant,
        cast(impacts.r2_pre as double) as r2_pre,
        cast(impacts.pre_start as date) as fit_start,
        cast(impacts.pre_end as date) as fit_end,
        cast(impacts.n_pre as bigint) as fit_days,
        impacts.controls,
        impacts.method
    from impacts
    inner join events on events.event_id = impacts.event_id
    left join pivoted on pivoted.event_id = impacts.event_id and pivoted.topic_id = impacts.topic_id
)

select * from final
