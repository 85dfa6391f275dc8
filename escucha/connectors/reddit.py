"""Reddit submissions and comments as NDJSON: Pushshift dumps and Reddit API objects.

Each line is one of:
- a bare submission or comment object, as in Pushshift dumps (`{"id", "author", "created_utc",
  "subreddit", "title"/"body", ...}`);
- a thing (`{"kind": "t3", "data": {...}}`, kind t1 for a comment);
- a Listing (`{"kind": "Listing", "data": {"children": [things]}}`), or the JSON array of Listings
  the API returns for a post and its comments; comments nested in `data.replies` listings are read
  too. `more` stubs (comments not loaded) are not posts and are skipped (counted in the parse notes).

Posts are keyed by their fullname `name` (t3_... submission, t1_... comment), built from `id` when
a dump omits it, because `link_id`, `parent_id` and `crosspost_parent` refer to fullnames.
`created_utc` may be an integer, a float or a numeric string. `edited` is false or the unix time of
the edit. Deleted or removed authors stay as Reddit writes them ("[deleted]"); such a post still
lands when it has an id and a time. `parent_author` is the author of the parent when the parent is
in the same file. `collected_at` is Pushshift's `retrieved_on` / `retrieved_utc` when present.
"""
from __future__ import annotations

import duckdb

from escucha.calendar import Calendar
from escucha.connectors.api_json import epoch_sql
from escucha.connectors.base import (
    NONBLANK_RAW,
    Connector,
    GateColumns,
    ParsedFile,
    RejectedFile,
    SourceFile,
    calendar_reason_sql,
    fetch_int,
    json_document_error,
    load_lines,
)

FORMAT = "reddit"
NETWORK = "reddit"

# A bare object is a Reddit submission or comment when it has one of Reddit's own keys.
BARE_THING = (
    "json_type(obj) = 'OBJECT' and json_extract_string(obj, '$.kind') is null and ("
    "json_exists(obj, '$.subreddit') or json_exists(obj, '$.subreddit_id') "
    "or json_exists(obj, '$.link_id') or json_exists(obj, '$.created_utc'))"
)


def _s(path: str) -> str:
    return f"json_extract_string(data, '{path}')"


def _n(path: str) -> str:
    return f"try_cast(json_extract_string(data, '{path}') as bigint)"


