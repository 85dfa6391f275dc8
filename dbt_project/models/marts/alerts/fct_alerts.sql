{#- Every alert: episodes of unusual volume per topic (one per event, updated as it goes on) and
    viral posts (posts with far more interactions than their account usually gets). The alerts
    sensor sends the new ones and each rise in severity to the programme's focal points. -#}
with episodes as (
    select * from {{ ref('int_volume_alerts_grouped') }}
),

topics as (
    select topic_id, topic_label, programme_id
    from {{ ref('stg_topics__versions') }}
    where is_current and active
),

posts as (
    select post_key, created_at, first_seen_at, engagement, expected_interactions, overperformance
    from {{ ref('fct_posts') }}
),

data_end as (
    select max(created_at) as last_post_at from posts
),

volume as (
    select
        episodes.alert_id,
        'volume_spike' as kind,
        episodes.topic_id,
        episodes.severity,
        episodes.first_severity,
        episodes.onset,
        episodes.detected_at,
        episodes.last_seen,
        cast(episodes.periods as bigint) as periods,
        episodes.granularities,
        cast(episodes.peak_posts as bigint) as peak_posts,
        cast(episodes.peak_posts as double) / nullif(episodes.peak_ratio, 0) as baseline,
        cast(episodes.peak_ratio as double) as ratio,
        cast(episodes.peak_zscore as double) as zscore,
        cast(null as varchar) as post_key
    from episodes
),

viral as (
    select
        'viral:' || post_topics.topic_id || ':' || posts.post_key as alert_id,
        'viral_post' as kind,
        post_topics.topic_id,
        case
            when posts.overperformance >= {{ var('viral_critical_ratio', 100) }} then 'critical'
            when posts.overperformance >= {{ var('viral_high_ratio', 50) }} then 'high'
            else 'medium'
        end as severity,
        case
            when posts.overperformance >= {{ var('viral_critical_ratio', 100) }} then 'critical'
            when posts.overperformance >= {{ var('viral_high_ratio', 50) }} then 'high'
            else 'medium'
        end as first_severity,
        posts.created_at as onset,
        coalesce(posts.first_seen_at, posts.created_at) as detected_at,
        coalesce(posts.first_seen_at, posts.created_at) as last_seen,
        cast(1 as bigint) as periods,
        'post' as granularities,
        posts.engagement as peak_posts,
        posts.expected_interactions as baseline,
        posts.overperformance as ratio,
        cast(null as double) as zscore,
        posts.post_key
    from posts
    inner join {{ ref('fct_post_topics') }} as post_topics
        on post_topics.post_key = posts.post_key and post_topics.is_relevant
    where posts.overperformance >= {{ var('viral_min_ratio', 20) }}
        and posts.engagement >= {{ var('viral_min_interactions', 200) }}
),

alerts as (
    select * from volume
    union all
    select * from viral
),

final as (
    select
        alerts.alert_id,
        alerts.kind,
        alerts.topic_id,
        topics.topic_label,
        topics.programme_id,
        alerts.severity,
        alerts.first_severity,
        alerts.onset,
        alerts.detected_at,
        alerts.last_seen,
        case
            when alerts.last_seen >= {{ dbt.dateadd('hour', -24, 'data_end.last_post_at') }} then 'active'
            else 'closed'
        end as status,
        alerts.periods,
        alerts.granularities,
        alerts.peak_posts,
        alerts.baseline,
        alerts.ratio,
        alerts.zscore,
        alerts.post_key
    from alerts
    inner join topics on topics.topic_id = alerts.topic_id
    cross join data_end
)

select * from final
