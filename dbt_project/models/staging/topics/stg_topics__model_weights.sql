with source as (
    select * from {{ source('topics', 'model_weights') }}
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
