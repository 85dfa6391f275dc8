"""Meta Content Library (MCL) CSV exports of Facebook and Instagram posts.

Columns are the Content Library API's field names, nested ones flattened with dots (Meta's data
dictionary): `id, creation_time, modified_time, text, lang, post_owner.id, post_owner.name,
post_owner.username, post_owner.type, statistics.reaction_count, statistics.comment_count,
statistics.share_count, statistics.views, ...`. Facebook exports add `surface.*`, the per-reaction
counts (`statistics.like_count` ... `statistics.care_count`), `link_attachment.*` and
`shared_post_id` on reshares; Instagram exports have `statistics.like_count`, `hashtags` and no shares.

Which network a file is: the `mcl_url` links name it (`.../facebook/...` or `.../instagram/...`);
without them, Facebook-only columns (`statistics.reaction_count`, `statistics.share_count`,
`surface.id`, `shared_post_id`, `link_attachment.link`) mean Facebook, an Instagram-only `hashtags`
column means Instagram, and last the file name ("facebook"/"fb", "instagram"/"ig").

Ids are Meta Content Library ids, kept as text; `creation_time` is UTC (ISO 8601, with or without
an offset, or unix seconds). `statistics.views` is absent (not zero) on posts without video, and
stays null. A post whose owner MCL does not show (`post_owner.id` empty, e.g. a group post by an
ineligible profile) is quarantined: the warehouse needs an author for every post (twarc2 does the
same for a tweet without author_id). One row per post: a repeated id is quarantined as a duplicate.
"""
from __future__ import annotations

import re

import duckdb

from escucha.calendar import Calendar
from escucha.connectors.base import (
    Connector,
    GateColumns,
    ParsedFile,
    RejectedFile,
    SourceFile,
    calendar_reason_sql,
)
from escucha.connectors.tabular import (
    bool_sql,
    col,
    count_sql,
    csv_columns,
    detect_encoding,
    duplicate_reason_sql,
    header_cells,
    load_csv_rows,
    quote_ident,
    split_list_sql,
    text_sql,
    utc_timestamp_sql,
)

FORMAT = "meta_content_library"

FACEBOOK_COLUMNS = [
    "id", "creation_time", "modified_time", "text", "lang", "is_branded_content", "content_type",
    "match_type", "mcl_url", "multimedia", "post_owner.type", "post_owner.id", "post_owner.name",
    "post_owner.username", "surface.type", "surface.id", "surface.name", "surface.username",
    "shared_post_id", "link_attachment.link", "link_attachment.name", "statistics.reaction_count",
    "statistics.like_count", "statistics.love_count", "statistics.wow_count", "statistics.haha_count",
    "statistics.sad_count", "statistics.angry_count", "statistics.care_count",
    "statistics.comment_count", "statistics.share_count", "statistics.views",
    "statistics.views_date_last_refreshed",
]
INSTAGRAM_COLUMNS = [
    "id", "creation_time", "modified_time", "text", "lang", "is_branded_content", "is_verified",
    "content_type", "media_type", "match_type", "mcl_url", "multimedia", "hashtags", "post_owner.type",
    "post_owner.id", "post_owner.name", "post_owner.username", "statistics.like_count",
    "statistics.comment_count", "statistics.views", "statistics.views_date_last_refreshed",
]
FACEBOOK_ONLY = ["statistics.reaction_count", "statistics.share_count", "surface.id", "shared_post_id",
                 "link_attachment.link", "statistics.love_count"]
REACTIONS = ["like", "love", "wow", "haha", "sad", "angry", "care"]


