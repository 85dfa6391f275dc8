{#- The current version of every active topic, with its programme, query and model. Built after
    fct_post_topics, so it also records which versions the warehouse has applied (the topic
    models re-apply a topic to the whole year when its current version differs from this). #}
-- depends_on: {{ ref('fct_post_topics') }}

with versions as (
    select * from {{ ref('stg_topics__versions') }} where is_current and active
),

programmes as (
    select * from {{ ref('stg_topics__programmes') }}
),

models as (
    select * from {{ ref('stg_topics__models') }} where is_current
),

labels as (
    select
        topic_id,
        cast(count(*) as bigint) as labels,
        cast(count(*) filter (where relevant) as bigint) as labels_relevant
    from {{ ref('stg_labels__topic_labels') }}
    group by topic_id
),

final as (
    select
        versions.topic_id,
        versions.topic_label,
        versions.programme_id,
        programmes.programme_label,
        versions.topic_version,
        versions.query,
        versions.use_model,
        case when versions.use_model and models.model_version is not null then 'model' else 'rules' end
            as decided_by,
        models.model_version,
        models.threshold as model_threshold,
        models.model_precision,
        models.model_recall,
        models.model_f1,
        models.rule_precision,
        models.rule_recall,
        models.rule_f1,
        coalesce(labels.labels, 0) as labels,
        coalesce(labels.labels_relevant, 0) as labels_relevant,
        versions.changed_by,
        versions.changed_at
    from versions
    left join programmes on programmes.programme_id = versions.programme_id
    left join models on models.topic_id = versions.topic_id
    left join labels on labels.topic_id = versions.topic_id
)

select * from final
