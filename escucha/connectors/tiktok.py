"""TikTok Research API responses: video query (`/v2/research/video/query/`) and comment list
(`/v2/research/video/comment/list/`).

A file holds one response (`{"data": {"videos": [...], "cursor", "has_more", "search_id"},
"error": {...}}` or `{"data": {"comments": [...], ...}}`) as one JSON document, or one response per
line (NDJSON, as collectors save pages). Videos and comments land together in `tiktok/posts` with a
`kind` column ('video' or 'comment').

`source_line` is the line of the response for NDJSON; for a file that is one JSON document (see
`api_json`) it is the 1-based index of the video or comment in its `data.videos` / `data.comments`
array.

The Research API gives no account ids: a video's author is its `username`; comments carry no author
(unless a collector added `username`). A top-level comment's `parent_comment_id` is its video's id, a
reply's is the comment it answers; `parent_id` resolves that, and `parent_username` is the parent's
author when the parent is in the same file. Ids are int64 numbers in the API and kept as text.
"""
from __future__ import annotations

import duckdb

from escucha.calendar import Calendar
from escucha.connectors.api_json import epoch_sql, items_sql, load_responses, write_quarantine
from escucha.connectors.base import (
    Connector,
    GateColumns,
    ParsedFile,
    SourceFile,
    calendar_reason_sql,
    fetch_int,
)

FORMAT = "tiktok"
NETWORK = "tiktok"
WHAT = "TikTok Research API video query or comment list response"

IS_RESPONSE = (
    "json_type(page, '$.data') = 'OBJECT' "
    "and (json_type(page, '$.data.videos') = 'ARRAY' or json_type(page, '$.data.comments') = 'ARRAY')"
)
API_ERROR = (
    "case when json_extract_string(page, '$.error.code') <> 'ok' then "
    "json_extract_string(page, '$.error.code') "
    "|| coalesce(': ' || nullif(json_extract_string(page, '$.error.message'), ''), '') end"
)


def _s(path: str) -> str:
    return f"json_extract_string(item, '{path}')"


def _n(path: str) -> str:
    return f"try_cast(json_extract_string(item, '{path}') as bigint)"


def _list(path: str) -> str:
    """A JSON array of strings as VARCHAR[]; null when the field is absent (not requested)."""
    return f"case when json_type(item, '{path}') = 'ARRAY' then json_extract_string(item, '{path}[*]') end"


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one TikTok Research API file into temp tables tiktok_posts and quarantine."""
    load_responses(con, src, IS_RESPONSE, WHAT, API_ERROR)
    page_cols = "page_line, json_extract_string(page, '$.data.search_id') as search_id"
    con.execute(
        f"""
        create or replace temp table _items as
        select coalesce(page_line, item_no) as source_line, 'video' as kind, item, search_id
        from ({items_sql('_responses', '$.data.videos', page_cols)})
        union all
        select coalesce(page_line, item_no), 'comment', item, search_id
        from ({items_sql('_responses', '$.data.comments', page_cols)})
        """
    )
    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    con.execute(
        f"""
        create or replace temp table _typed as
        with base as (
            select source_line, kind, item, search_id,
                {_s('$.id')} as id,
                {_s('$.create_time')} as create_time_raw,
                {epoch_sql(_s('$.create_time'))} as created_at
            from _items
        )
        select *,
            case
                when id is null or id = '' then kind || ' has no id'
                when not regexp_full_match(id, '[0-9]+') then kind || ' id is not numeric: ' || id
                when created_at is null then kind || ' ' || id || ' has no parseable create_time: '
                    || coalesce(create_time_raw, '(missing)')
                else {day_reason}
            end as reason
        from base
        """
    )
    con.execute(
        f"""
        create or replace temp table tiktok_posts as
        with landed as (
            select
                id,
                kind,
                {_s('$.username')} as username,
                created_at,
                cast(created_at as date) as day,
                case when kind = 'video' then {_s('$.video_description')} else {_s('$.text')} end as text,
                {_s('$.voice_to_text')} as voice_to_text,
                {_s('$.region_code')} as region_code,
                {_s('$.video_id')} as video_id,
                {_s('$.parent_comment_id')} as parent_comment_id,
                {_s('$.music_id')} as music_id,
                {_s('$.playlist_id')} as playlist_id,
                {_list('$.hashtag_names')} as hashtag_names,
                {_list('$.video_mention_list')} as video_mention_list,
                {_list('$.effect_ids')} as effect_ids,
                {_n('$.like_count')} as like_count,
                {_n('$.comment_count')} as comment_count,
                {_n('$.share_count')} as share_count,
                {_n('$.view_count')} as view_count,
                {_n('$.favorites_count')} as favorites_count,
                {_n('$.reply_count')} as reply_count,
                {_n('$.video_duration')} as video_duration,
                try_cast({_s('$.is_stem_verified')} as boolean) as is_stem_verified,
                search_id,
                source_line
            from _typed where reason is null
        ),
        with_parent as (
            select *,
                case when kind = 'comment' then
                    case when parent_comment_id is null or parent_comment_id = video_id then video_id
                         else parent_comment_id end
                end as parent_id
            from landed
        ),
        authors as (
            select id, any_value(username) as username from landed where username is not null group by id
        )
        select p.* exclude (source_line), a.username as parent_username, p.source_line
        from with_parent p left join authors a on a.id = p.parent_id
        """
    )
    write_quarantine(con)
    items = fetch_int(con, "select count(*) from _items")
    bad_lines = fetch_int(con, "select count(*) from _bad_lines")
    return ParsedFile(entities={"tiktok/posts": "tiktok_posts"}, quarantine="quarantine",
                      rows_in=items + bad_lines)


def sniff(first_line: str, head: str) -> bool:
    """A JSON response whose `data` holds TikTok's `videos` or `comments` with their fields."""
    return (
        first_line.startswith("{")
        and '"data"' in head
        and ('"videos"' in head or '"comments"' in head)
        and any(k in head for k in ('"create_time"', '"search_id"', '"has_more"', '"video_description"'))
        and '"youtube#' not in head
    )


CONNECTOR = Connector(
    format=FORMAT,
    description="TikTok Research API video query / comment list responses (one JSON per file or per line)",
    entities={
        "tiktok/posts": GateColumns(network="'tiktok'", post_id="id", likes="like_count",
                                    shares="share_count", comments="coalesce(comment_count, reply_count)"),
    },
    sniff=sniff,
    parse=parse,
    empty_samples=(
        ("empty.json", '{"data": {"videos": [], "cursor": 0, "has_more": false, "search_id": ""}, '
                       '"error": {"code": "ok", "message": "", "log_id": ""}}\n'),
    ),
)
