{#-
  Overperforming posts: a post's interactions against what its account usually gets for that kind
  of post. A query over `relation` (one row per post: post_key, author_key, post_type, created_at,
  likes, shares, comments) returning post_key, author_key, post_type, created_at, interactions,
  n_previous, expected_interactions, overperformance:

  * interactions = likes + shares + comments, nulls counting 0 (as fct_posts.engagement);
  * the post's history: the account's previous `n_previous` posts of the same post_type, ordered by
    created_at then post_key (the post itself excluded);
  * expected_interactions = trimmed mean of the history: sorted, k = max(1, floor(trim * n)) values
    dropped at each end (20 earlier posts drop 2 + 2; fewer than 20 drop the minimum and the
    maximum), the rest averaged; null below `min_previous` earlier posts (and, as nothing is left
    after trimming, always below 3);
  * overperformance = interactions / expected_interactions, null when expected is null or 0.

  The plain-Python definition is escucha.graph.overperformance.overperformance_reference; a test
  (tests/test_graph.py) renders this macro and holds the two equal.
-#}
{% macro overperformance(relation, n_previous=20, trim=0.1, min_previous=3) -%}
    {%- if (n_previous | int) < 1 or (min_previous | int) < 1 or (trim | float) < 0 or (trim | float) >= 0.5 -%}
        {{ exceptions.raise_compiler_error(
            "overperformance: need n_previous >= 1, min_previous >= 1 and 0 <= trim < 0.5") }}
    {%- endif -%}
    {{ return(adapter.dispatch('overperformance', 'escucha')(
        relation, n_previous | int, trim | float, min_previous | int)) }}
{%- endmacro %}

{% macro default__overperformance(relation, n_previous, trim, min_previous) -%}
with op_base as (
    select
        post_key,
        author_key,
        post_type,
        created_at,
        cast(coalesce(likes, 0) + coalesce(shares, 0) + coalesce(comments, 0) as bigint) as interactions
    from {{ relation }}
),

op_history as (
    select
        *,
        list(interactions) over (
            partition by author_key, post_type order by created_at, post_key
            rows between {{ n_previous }} preceding and 1 preceding
        ) as previous
    from op_base
),

op_sized as (
    select
        * exclude (previous),
        list_sort(coalesce(previous, [])) as previous_sorted,
        cast(coalesce(len(previous), 0) as bigint) as n_previous
    from op_history
),

{# trim as a double, not a decimal literal: floor(n * trim) as in Python (1/3 * 6 = 2, not 1) #}
op_trimmed as (
    select
        *,
        greatest(1, cast(floor(n_previous * cast({{ trim }} as double)) as bigint)) as n_dropped
    from op_sized
),

op_expected as (
    select
        *,
        case when n_previous >= {{ min_previous }} then
            cast(list_avg(list_slice(previous_sorted, n_dropped + 1, n_previous - n_dropped)) as double)
        end as expected_interactions
    from op_trimmed
)

select
    post_key,
    author_key,
    post_type,
    created_at,
    interactions,
    n_previous,
    expected_interactions,
    interactions / nullif(expected_interactions, 0) as overperformance
from op_expected
{%- endmacro %}
