{#- Every post a topic's rules match or its model scores as relevant, with both verdicts, the
    topic and model versions that produced them, and which verdict counts (is_relevant): the
    model's when the topic is set to use its model and one is trained, otherwise the rules'.
    It carries the post's author, engagement and sentiment (from fct_posts): the marts and pages
    that count a topic's authors, engagement or sentiment read them here instead of each joining
    the year's posts again. -#}
with rules as (
    select * from {{ ref('int_post_topics_matched') }}
),

scores as (
    select * from {{ ref('int_post_topic_scores') }}
),

topics as (
    select topic_id, topic_version, use_model
    from {{ ref('stg_topics__versions') }}
    where is_current and active
),

models as (
    select topic_id, model_version, threshold
    from {{ ref('stg_topics__models') }}
    where is_current
),

posts as (
    select post_key, author_key, engagement, sentiment
    from {{ ref('fct_posts') }}
),

joined as (
    select
        coalesce(rules.post_key, scores.post_key) as post_key,
        coalesce(rules.topic_id, scores.topic_id) as topic_id,
        coalesce(rules.created_at, scores.created_at) as created_at,
        rules.post_key is not null as matched_by_rule,
        rules.matched_terms,
        scores.model_version,
        scores.model_score,
        scores.model_score >= models.threshold as matched_by_model
    from rules
    full outer join scores
        on scores.post_key = rules.post_key and scores.topic_id = rules.topic_id
    left join models
        on models.topic_id = scores.topic_id and models.model_version = scores.model_version
),

final as (
    select
        joined.post_key,
        joined.topic_id,
        topics.topic_version,
        joined.created_at,
        {{ lima_date('joined.created_at') }} as created_date_lima,
        posts.author_key,
        posts.engagement,
        posts.sentiment,
        joined.matched_by_rule,
        joined.matched_terms,
        joined.model_version,
        cast(joined.model_score as double) as model_score,
        coalesce(joined.matched_by_model, false) as matched_by_model,
        case when topics.use_model and joined.model_version is not null then 'model' else 'rules' end
            as decided_by,
        case
            when topics.use_model and joined.model_version is not null then coalesce(joined.matched_by_model, false)
            else joined.matched_by_rule
        end as is_relevant
    from joined
    inner join topics on topics.topic_id = joined.topic_id
    left join posts on posts.post_key = joined.post_key
)

select * from final
