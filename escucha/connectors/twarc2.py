"""X / Twitter API v2 responses as saved by twarc2: one response page (data + includes) per line."""
from __future__ import annotations

import duckdb

from escucha.calendar import Calendar
from escucha.connectors.base import (
    NONBLANK_RAW,
    Connector,
    GateColumns,
    ParsedFile,
    RejectedFile,
    SourceFile,
    UNREADABLE,
    calendar_reason_sql,
    fetch_int,
    json_document_error,
    load_lines,
)

FORMAT = "twarc2"  # also a single response saved as one JSON document (search or timeline)
NETWORK = "x"


# Each page is parsed once into these shapes (json_transform), each tweet and each user once: the
# API's JSON is read by DuckDB's parser a fixed number of times per byte, not once per field.
# Scalars are read as text and cast with try_cast, as json_extract_string would give them.
PAGE = ('{"data": ["JSON"], "meta": "JSON", "__twarc": {"retrieved_at": "VARCHAR"}, '
        '"includes": {"tweets": [{"id": "VARCHAR", "author_id": "VARCHAR"}], "users": ["JSON"]}}')
TWEET = ('{"id": "VARCHAR", "author_id": "VARCHAR", "created_at": "VARCHAR", "text": "VARCHAR", '
         '"lang": "VARCHAR", "conversation_id": "VARCHAR", "in_reply_to_user_id": "VARCHAR", '
         '"referenced_tweets": [{"type": "VARCHAR", "id": "VARCHAR"}], '
         '"entities": {"mentions": [{"username": "VARCHAR", "id": "VARCHAR"}], "hashtags": [{"tag": "VARCHAR"}], '
         '"urls": [{"expanded_url": "VARCHAR", "url": "VARCHAR"}]}, '
         '"public_metrics": {"like_count": "VARCHAR", "retweet_count": "VARCHAR", "reply_count": "VARCHAR", '
         '"quote_count": "VARCHAR", "impression_count": "VARCHAR"}}')
USER = ('{"id": "VARCHAR", "username": "VARCHAR", "name": "VARCHAR", "description": "VARCHAR", '
        '"location": "VARCHAR", "created_at": "VARCHAR", "verified": "VARCHAR", '
        '"public_metrics": {"followers_count": "VARCHAR", "following_count": "VARCHAR", "tweet_count": "VARCHAR"}}')


def ref_id(kind: str) -> str:
    """SQL for the id of the referenced tweet of one kind (replied_to, retweeted, quoted)."""
    return f"list_filter(t.s.referenced_tweets, lambda r: r.type = '{kind}')[1].id"


def field_list(path: str, field: str) -> str:
    """SQL: the non-null values of one field over a list in the tweet ([] when there is no such list),
    as a JSON path wildcard (``$.entities.mentions[*].username``) gives them."""
    return f"coalesce(list_filter(list_transform(t.s.{path}, lambda e: e.{field}), lambda v: v is not null), [])"


