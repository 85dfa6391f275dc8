with topics as (
    select * from {{ ref('topics') }}
),

keywords as (
    select topic_id, count(*) as keywords
    from {{ ref('topic_keywords') }}
    group by topic_id
),

final as (
    select
        topics.topic_id,
        topics.topic_label,
        topics.programme_id,
        topics.programme_label,
        cast(coalesce(keywords.keywords, 0) as bigint) as keywords
    from topics
    left join keywords on keywords.topic_id = topics.topic_id
)

select * from final
