{#- The learned topic models scored in SQL: a model is a linear model over binary features (the
    words and word pairs of the match text, and whether the rules matched), so a post's score is
    sigmoid(intercept + the sum of the weights of its features). Rows are kept where the score
    passes the model's threshold or the rules matched, so marts carry both. Window-incremental; a
    new model version, or a changed query, is re-scored over the whole year. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_stale_topic_scores() }}",
) }}

with models as (
    {{ current_topic_models() }}
),

weights as (
    select weights.topic_id, weights.feature, weights.weight
    from {{ ref('stg_topics__model_weights') }} as weights
    inner join models
        on models.topic_id = weights.topic_id and models.model_version = weights.model_version
),

posts as (
    select post_key, created_at, match_text
    from {{ ref('int_posts_searchable') }}
    where {{ in_window('created_at') }}
        or exists (select 1 from models where models.whole_year)
),

post_features as (
    select post_key, created_at, {{ unnest_list(text_features(words_of('match_text'))) }} as feature
    from posts
),

feature_sums as (
    select post_features.post_key, post_features.created_at, weights.topic_id, sum(weights.weight) as weight_sum
    from post_features
    inner join weights on weights.feature = post_features.feature and weights.feature <> '__rule__'
    group by post_features.post_key, post_features.created_at, weights.topic_id
),

rule_matches as (
    select post_key, created_at, topic_id
    from {{ ref('int_post_topics_matched') }}
    where {{ in_window('created_at') }}
        or topic_id in (select topic_id from models where models.whole_year)
),

candidates as (
    select
        coalesce(feature_sums.post_key, rule_matches.post_key) as post_key,
        coalesce(feature_sums.created_at, rule_matches.created_at) as created_at,
        coalesce(feature_sums.topic_id, rule_matches.topic_id) as topic_id,
        coalesce(feature_sums.weight_sum, 0) as weight_sum,
        rule_matches.post_key is not null as matched_by_rule
    from feature_sums
    full outer join rule_matches
        on rule_matches.post_key = feature_sums.post_key and rule_matches.topic_id = feature_sums.topic_id
),

scored as (
    select
        candidates.post_key,
        candidates.created_at,
        candidates.topic_id,
        models.model_version,
        1.0 / (1.0 + exp(-(models.intercept + candidates.weight_sum
            + case when candidates.matched_by_rule then coalesce(rule_weight.weight, 0) else 0 end)))
            as model_score,
        models.threshold,
        candidates.matched_by_rule
    from candidates
    inner join models on models.topic_id = candidates.topic_id
    left join weights as rule_weight
        on rule_weight.topic_id = candidates.topic_id and rule_weight.feature = '__rule__'
    where models.whole_year or {{ in_window('candidates.created_at') }}
),

final as (
    select post_key, created_at, topic_id, model_version, model_score
    from scored
    where model_score >= threshold or matched_by_rule
)

select * from final
