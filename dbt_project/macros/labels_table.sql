{#- The analysts' labels table (on-run-start): dbt reads it as a source and never rebuilds it;
    `escucha label add` and analysts' SQL inserts write to it. -#}
{% macro create_labels_table() -%}
    create schema if not exists labels;
    create table if not exists labels.topic_labels (
        topic_id varchar not null,
        post_key varchar not null,
        relevant boolean not null,
        labelled_by varchar not null,
        labelled_at timestamp not null default (cast(now() at time zone 'UTC' as timestamp)),
        note varchar
    );
{%- endmacro %}
