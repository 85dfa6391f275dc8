with source as (
    select * from {{ source('topics', 'models') }}
),

renamed as (
    select
        topic_id,
        cast(model_version as bigint) as model_version,
        cast(topic_version as bigint) as trained_on_topic_version,
        trained_at,
        cast(labels as bigint) as labels,
        cast(heldout as bigint) as heldout_labels,
        intercept,
        threshold,
        model_precision,
        model_recall,
        model_f1,
        rule_precision,
        rule_recall,
        rule_f1,
        is_current
    from source
)

select * from renamed
