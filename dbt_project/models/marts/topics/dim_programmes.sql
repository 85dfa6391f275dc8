with programmes as (
    select * from {{ ref('stg_topics__programmes') }}
),

topics as (
    select programme_id, cast(count(*) as bigint) as topics
    from {{ ref('stg_topics__versions') }}
    where is_current and active
    group by programme_id
),

final as (
    select
        programmes.programme_id,
        programmes.programme_label,
        programmes.focal_points,
        programmes.recipients,
        coalesce(topics.topics, 0) as topics
    from programmes
    left join topics on topics.programme_id = programmes.programme_id
)

select * from final
