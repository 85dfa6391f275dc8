{#- marts.dim_topics records the topic and model versions the last successful build applied. The
    topic models compare the current versions against it to re-apply a changed topic to every day.
    It is looked up by name (not ref) because dim_topics is built after them. -#}
{% macro applied_topics_relation() -%}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema='marts', identifier='dim_topics')) }}
{%- endmacro %}

{#- Current topic models, with whole_year true when the model or the topic's rules changed since the
    last build (or on a first or full build). -#}
{% macro current_topic_models() -%}
    {%- set applied = applied_topics_relation() %}
    select
        models.topic_id,
        models.model_version,
        models.intercept,
        models.threshold,
        versions.topic_version,
        {% if applied -%}
        applied.topic_id is null
        {%- else -%}
        true
        {%- endif %} as whole_year
    from {{ ref('stg_topics__models') }} as models
    inner join {{ ref('stg_topics__versions') }} as versions
        on versions.topic_id = models.topic_id and versions.is_current and versions.active
    {%- if applied %}
    left join {{ applied }} as applied
        on applied.topic_id = models.topic_id
        and applied.topic_version = versions.topic_version
        and applied.model_version = models.model_version
    {%- endif %}
    where models.is_current
{%- endmacro %}

{#- Pre-hook of int_post_topic_scores: drop the window's rows and every row of a topic whose model
    is re-applied to the whole year, or that has no current model any more. -#}
{% macro delete_stale_topic_scores() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ in_window('created_at') }}
        or topic_id not in (select topic_id from ({{ current_topic_models() }}) as m where not m.whole_year)
    {%- endif -%}
{%- endmacro %}
