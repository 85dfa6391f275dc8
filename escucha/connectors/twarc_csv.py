"""X / Twitter API v2 tweets flattened to CSV by twarc-csv (`twarc2 csv tweets.jsonl tweets.csv`).

One row per tweet, columns named by their JSON path (`public_metrics.like_count`,
`referenced_tweets.retweeted.id`, `author.username`, `__twarc.retrieved_at`); list columns hold JSON
arrays. This fills the same lake entities as the twarc2 connector (`x/posts`, `x/users`) with the
same columns and types, so the same dbt staging reads both.

What twarc-csv does to the data, and what this connector does about it:
- Lists (`entities.mentions`, `.hashtags`, `.urls`) are JSON arrays: of strings ("@user", "#tag",
  expanded URL) in twarc-csv >= 0.7, of the API's objects in older versions. Both are read; mention
  ids only exist in the object form (the string form gives a null id per mention, same length).
- Newlines in text are written as the two characters backslash-n (and carriage returns dropped);
  they are turned back into newlines. With --json-encode-text every text cell is a JSON string (every
  string cell, ids too, in twarc-csv >= 0.5) and every JSON string cell is decoded. Which of the two a
  file is is decided for the whole file (every text cell a JSON string), since a tweet of its own may
  be "in quotes".
- Referenced tweets are written inline as rows of their own by default, so an original tweet that was
  retweeted lands as a post too (twarc2 keeps it in `includes` only). A retweet's text, entities and
  metrics are the original's (twarc-csv's merge of retweets); dbt zeroes a retweet's metrics anyway.
- Counts of columns with gaps are written by pandas as floats ("10.0"); they are read as integers.
- `author.*` is empty when the author was suspended or deleted: the tweet lands, no user row does.
- Older versions write one `referenced_tweets` JSON column instead of `referenced_tweets.<type>.id`.
"""
from __future__ import annotations

import duckdb

from escucha.calendar import Calendar
from escucha.connectors.base import (
    Connector,
    ParsedFile,
    RejectedFile,
    SourceFile,
    calendar_reason_sql,
)
from escucha.connectors.tabular import (
    col,
    count_sql,
    csv_columns,
    detect_encoding,
    duplicate_reason_sql,
    header_cells,
    load_csv_rows,
    quote_ident,
    text_sql,
)
from escucha.connectors.twarc2 import X_ENTITIES

FORMAT = "twarc_csv"

# twarc-csv 0.7's default tweet columns (DataFrameConverter.DEFAULT_TWEET_COLUMNS), used for the
# empty sample; the parser itself reads whichever of them a file has.
DEFAULT_COLUMNS = [
    "id", "conversation_id", "referenced_tweets.replied_to.id", "referenced_tweets.retweeted.id",
    "referenced_tweets.quoted.id", "author_id", "in_reply_to_user_id", "in_reply_to_username",
    "retweeted_user_id", "retweeted_username", "quoted_user_id", "quoted_username", "created_at", "text",
    "lang", "source", "public_metrics.impression_count", "public_metrics.reply_count",
    "public_metrics.retweet_count", "public_metrics.quote_count", "public_metrics.like_count",
    "reply_settings", "edit_history_tweet_ids", "edit_controls.edits_remaining",
    "edit_controls.editable_until", "edit_controls.is_edit_eligible", "possibly_sensitive",
    "withheld.scope", "withheld.copyright", "withheld.country_codes", "entities.annotations",
    "entities.cashtags", "entities.hashtags", "entities.mentions", "entities.urls", "context_annotations",
    "attachments.media", "attachments.media_keys", "attachments.poll.duration_minutes",
    "attachments.poll.end_datetime", "attachments.poll.id", "attachments.poll.options",
    "attachments.poll.voting_status", "attachments.poll_ids", "author.id", "author.created_at",
    "author.username", "author.name", "author.description", "author.entities.description.cashtags",
    "author.entities.description.hashtags", "author.entities.description.mentions",
    "author.entities.description.urls", "author.url", "author.location", "author.pinned_tweet_id",
    "author.profile_image_url", "author.protected", "author.public_metrics.followers_count",
    "author.public_metrics.following_count", "author.public_metrics.listed_count",
    "author.public_metrics.tweet_count", "author.verified", "author.withheld.scope",
    "author.withheld.copyright", "author.withheld.country_codes", "geo.coordinates.coordinates",
    "geo.coordinates.type", "geo.country", "geo.country_code", "geo.full_name", "geo.geo.bbox",
    "geo.geo.type", "geo.id", "geo.name", "geo.place_id", "geo.place_type", "matching_rules",
    "__twarc.retrieved_at", "__twarc.url", "__twarc.version",
]

