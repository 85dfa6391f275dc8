{#- The posts behind each alert, most engaging first: for a volume alert the topic's relevant posts
    between its onset and its last anomalous period (top 5), for a viral post the post itself. -#}
with alerts as (
    select alert_id, kind, topic_id, onset, last_seen, post_key
    from {{ ref('fct_alerts') }}
),

relevant as (
    select post_key, topic_id
    from {{ ref('fct_post_topics') }}
    where is_relevant
),

posts as (
    select post_key, network, author_key, created_at, text, engagement
    from {{ ref('fct_posts') }}
),

authors as (
    select author_key, handle from {{ ref('dim_authors') }}
),

volume_posts as (
    select alerts.alert_id, posts.*
    from alerts
    inner join relevant on relevant.topic_id = alerts.topic_id
    inner join posts
        on posts.post_key = relevant.post_key
        and posts.created_at >= alerts.onset and posts.created_at < alerts.last_seen
    where alerts.kind = 'volume_spike'
),

viral_posts as (
    select alerts.alert_id, posts.*
    from alerts
    inner join posts on posts.post_key = alerts.post_key
    where alerts.kind = 'viral_post'
),

ranked as (
    select
        *,
        row_number() over (partition by alert_id order by engagement desc, post_key) as post_rank
    from (
        select * from volume_posts
        union all
        select * from viral_posts
    ) as candidates
),

final as (
    select
        ranked.alert_id,
        cast(ranked.post_rank as bigint) as post_rank,
        ranked.post_key,
        ranked.network,
        ranked.author_key,
        authors.handle as author_handle,
        ranked.created_at,
        ranked.text,
        ranked.engagement
    from ranked
    left join authors on authors.author_key = ranked.author_key
    where ranked.post_rank <= 5
)

select * from final