def _b(path: str) -> str:
    return f"try_cast(json_extract_string(data, '{path}') as boolean)"


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one Reddit NDJSON file into temp tables reddit_posts and quarantine."""
    load_lines(con, src.path)
    con.execute(
        """
        create or replace temp table _objs as
        select source_line, raw, obj,
            case
                when obj is null then null
                when json_type(obj) = 'ARRAY'
                     and len(list_filter(json_extract_string(obj, '$[*].kind'), lambda k: k = 'Listing')) > 0
                    then 'listings'
                when json_type(obj) = 'OBJECT' and json_extract_string(obj, '$.kind') = 'Listing'
                    then 'listing'
                when json_type(obj) = 'OBJECT' and json_extract_string(obj, '$.kind') in ('t1', 't3')
                     and json_type(obj, '$.data') = 'OBJECT' then 'thing'
                when """ + BARE_THING + f""" then 'bare'
            end as shape
        from (
            select source_line, raw, case when json_valid(raw) then raw::json end as obj
            from _lines where {NONBLANK_RAW}
        )
        """
    )
    lines = fetch_int(con, "select count(*) from _objs")
    if lines and not fetch_int(con, "select count(*) from _objs where shape is not null"):
        no_json = not fetch_int(con, "select (obj is not null)::int from _objs order by source_line limit 1")
        raise RejectedFile(src.original_name, (no_json and json_document_error(con, src.path))
                           or "not a Reddit file: no line is a submission, comment or listing")
    con.execute(
        """
        create or replace temp table _things as
        with recursive listings as (
            select source_line, obj as listing from _objs where shape = 'listing'
            union all
            select source_line, unnest(json_extract(obj, '$[*]')) from _objs where shape = 'listings'
        ),
        children(source_line, thing) as (
            select source_line, unnest(json_extract(listing, '$.data.children[*]'))
            from listings where json_extract_string(listing, '$.kind') = 'Listing'
            union all
            select source_line, unnest(json_extract(thing, '$.data.replies.data.children[*]'))
            from children where json_type(thing, '$.data.replies') = 'OBJECT'
        )
        select source_line, json_extract_string(thing, '$.kind') as wrapper_kind,
               json_extract(thing, '$.data') as data
        from children
        union all
        select source_line, json_extract_string(obj, '$.kind'), json_extract(obj, '$.data')
        from _objs where shape = 'thing'
        union all
        select source_line, null, obj from _objs where shape = 'bare'
        """
    )
    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    con.execute(
        f"""
        create or replace temp table _typed as
        with kinded as (
            select source_line, data,
                case
                    when wrapper_kind = 't3' or starts_with({_s('$.name')}, 't3_') then 'submission'
                    when wrapper_kind = 't1' or starts_with({_s('$.name')}, 't1_') then 'comment'
                    when json_exists(data, '$.link_id') or json_exists(data, '$.body') then 'comment'
                    when json_exists(data, '$.title') then 'submission'
                end as kind,
                coalesce(nullif({_s('$.id')}, ''), substr({_s('$.name')}, 4)) as id,
                {_s('$.created_utc')} as created_raw,
                {epoch_sql(_s('$.created_utc'))} as created_at
            from _things
            where wrapper_kind is null or wrapper_kind in ('t1', 't3')
        )
        select *,
            case when kind = 'submission' then 't3_' when kind = 'comment' then 't1_' end || id as name,
            case
                when kind is null
                    then 'item is neither a submission nor a comment (no title, body or link_id)'
                when id is null or id = '' then kind || ' has no id'
                when not regexp_full_match(id, '[0-9a-z]+') then kind || ' id is not a Reddit id: ' || id
                when created_at is null then kind || ' ' || id || ' has no parseable created_utc: '
                    || coalesce(created_raw, '(missing)')
                else {day_reason}
            end as reason
        from kinded
        """
    )
    con.execute(
        f"""
        create or replace temp table reddit_posts as
        with landed as (
            select
                id,
                name,
                kind,
                {_s('$.author')} as author,
                {_s('$.author_fullname')} as author_fullname,
                created_at,
                cast(created_at as date) as day,
                {_s('$.subreddit')} as subreddit,
                {_s('$.subreddit_id')} as subreddit_id,
                {_s('$.title')} as title,
                {_s('$.selftext')} as selftext,
                {_s('$.body')} as body,
                {_s('$.url')} as url,
                {_s('$.domain')} as domain,
                {_s('$.permalink')} as permalink,
                {_b('$.is_self')} as is_self,
                {_s('$.link_id')} as link_id,
                {_s('$.parent_id')} as parent_id,
                {_s('$.crosspost_parent')} as crosspost_parent,
                {_s('$.crosspost_parent_list[0].author')} as crosspost_parent_author,
                {_n('$.score')} as score,
                {_n('$.ups')} as ups,
                {_n('$.num_comments')} as num_comments,
                {_n('$.num_crossposts')} as num_crossposts,
                try_cast({_s('$.upvote_ratio')} as double) as upvote_ratio,
                case when json_type(data, '$.edited') = 'BOOLEAN' then {_b('$.edited')}
                     when json_type(data, '$.edited') in ('UBIGINT', 'BIGINT', 'DOUBLE', 'VARCHAR')
                     then {epoch_sql(_s('$.edited'))} is not null
                end as edited,
                case when json_type(data, '$.edited') <> 'BOOLEAN' then {epoch_sql(_s('$.edited'))} end
                    as edited_at,
                {_s('$.removed_by_category')} as removed_by_category,
                {_s('$.distinguished')} as distinguished,
                {_b('$.stickied')} as stickied,
                {_b('$.over_18')} as over_18,
                coalesce({epoch_sql(_s('$.retrieved_on'))}, {epoch_sql(_s('$.retrieved_utc'))})
                    as collected_at,
                source_line
            from _typed where reason is null
        ),
        authors as (
            select name, any_value(author) as author from landed where author is not null group by name
        )
        select p.* exclude (collected_at, source_line), a.author as parent_author,
               p.collected_at, p.source_line
        from landed p left join authors a on a.name = p.parent_id
        """
    )
    con.execute(
        """
        create or replace temp table quarantine as
        select source_line, null::date as day, 'line is not valid JSON' as reason,
               left(raw, 200) as raw_excerpt
        from _objs where obj is null
        union all
        select source_line, null::date,
               'line is JSON but not a Reddit submission, comment or listing', left(raw, 200)
        from _objs where obj is not null and shape is null
        union all
        select source_line, try_cast(created_at as date), reason, left(data::varchar, 200)
        from _typed where reason is not null
        """
    )
    things = fetch_int(con, "select count(*) from _typed")
    bad_lines = fetch_int(con, "select count(*) from _objs where shape is null")
    more = fetch_int(con, "select count(*) from _things where wrapper_kind not in ('t1', 't3')")
    notes = [f"{more} listing children that are not posts ('more' stubs and the like) skipped"]
    notes = notes if more else []
    return ParsedFile(entities={"reddit/posts": "reddit_posts"}, quarantine="quarantine",
                      rows_in=things + bad_lines, notes=notes)


def sniff(first_line: str, head: str) -> bool:
    """NDJSON of Reddit objects: `subreddit` and `created_utc` keys."""
    return (first_line.startswith("{") or first_line.startswith("[")) and (
        '"subreddit"' in head and '"created_utc"' in head
    )


CONNECTOR = Connector(
    format=FORMAT,
    description="Reddit submissions and comments as NDJSON (Pushshift dumps, Reddit API things and listings)",
    entities={
        "reddit/posts": GateColumns(network="'reddit'", post_id="name",
                                    likes="greatest(coalesce(score, ups), 0)",
                                    shares="num_crossposts", comments="num_comments"),
    },
    sniff=sniff,
    parse=parse,
    empty_samples=(("empty.jsonl", '{"kind": "Listing", "data": {"after": null, "children": []}}\n'),),
)