# Exactly the twarc2 connector's readings of the API's timestamps.
TWEET_TIME = "['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ']"
RETRIEVED_TIME = "['%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M:%S%z']"


def is_json_string_sql(expr: str) -> str:
    """SQL: whether a cell holds a JSON string (true or false, never null)."""
    return (f"case when starts_with({expr}, '\"') and json_valid({expr}) "
            f"then json_type({expr}::json) = 'VARCHAR' else false end")


def json_string_sql(expr: str) -> str:
    """SQL: a cell holding a JSON string decoded, any other cell as it is."""
    return f"case when {is_json_string_sql(expr)} then json_extract_string({expr}::json, '$') else {expr} end"


def unescape_sql(expr: str, json_encoded: bool = False) -> str:
    """twarc-csv text back to the tweet's: backslash-n as newline, unless the file was written with
    --json-encode-text (its cells are then decoded by `decode_json_cells`)."""
    return expr if json_encoded else f"replace({expr}, '\\n', chr(10))"


def json_encoded(con: duckdb.DuckDBPyConnection, text: str, tweet_id: str) -> bool:
    """Whether the file was written with --json-encode-text: most non-empty `id` cells of _rows are
    JSON strings (twarc-csv >= 0.5 encodes ids too, and a plain export never writes an id in quotes,
    so a damaged row cannot turn the file plain), or every non-empty `text` cell is (older versions
    encode only text). Decided per file: in a plain file a tweet may itself be "in quotes"."""
    ids, texts = con.execute(
        f"select (select avg(case when {is_json_string_sql('i')} then 1 else 0 end) "
        f"        from (select nullif(trim({tweet_id}), '') as i from _rows) where i is not null), "
        f"       (select bool_and({is_json_string_sql('t')}) from (select {text} as t from _rows) where t is not null)"
    ).fetchone()
    return bool((ids is not None and ids > 0.5) or texts)


def decode_json_cells(con: duckdb.DuckDBPyConnection, columns: list[str]) -> None:
    """Every JSON string cell of _rows decoded (--json-encode-text encodes ids and times too)."""
    cells = ", ".join(f"{json_string_sql(quote_ident(c))} as {quote_ident(c)}" for c in columns)
    con.execute(f"create or replace temp table _rows as select source_line, {cells} from _rows")


def entity_list_sql(expr: str, field: str, prefix: str) -> str:
    """A twarc-csv entity list cell as VARCHAR[]: JSON strings lose their '#'/'@' prefix, JSON
    objects give their `field`; a non-JSON cell (Python list repr) is split on commas; empty is []."""
    if field == "url":
        from_object = "coalesce(json_extract_string(e, '$.expanded_url'), json_extract_string(e, '$.url'))"
    else:
        from_object = f"json_extract_string(e, '$.{field}')"
    element = (f"case when json_type(e) = 'OBJECT' then {from_object} "
               f"else ltrim(json_extract_string(e, '$'), '{prefix}') end")
    fallback = (f"list_filter(list_transform(string_split(regexp_replace({expr}, '[\\[\\]''\" ]', '', 'g'), ','), "
                f"lambda s: ltrim(s, '{prefix}')), lambda s: s <> '')")
    return (
        f"coalesce(case when json_valid({expr}) and json_type({expr}::json) = 'ARRAY' "
        f"then list_transform(json_extract({expr}::json, '$[*]'), lambda e: {element}) "
        f"when nullif(trim({expr}), '') is not null then {fallback} end, []::varchar[])"
    )