def _network(con: duckdb.DuckDBPyConnection, columns: list[str], name: str) -> str | None:
    """facebook or instagram, from the mcl_url links, then the columns, then the file name."""
    if "mcl_url" in columns:
        fb, ig = con.execute(
            f"select count(*) filter (where {quote_ident('mcl_url')} ilike '%/facebook/%'), "
            f"count(*) filter (where {quote_ident('mcl_url')} ilike '%/instagram/%') from _rows"
        ).fetchone()
        if fb or ig:
            return "facebook" if fb >= ig else "instagram"
    if any(c in columns for c in FACEBOOK_ONLY):
        return "facebook"
    if "hashtags" in columns:
        return "instagram"
    stem = name.lower()
    if re.search(r"(^|[^a-z])(instagram|ig)([^a-z]|$)", stem):
        return "instagram"
    if re.search(r"(^|[^a-z])(facebook|fb)([^a-z]|$)", stem):
        return "facebook"
    return None


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one MCL CSV export into a temp table facebook_mcl_posts or instagram_mcl_posts."""
    encoding = detect_encoding(src.path)
    columns = csv_columns(con, src.path, src.original_name, encoding=encoding)
    missing = [c for c in ("id", "creation_time") if c not in columns]
    if not any(c.startswith(("post_owner.", "surface.")) for c in columns):
        missing.append("post_owner.id")
    if missing:
        raise RejectedFile(src.original_name,
                           "not a Meta Content Library export: header lacks " + ", ".join(missing))
    rows_in = load_csv_rows(con, src.path, encoding=encoding)
    network = _network(con, columns, src.original_name)
    if network is None:
        raise RejectedFile(src.original_name, "a Meta Content Library export, but neither its mcl_url "
                           "links, its columns nor its name tell Facebook from Instagram")

    def c(*names: str) -> str:
        return col(columns, *names)

    def n(name: str) -> str:
        return count_sql(c(f"statistics.{name}"))

    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    con.execute(
        f"""
        create or replace temp table _typed as
        with base as (
            select
                source_line,
                {text_sql(c('id'))} as post_id,
                {utc_timestamp_sql(text_sql(c('creation_time')))} as created_at,
                {c('creation_time')} as _created_raw,
                {text_sql(c('post_owner.id'))} as _owner_id
            from _rows
        ),
        reasons as (
            select *,
                case
                    when post_id is null then 'post has no id'
                    when not regexp_full_match(post_id, '[0-9]+') then 'post id is not a plain number: ' || post_id
                    when created_at is null then 'post ' || post_id || ' has no parseable creation_time: '
                        || coalesce(_created_raw, '(empty)')
                    when _owner_id is null then 'post ' || post_id || ' has no post_owner.id (owner not shown)'
                    else {day_reason}
                end as reason
            from base
        )
        select * exclude (reason), {duplicate_reason_sql('post_id')} as reason from reasons
        """
    )
    views_refreshed = text_sql(c("statistics.views_date_last_refreshed"))
    table = f"{network}_mcl_posts"
    con.execute(
        f"""
        create or replace temp table {table} as
        select
            t.post_id,
            t.created_at,
            cast(t.created_at as date) as day,
            {utc_timestamp_sql(text_sql(c('modified_time')))} as modified_at,
            {c('text')} as text,
            {text_sql(c('lang'))} as lang,
            {text_sql(c('content_type'))} as content_type,
            {text_sql(c('media_type'))} as media_type,
            {bool_sql(c('is_branded_content'))} as is_branded_content,
            {bool_sql(c('is_verified'))} as is_verified,
            {text_sql(c('match_type'))} as match_type,
            {text_sql(c('mcl_url'))} as mcl_url,
            {text_sql(c('multimedia'))} as multimedia,
            {split_list_sql(c('hashtags'), '#')} as hashtags,
            {text_sql(c('post_owner.id'))} as owner_id,
            {text_sql(c('post_owner.name'))} as owner_name,
            {text_sql(c('post_owner.username'))} as owner_username,
            {text_sql(c('post_owner.type'))} as owner_type,
            {text_sql(c('surface.id'))} as surface_id,
            {text_sql(c('surface.name'))} as surface_name,
            {text_sql(c('surface.username'))} as surface_username,
            {text_sql(c('surface.type'))} as surface_type,
            {text_sql(c('shared_post_id'))} as shared_post_id,
            {text_sql(c('link_attachment.link', 'link_url'))} as link_url,
            {text_sql(c('link_attachment.name', 'link_title'))} as link_name,
            {n('reaction_count')} as reaction_count,
            {', '.join(f"{n(f'{r}_count')} as {r}_count" for r in REACTIONS)},
            {n('comment_count')} as comment_count,
            {n('share_count')} as share_count,
            {n('views')} as views,
            coalesce({utc_timestamp_sql(views_refreshed)}, try_strptime({views_refreshed}, '%Y-%m-%d'))
                as views_refreshed_at,
            null::timestamp as collected_at,
            t.source_line
        from _typed t
        join _rows using (source_line)
        where t.reason is null
        order by t.source_line
        """
    )
    con.execute(
        f"""
        create or replace temp table quarantine as
        select t.source_line, try_cast(t.created_at as date) as day, t.reason,
               left(concat_ws(',', t.post_id, t._created_raw, {c('text')}), 200) as raw_excerpt
        from _typed t
        join _rows using (source_line)
        where t.reason is not null
        order by t.source_line
        """
    )
    return ParsedFile(entities={f"{network}/mcl_posts": table}, quarantine="quarantine", rows_in=rows_in)


def sniff(first_line: str, head: str) -> bool:
    """A CSV header with MCL's `id`, `creation_time` and dotted `post_owner.`/`surface.` fields."""
    cells = set(header_cells(first_line))
    return {"id", "creation_time"} <= cells and any(
        c.startswith(("post_owner.", "surface.")) for c in cells)


def _header(columns: list[str]) -> str:
    return ",".join(columns) + "\n"


CONNECTOR = Connector(
    format=FORMAT,
    description="Meta Content Library CSV exports of Facebook and Instagram posts",
    entities={
        "facebook/mcl_posts": GateColumns(network="'facebook'", post_id="post_id",
                                          likes="coalesce(reaction_count, like_count)",
                                          shares="share_count", comments="comment_count"),
        "instagram/mcl_posts": GateColumns(network="'instagram'", post_id="post_id", likes="like_count",
                                           shares="coalesce(share_count, 0)", comments="comment_count"),
    },
    sniff=sniff,
    parse=parse,
    empty_samples=(("facebook-mcl.csv", _header(FACEBOOK_COLUMNS)),
                   ("instagram-mcl.csv", _header(INSTAGRAM_COLUMNS))),
)
