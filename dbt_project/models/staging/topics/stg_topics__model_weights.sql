-- depends_on: {{ ref('int_topic_models_trained') }}
with source as (
    -- lake/_meta/topic_model_weights.parquet, written by int_topic_models_trained earlier in the same build
    select * from {{ lake_meta_file('topic_model_weights') }}
),

renamed as (
    select
        topic_id,
        cast(model_version as bigint) as model_version,
        feature,
        weight
    from source
)

select * from renamed