def mention_ids_sql(expr: str) -> str:
    """Mention ids (object form only; a null per mention in the string form), [] when none."""
    return (
        f"coalesce(case when json_valid({expr}) and json_type({expr}::json) = 'ARRAY' "
        f"then list_transform(json_extract({expr}::json, '$[*]'), "
        f"lambda e: json_extract_string(e, '$.id')) end, []::varchar[])"
    )


def ref_id_sql(columns: list[str], kind: str) -> str:
    """The referenced tweet id of one kind: `referenced_tweets.<kind>.id`, or the legacy JSON column."""
    parts = []
    dotted = f"referenced_tweets.{kind}.id"
    if dotted in columns:
        parts.append(text_sql(quote_ident(dotted)))
    if "referenced_tweets" in columns:
        rt = quote_ident("referenced_tweets")
        parts.append(
            f"case when json_valid({rt}) and json_type({rt}::json) = 'ARRAY' then list_filter("
            f"json_transform({rt}::json, '[{{\"type\":\"VARCHAR\",\"id\":\"VARCHAR\"}}]'), "
            f"lambda r: r.type = '{kind}')[1].id end"
        )
    if not parts:
        return "null::varchar"
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one twarc-csv file into temp tables x_posts, x_users and quarantine."""
    encoding = detect_encoding(src.path)
    columns = csv_columns(con, src.path, src.original_name, encoding=encoding)
    missing = [c for c in ("id", "created_at", "text") if c not in columns]
    if "author_id" not in columns and "author.id" not in columns:
        missing.append("author_id")
    if missing:
        raise RejectedFile(src.original_name, "not a twarc-csv export: header lacks " + ", ".join(missing))
    rows_in = load_csv_rows(con, src.path, encoding=encoding)

    def c(*names: str) -> str:
        return col(columns, *names)

    encoded = json_encoded(con, c("text"), c("id"))
    if encoded:
        decode_json_cells(con, columns)
    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    con.execute(
        f"""
        create or replace temp table _base as
        select
            source_line,
            {text_sql(c('id'))} as id,
            coalesce({text_sql(c('author_id'))}, {text_sql(c('author.id'))}) as author_id,
            try_strptime(trim({c('created_at')}), {TWEET_TIME}) as created_at,
            {c('created_at')} as _created_raw,
            timezone('UTC', try_strptime(trim({c('__twarc.retrieved_at')}), {RETRIEVED_TIME})) as collected_at,
            {c('text')} as _text
        from _rows
        """
    )
    con.execute(
        f"""
        create or replace temp table _typed as
        with reasons as (
            select *,
                case
                    when id is null then 'tweet has no id'
                    when not regexp_full_match(id, '[0-9]+') then 'tweet id is not numeric: ' || id
                    when created_at is null then 'tweet ' || id || ' has no parseable created_at: '
                        || coalesce(_created_raw, '(empty)')
                    when author_id is null then 'tweet ' || id || ' has no author_id'
                    else {day_reason}
                end as reason
            from _base
        )
        select * exclude (reason), {duplicate_reason_sql('id', what='tweet')} as reason
        from reasons
        """
    )
    mentions, hashtags, urls = c("entities.mentions"), c("entities.hashtags"), c("entities.urls")

    def listed(name: str, sql: str) -> str:
        """A list column's SQL, or an empty list when the export left the column out."""
        return sql if name in columns else "[]::varchar[]"
    con.execute(
        f"""
        create or replace temp table x_posts as
        select
            t.id,
            t.author_id,
            t.created_at,
            cast(t.created_at as date) as day,
            {unescape_sql('t._text', encoded)} as text,
            {text_sql(c('lang'))} as lang,
            {text_sql(c('conversation_id'))} as conversation_id,
            {text_sql(c('in_reply_to_user_id'))} as in_reply_to_user_id,
            {ref_id_sql(columns, 'replied_to')} as replied_to_id,
            {ref_id_sql(columns, 'retweeted')} as retweeted_id,
            {ref_id_sql(columns, 'quoted')} as quoted_id,
            {listed('entities.mentions', entity_list_sql(mentions, 'username', '@'))} as mention_usernames,
            {listed('entities.mentions', mention_ids_sql(mentions))} as mention_ids,
            {listed('entities.hashtags', entity_list_sql(hashtags, 'tag', '#'))} as hashtags,
            {listed('entities.urls', entity_list_sql(urls, 'url', ''))} as urls,
            {count_sql(c('public_metrics.like_count'))} as like_count,
            {count_sql(c('public_metrics.retweet_count'))} as retweet_count,
            {count_sql(c('public_metrics.reply_count'))} as reply_count,
            {count_sql(c('public_metrics.quote_count'))} as quote_count,
            {count_sql(c('public_metrics.impression_count'))} as impression_count,
            t.collected_at,
            t.source_line,
            {text_sql(c('retweeted_user_id'))} as _retweeted_user_id,
            {text_sql(c('quoted_user_id'))} as _quoted_user_id
        from _typed t
        join _rows using (source_line)
        where t.reason is null
        """
    )
    # Authors of referenced tweets: named by twarc-csv, else found among this file's own rows
    # (referenced tweets are written inline).
    con.execute(
        """
        create or replace temp table x_posts as
        with authors as (
            select id, any_value(author_id) as author_id from _typed
            where id is not null and author_id is not null group by id
        )
        select p.* exclude (_retweeted_user_id, _quoted_user_id),
            coalesce(p.in_reply_to_user_id, r.author_id) as replied_to_author_id,
            coalesce(p._retweeted_user_id, s.author_id) as retweeted_author_id,
            coalesce(p._quoted_user_id, q.author_id) as quoted_author_id
        from x_posts p
        left join authors r on r.id = p.replied_to_id
        left join authors s on s.id = p.retweeted_id
        left join authors q on q.id = p.quoted_id
        order by p.source_line
        """
    )
    con.execute(
        f"""
        create or replace temp table x_users as
        with typed as (
            select
                {text_sql(c('author.id'))} as id,
                {text_sql(c('author.username'))} as username,
                {text_sql(c('author.name'))} as name,
                {unescape_sql(text_sql(c('author.description')), encoded)} as description,
                {unescape_sql(text_sql(c('author.location')), encoded)} as location,
                try_strptime(trim({c('author.created_at')}), {TWEET_TIME}) as created_at,
                try_cast(trim({c('author.verified')}) as boolean) as verified,
                {count_sql(c('author.public_metrics.followers_count'))} as followers_count,
                {count_sql(c('author.public_metrics.following_count'))} as following_count,
                {count_sql(c('author.public_metrics.tweet_count'))} as tweet_count,
                p.collected_at,
                p.day,
                p.source_line
            from x_posts p
            join _rows using (source_line)
        )
        select * exclude (rn) from (
            select *, row_number() over (partition by id, day order by source_line desc) as rn
            from typed where id is not null
        ) where rn = 1
        """
    )
    con.execute(
        f"""
        create or replace temp table quarantine as
        select t.source_line, try_cast(t.created_at as date) as day, t.reason,
               left(concat_ws(',', t.id, t._created_raw, t._text), 200) as raw_excerpt
        from _typed t
        where t.reason is not null
        order by t.source_line
        """
    )
    return ParsedFile(entities={"x/posts": "x_posts", "x/users": "x_users"}, quarantine="quarantine",
                      rows_in=rows_in)


def sniff(first_line: str, head: str) -> bool:
    """A CSV header with twarc-csv's tweet columns: id, created_at, text, author_id and a dotted
    API path (public_metrics., referenced_tweets, __twarc.)."""
    cells = set(header_cells(first_line))
    return (
        {"id", "created_at", "text"} <= cells
        and ("author_id" in cells or "author.id" in cells)
        and any(c.startswith(("public_metrics.", "referenced_tweets", "__twarc.")) for c in cells)
    )


CONNECTOR = Connector(
    format=FORMAT,
    description="X API v2 tweets flattened to CSV by twarc-csv (twarc2 csv)",
    entities=X_ENTITIES,
    sniff=sniff,
    parse=parse,
    empty_samples=(("empty.csv", ",".join(DEFAULT_COLUMNS) + "\n"),),
)
