{#- The staging models that end in the unified post and author shapes, by name prefix: one list, so
    adding a connector's staging models (<prefix>posts, <prefix>authors) means adding them here once. -#}
{% macro unified_staging_prefixes() -%}
    {{ return(['stg_x__', 'stg_facebook__', 'stg_instagram__', 'stg_tiktok__', 'stg_youtube__',
               'stg_reddit__', 'stg_facebook__mcl_', 'stg_instagram__mcl_', 'stg_vendor__',
               'stg_mapped__']) }}
{%- endmacro %}

{#- `select <columns> from` every unified staging model of one kind (posts or authors), unioned. -#}
{% macro union_unified(kind, columns='*') -%}
    {%- for prefix in unified_staging_prefixes() %}
    select {{ columns }} from {{ ref(prefix ~ kind) }}
    {%- if not loop.last %}
    union all{% endif %}
    {%- endfor %}
{%- endmacro %}
