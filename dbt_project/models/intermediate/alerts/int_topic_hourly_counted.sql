{#- Posts each topic finds relevant, per UTC hour: the series the volume alerts watch. Hours
    without posts are absent (the detection fills them with zeros). -#}
with relevant as (
    select topic_id, created_at
    from {{ ref('fct_post_topics') }}
    where is_relevant
),

hourly as (
    select
        topic_id,
        {{ dbt.date_trunc('hour', 'created_at') }} as hour,
        cast(count(*) as bigint) as posts
    from relevant
    group by topic_id, {{ dbt.date_trunc('hour', 'created_at') }}
)

select * from hourly