def _as_one_document_if_pretty_printed(con: duckdb.DuckDBPyConnection, src: SourceFile) -> None:
    """A single API response saved as one (pretty-printed) JSON document is one page, at line 1."""
    first = con.execute(
        "select json_valid(raw) from _lines where source_line = (select min(source_line) from _lines "
        f"where {NONBLANK_RAW})"
    ).fetchone()
    if first is None or first[0] or fetch_int(con, f"select count(*) from {UNREADABLE}"):
        return  # (a file with lines that are not UTF-8 is no JSON document, and read_text fails on it)
    con.execute(
        "create or replace temp table _doc as select ltrim(content, chr(65279)) as doc from read_text($path)",
        {"path": str(src.path)},
    )
    if con.execute("select json_valid(doc) from _doc").fetchone()[0]:
        con.execute("create or replace temp table _lines as "
                    "select 1::bigint as source_line, json(doc)::varchar as raw from _doc")


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one twarc2 file into temp tables x_posts, x_users and quarantine."""
    load_lines(con, src.path)
    _as_one_document_if_pretty_printed(con, src)
    # which lines are JSON, without a second copy of the lines (a month of X pages is ~600 MB)
    con.execute(
        f"""
        create or replace temp table _checked as
        select source_line, json_valid(raw) as valid
        from _lines
        where {NONBLANK_RAW}
        """
    )
    con.execute(
        f"""
        create or replace temp table _pages as
        with shaped as (
            select source_line, raw, json_transform(raw, '{PAGE}') as p
            from _lines
            join _checked using (source_line)
            where valid
        )
        select source_line, p.data as tweets, p.includes.tweets as included, p.includes.users as users,
               p.__twarc.retrieved_at as retrieved_at
        from shaped
        where case
            when p.data is not null or p.meta is not null then true
            -- "data": null or a meta that is not an object: read the page as the API's JSON says
            else json_type(raw::json) = 'OBJECT' and (json_exists(raw::json, '$.data')
                                                      or json_exists(raw::json, '$.meta'))
        end
        """
    )
    lines = fetch_int(con, "select count(*) from _checked")
    pages = fetch_int(con, "select count(*) from _pages")
    if lines and not pages:
        no_json = not fetch_int(con, "select valid::int from _checked order by source_line limit 1")
        raise RejectedFile(src.original_name, (no_json and json_document_error(con, src.path))
                           or "not an X API v2 / twarc2 file: no line has 'data' or 'meta'")

    con.execute(
        f"""
        create or replace temp table _tweets as
        select p.source_line, t.tw, json_transform(t.tw, '{TWEET}') as s, p.retrieved_at
        from _pages p, unnest(p.tweets) as t(tw)
        """
    )
    con.execute(
        """
        create or replace temp table _included as
        select distinct p.source_line, t.tw.id as id, t.tw.author_id as author_id
        from _pages p, unnest(p.included) as t(tw)
        """
    )
    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    con.execute(
        f"""
        create or replace temp table _typed as
        with base as (
            select
                source_line,
                tw,
                s,
                s.id as id,
                s.author_id as author_id,
                try_strptime(s.created_at, ['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ']) as created_at,
                timezone('UTC', try_strptime(retrieved_at,
                    ['%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M:%S%z'])) as collected_at
            from _tweets
        )
        select *,
            case
                when id is null or id = '' then 'tweet has no id'
                when not regexp_full_match(id, '[0-9]+') then 'tweet id is not numeric: ' || id
                when created_at is null then 'tweet ' || id || ' has no parseable created_at'
                when author_id is null or author_id = '' then 'tweet ' || id || ' has no author_id'
                else {day_reason}
            end as reason
        from base
        """
    )
    con.execute(
        f"""
        create or replace temp table x_posts as
        select
            t.id,
            t.author_id,
            t.created_at,
            cast(t.created_at as date) as day,
            t.s.text as text,
            t.s.lang as lang,
            t.s.conversation_id as conversation_id,
            t.s.in_reply_to_user_id as in_reply_to_user_id,
            {ref_id('replied_to')} as replied_to_id,
            {ref_id('retweeted')} as retweeted_id,
            {ref_id('quoted')} as quoted_id,
            {field_list('entities.mentions', 'username')} as mention_usernames,
            {field_list('entities.mentions', 'id')} as mention_ids,
            {field_list('entities.hashtags', 'tag')} as hashtags,
            {field_list('entities.urls', 'expanded_url')} as urls,
            try_cast(t.s.public_metrics.like_count as bigint) as like_count,
            try_cast(t.s.public_metrics.retweet_count as bigint) as retweet_count,
            try_cast(t.s.public_metrics.reply_count as bigint) as reply_count,
            try_cast(t.s.public_metrics.quote_count as bigint) as quote_count,
            try_cast(t.s.public_metrics.impression_count as bigint) as impression_count,
            t.collected_at,
            t.source_line
        from _typed t
        where t.reason is null
        """
    )
    # Authors of replied-to, retweeted and quoted tweets, from the same page's includes.
    con.execute(
        """
        create or replace temp table x_posts as
        select p.*,
            coalesce(p.in_reply_to_user_id, r.author_id) as replied_to_author_id,
            s.author_id as retweeted_author_id,
            q.author_id as quoted_author_id
        from x_posts p
        left join _included r on r.source_line = p.source_line and r.id = p.replied_to_id
        left join _included s on s.source_line = p.source_line and s.id = p.retweeted_id
        left join _included q on q.source_line = p.source_line and q.id = p.quoted_id
        """
    )
    con.execute(
        f"""
        create or replace temp table x_users as
        with page_day as (
            select source_line, min(day) as day, max(collected_at) as collected_at
            from x_posts group by source_line
        ),
        users as (
            select p.source_line, json_transform(u.usr, '{USER}') as u
            from _pages p, unnest(p.users) as u(usr)
            where p.source_line in (select source_line from page_day)
        ),
        typed as (
            select
                u.u.id as id,
                u.u.username as username,
                u.u.name as name,
                u.u.description as description,
                u.u.location as location,
                try_strptime(u.u.created_at, ['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ']) as created_at,
                try_cast(u.u.verified as boolean) as verified,
                try_cast(u.u.public_metrics.followers_count as bigint) as followers_count,
                try_cast(u.u.public_metrics.following_count as bigint) as following_count,
                try_cast(u.u.public_metrics.tweet_count as bigint) as tweet_count,
                d.collected_at,
                d.day,
                u.source_line
            from users u
            join page_day d using (source_line)
        )
        select * exclude (rn) from (
            select *, row_number() over (partition by id, day order by source_line desc) as rn
            from typed where id is not null
        ) where rn = 1
        """
    )
    con.execute(
        """
        create or replace temp table quarantine as
        select source_line, null::date as day, 'line is not valid JSON' as reason,
               left(raw, 200) as raw_excerpt
        from _lines
        join _checked using (source_line)
        where not valid
        union all
        select source_line, null::date, 'line is JSON but not an API response page (no data or meta)',
               left(raw, 200)
        from _lines
        join _checked using (source_line)
        where valid and source_line not in (select source_line from _pages)
        union all
        select source_line, try_cast(created_at as date), reason, left(coalesce(tw::varchar, 'null'), 200)
        from _typed where reason is not null
        """
    )
    tweets = fetch_int(con, "select count(*) from _tweets")
    bad_lines = fetch_int(con, "select count(*) from quarantine where day is null and reason like 'line%'")
    return ParsedFile(
        entities={"x/posts": "x_posts", "x/users": "x_users"},
        quarantine="quarantine",
        rows_in=tweets + bad_lines,
    )


# The lake entities of X, filled with the same columns by every X format (twarc2, twarc-csv).
X_ENTITIES: dict[str, GateColumns | None] = {
    "x/posts": GateColumns(network="'x'", post_id="id", likes="like_count",
                           shares="retweet_count", comments="reply_count"),
    "x/users": None,
}


def sniff(first_line: str, head: str) -> bool:
    """A JSON object per line with an API response's `data` or `meta`."""
    return first_line.startswith("{") and ('"data"' in head or '"meta"' in first_line)


CONNECTOR = Connector(
    format=FORMAT,
    description="X API v2 search/timeline responses as saved by twarc2 (NDJSON, one page per line)",
    entities=X_ENTITIES,
    sniff=sniff,
    parse=parse,
    empty_samples=(("empty.jsonl", '{"data": [], "meta": {"result_count": 0}}\n'),),
)
