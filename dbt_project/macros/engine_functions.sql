{#-
  The few engine-specific expressions, in one place. DuckDB is the embedded default; a Spark
  implementation goes beside each (dispatch by adapter) when the models move to dbt-spark.
-#}

{# Text for keyword matching: lower case, accents removed, every non-alphanumeric run one space,
   padded with spaces so that ' keyword ' matches whole words and phrases. #}
{% macro normalize_text(expr) -%}
    {{ return(adapter.dispatch('normalize_text', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__normalize_text(expr) -%}
    (' ' || trim(regexp_replace(lower(strip_accents(coalesce({{ expr }}, ''))), '[^a-z0-9]+', ' ', 'g')) || ' ')
{%- endmacro %}
{% macro spark__normalize_text(expr) -%}
    (' ' || trim(regexp_replace(lower(translate(coalesce({{ expr }}, ''), 'áéíóúüñÁÉÍÓÚÜÑ', 'aeiouunAEIOUUN')), '[^a-z0-9]+', ' ')) || ' ')
{%- endmacro %}

{# The calendar day in Lima of a UTC timestamp (stored without zone). #}
{% macro lima_date(expr) -%}
    {{ return(adapter.dispatch('lima_date', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__lima_date(expr) -%}
    cast(timezone('America/Lima', timezone('UTC', {{ expr }})) as date)
{%- endmacro %}
{% macro spark__lima_date(expr) -%}
    to_date(from_utc_timestamp({{ expr }}, 'America/Lima'))
{%- endmacro %}

{# Hashtags written in a text, without the '#'. #}
{% macro hashtags_in(expr) -%}
    {{ return(adapter.dispatch('hashtags_in', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__hashtags_in(expr) -%}
    regexp_extract_all({{ expr }}, '#([\p{L}\p{N}_]+)', 1)
{%- endmacro %}

{# Accounts mentioned in a text, without the '@'. #}
{% macro mentions_in(expr) -%}
    {{ return(adapter.dispatch('mentions_in', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__mentions_in(expr) -%}
    regexp_extract_all({{ expr }}, '@([A-Za-z0-9_.]+)', 1)
{%- endmacro %}

{# Web links written in a text (for formats that give no link entities). #}
{% macro urls_in(expr) -%}
    {{ return(adapter.dispatch('urls_in', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__urls_in(expr) -%}
    regexp_extract_all({{ expr }}, 'https?://[^\s<>"]*[^\s<>".,;:!?)\]]')
{%- endmacro %}

{#- One end of the run's window of UTC days ('min_date' or 'max_date'): the var when given (unit
    tests, a dbt build by hand), else ESCUCHA_WINDOW_START / ESCUCHA_WINDOW_END, which Dagster sets
    for its dbt process. The environment is read only when a model runs, never while parsing, so a
    new window does not make dbt parse the project again (new --vars would). Python twin:
    escucha.run_window.window. -#}
{% macro run_window_bound(name) -%}
    {%- set given = var(name, '') -%}
    {%- if not given and execute -%}
        {%- set given = env_var('ESCUCHA_WINDOW_START' if name == 'min_date' else 'ESCUCHA_WINDOW_END', '') -%}
    {%- endif -%}
    {{- return(given or ('0001-01-01' if name == 'min_date' else '9999-12-31')) -}}
{%- endmacro %}

{#- The run's window of UTC days: an incremental model deletes and rebuilds exactly these days.
    Without a window, every day. `expr` is a timestamp, compared as a range (not cast to a date) so
    the engine can skip the files and row groups outside the window: a one-day run then reads a
    day of the lake, not the year. days_before / days_after widen it (a Lima day straddles two UTC
    days). -#}
{% macro in_window(expr, days_before=0, days_after=0) -%}
    {%- if is_incremental() -%}
    {{ expr }} >= cast('{{ run_window_bound("min_date") }}' as date) - {{ days_before }}
        and {{ expr }} < cast('{{ run_window_bound("max_date") }}' as date) + {{ 1 + days_after }}
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a window-incremental model: remove the window's rows before they are appended again. -#}
{% macro delete_window(expr, days_before=0) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where {{ in_window(expr, days_before) }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of int_authors_unioned: remove the accounts observed in the run's window of days and
    those whose first-to-last-seen span overlaps it (they may have lost an observation there); the
    model then rebuilds every account of the lake that has no row. -#}
{% macro delete_authors_to_rebuild() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where (first_seen_day < cast('{{ run_window_bound("max_date") }}' as date) + 1
           and last_seen_day >= cast('{{ run_window_bound("min_date") }}' as date))
       or author_key in (
           select observed.author_key
           from ({{ union_unified('authors', 'author_key, seen_day') }}) as observed
           where {{ in_window('observed.seen_day') }}
       )
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of fct_posts: posts outside the run's window whose sentiment was rescored (a new
    lexicon rescores every post, whatever the window) take their new sentiment. -#}
{% macro sync_rescored_sentiments() -%}
    {{ return(adapter.dispatch('sync_rescored_sentiments', 'escucha')()) }}
{%- endmacro %}
{% macro default__sync_rescored_sentiments() -%}
    {%- if is_incremental() -%}
    update {{ this }} as built
    set sentiment = scored.sentiment, sentiment_score = scored.sentiment_score,
        sentiment_version = scored.lexicon_version
    from {{ ref('int_post_sentiments_scored') }} as scored
    where scored.post_key = built.post_key
        and (built.sentiment_version is distinct from scored.lexicon_version
             or built.sentiment_score is distinct from scored.sentiment_score)
    {%- endif -%}
{%- endmacro %}
{% macro spark__sync_rescored_sentiments() -%}
    {%- if is_incremental() -%}
    merge into {{ this }} as built
    using {{ ref('int_post_sentiments_scored') }} as scored
    on scored.post_key = built.post_key
        and not (built.sentiment_version <=> scored.lexicon_version and built.sentiment_score <=> scored.sentiment_score)
    when matched then update set sentiment = scored.sentiment, sentiment_score = scored.sentiment_score,
        sentiment_version = scored.lexicon_version
    {%- endif -%}
{%- endmacro %}

{#- Text for the topic query language: lower case, accents removed, every run of characters other
    than letters, digits, '_', '#' and '@' one space, padded with one space each side. The Python
    twin is escucha.topics.query.normalize; a test holds them equal. -#}
{% macro match_text(expr) -%}
    {{ return(adapter.dispatch('match_text', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__match_text(expr) -%}
    (' ' || trim(regexp_replace(lower(strip_accents(coalesce({{ expr }}, ''))), '[^\p{L}\p{N}_#@]+', ' ', 'g')) || ' ')
{%- endmacro %}

{#- The words of a match text, as a list. -#}
{% macro words_of(expr) -%}
    {{ return(adapter.dispatch('words_of', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__words_of(expr) -%}
    list_filter(string_split(trim({{ expr }}), ' '), lambda w: w <> '')
{%- endmacro %}

{#- A match text's words mask, a Bloom filter of its words: each word of 4 or more characters (its
    leading '#' and '@' dropped) sets 3 of 128 bits, the first three bytes of its MD5 modulo 128. A
    text can hold a word only where the word's 3 bits are set, so a query first skips the texts whose
    mask lacks its words' bits. Python twin: escucha.topics.query.words_mask (the query side computes
    the bits there). -#}
{% macro words_mask(expr) -%}
    {{ return(adapter.dispatch('words_mask', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__words_mask(expr) -%}
    coalesce(list_aggregate(list_transform(list_transform(
        list_filter(string_split(trim({{ expr }}), ' '), lambda w: length(ltrim(w, '#@')) >= 4),
        lambda w: md5(ltrim(w, '#@'))),
        lambda h: (cast(1 as uhugeint) << cast(cast('0x' || substr(h, 1, 2) as utinyint) % 128 as uhugeint))
            | (cast(1 as uhugeint) << cast(cast('0x' || substr(h, 3, 2) as utinyint) % 128 as uhugeint))
            | (cast(1 as uhugeint) << cast(cast('0x' || substr(h, 5, 2) as utinyint) % 128 as uhugeint))),
        'bit_or'), cast(0 as uhugeint))
{%- endmacro %}

{#- The features a topic model scores (escucha.topics.classifier.features): the distinct words and
    pairs of adjacent words, from a list of words. -#}
{% macro text_features(words) -%}
    {{ return(adapter.dispatch('text_features', 'escucha')(words)) }}
{%- endmacro %}
{% macro default__text_features(words) -%}
    list_distinct(list_concat({{ words }},
        list_transform(range(1, len({{ words }})), lambda i: {{ words }}[i] || ' ' || {{ words }}[i + 1])))
{%- endmacro %}

{#- One row per element of a list (DuckDB unnest; Spark explode). -#}
{% macro unnest_list(expr) -%}
    {{ return(adapter.dispatch('unnest_list', 'escucha')(expr)) }}
{%- endmacro %}
{% macro default__unnest_list(expr) -%}
    unnest({{ expr }})
{%- endmacro %}
{% macro spark__unnest_list(expr) -%}
    explode({{ expr }})
{%- endmacro %}

{#- In a group by: the value of `expr` at the highest `order_expr` among rows where it is known. -#}
{% macro latest_known(expr, order_expr) -%}
    {{ return(adapter.dispatch('latest_known', 'escucha')(expr, order_expr)) }}
{%- endmacro %}
{% macro default__latest_known(expr, order_expr) -%}
    arg_max({{ expr }}, {{ order_expr }}) filter (where {{ expr }} is not null)
{%- endmacro %}
{% macro spark__latest_known(expr, order_expr) -%}
    max_by({{ expr }}, case when {{ expr }} is not null then {{ order_expr }} end)
{%- endmacro %}

{# A file of the lake's _meta folder that a model of the build writes (the topic models), for a
   model that depends on the writer: a source would name a Dagster asset of its own. #}
{% macro lake_meta_file(name) -%}
    {{ return(adapter.dispatch('lake_meta_file', 'escucha')(name)) }}
{%- endmacro %}
{% macro default__lake_meta_file(name) -%}
    read_parquet('{{ lake_path("lake/_meta/" ~ name ~ ".parquet") }}')
{%- endmacro %}
{% macro spark__lake_meta_file(name) -%}
    parquet.`{{ lake_path("lake/_meta/" ~ name ~ ".parquet") }}`
{%- endmacro %}

{#- A 64-bit hash of a row's values (a list of column expressions); NULLs hash too. -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'escucha')(columns)) }}
{%- endmacro %}
{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}
