-- depends_on: {{ ref('int_topic_models_trained') }}
with source as (
    -- lake/_meta/topic_models.parquet, written by int_topic_models_trained earlier in the same build
    select * from {{ lake_meta_file('topic_models') }}
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
