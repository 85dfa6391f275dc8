"""YouTube Data API v3 list responses: `videos.list`, `search.list`, `commentThreads.list` and
`comments.list` (`{"kind": "youtube#videoListResponse", "items": [...]}` and so on).

A file holds one response as one JSON document, or one response per line (NDJSON). Videos, top-level
comments and replies land together in `youtube/posts` with a `kind` column ('video', 'comment',
'reply'). A top-level comment answers its video (`video_id`); a reply answers the comment in
`parent_id` (`snippet.parentId`, or the thread's top-level comment). `parent_channel_id` is the
channel of what was answered: the video's channel for a top-level comment (the thread's
`snippet.channelId`), the top-level comment's author for a reply inside a thread.

`source_line` is the line of the response for NDJSON; for a file that is one JSON document (see
`api_json`) it is the 1-based index of the item (video, search result, comment thread or comment) in `items`, so a thread's
replies share their thread's index. Search results that are channels or playlists are not posts and
are skipped (counted in the parse notes). Statistics are strings in the API; they are cast to bigint.
"""
from __future__ import annotations

import re

import duckdb

from escucha.calendar import Calendar
from escucha.connectors.api_json import items_sql, iso_sql, load_responses, write_quarantine
from escucha.connectors.base import (
    Connector,
    GateColumns,
    ParsedFile,
    SourceFile,
    calendar_reason_sql,
    fetch_int,
)

FORMAT = "youtube"
NETWORK = "youtube"
WHAT = "YouTube Data API v3 videos, search, commentThreads or comments list response"
RESPONSE_KINDS = ("youtube#videoListResponse", "youtube#searchListResponse",
                  "youtube#commentThreadListResponse", "youtube#commentListResponse")

IS_RESPONSE = (
    "json_extract_string(page, '$.kind') in ("
    + ", ".join(f"'{k}'" for k in RESPONSE_KINDS)
    + ") and json_type(page, '$.items') = 'ARRAY'"
)
API_ERROR = (
    "case when json_type(page, '$.error') = 'OBJECT' and json_extract_string(page, '$.error.code') <> 'ok' then "
    "coalesce(json_extract_string(page, '$.error.code'), '?') "
    "|| coalesce(' ' || json_extract_string(page, '$.error.errors[0].reason'), '') "
    "|| coalesce(': ' || json_extract_string(page, '$.error.message'), '') end"
)


def _s(path: str, of: str = "item") -> str:
    return f"json_extract_string({of}, '{path}')"


def _n(path: str, of: str = "item") -> str:
    return f"try_cast(json_extract_string({of}, '{path}') as bigint)"


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one YouTube Data API file into temp tables youtube_posts and quarantine."""
    load_responses(con, src, IS_RESPONSE, WHAT, API_ERROR)
    page_cols = "page_line, json_extract_string(page, '$.kind') as response_kind"
    con.execute(
        f"""
        create or replace temp table _entries as
        select coalesce(page_line, item_no) as source_line, response_kind, item
        from ({items_sql('_responses', '$.items', page_cols)})
        """
    )
    # Every comment of a thread: the top-level one and the replies the response carries.
    con.execute(
        f"""
        create or replace temp table _things as
        -- videos.list items, and search results that are videos
        select source_line, response_kind, 'video' as kind, item,
            case when response_kind = 'youtube#searchListResponse' then {_s('$.id.videoId')}
                 else {_s('$.id')} end as id,
            null::varchar as video_id, null::varchar as parent_id, null::varchar as parent_channel_id,
            null::bigint as total_reply_count
        from _entries
        where response_kind = 'youtube#videoListResponse'
           or (response_kind = 'youtube#searchListResponse' and {_s('$.id.kind')} = 'youtube#video')
        union all
        -- top-level comments of threads: they answer the video, whose channel is the thread's
        select source_line, response_kind, 'comment', json_extract(item, '$.snippet.topLevelComment'),
            coalesce({_s('$.snippet.topLevelComment.id')}, {_s('$.id')}),
            {_s('$.snippet.videoId')}, null, {_s('$.snippet.channelId')},
            {_n('$.snippet.totalReplyCount')}
        from _entries where response_kind = 'youtube#commentThreadListResponse'
        union all
        -- replies carried by threads: they answer the top-level comment
        select source_line, response_kind, 'reply', item,
            {_s('$.id')},
            coalesce({_s('$.snippet.videoId')}, thread_video_id),
            coalesce({_s('$.snippet.parentId')}, top_id),
            top_channel_id, null
        from ({items_sql(
            "(select source_line, response_kind, item as page, "
            "json_extract_string(item, '$.snippet.videoId') as thread_video_id, "
            "coalesce(json_extract_string(item, '$.snippet.topLevelComment.id'), "
            "json_extract_string(item, '$.id')) as top_id, "
            "json_extract_string(item, '$.snippet.topLevelComment.snippet.authorChannelId.value') "
            "as top_channel_id "
            "from _entries where response_kind = 'youtube#commentThreadListResponse')",
            '$.replies.comments',
            'source_line, response_kind, thread_video_id, top_id, top_channel_id')})
        union all
        -- comments.list items: a reply when it has a parentId
        select source_line, response_kind,
            case when {_s('$.snippet.parentId')} is not null then 'reply' else 'comment' end, item,
            {_s('$.id')}, {_s('$.snippet.videoId')}, {_s('$.snippet.parentId')},
            case when {_s('$.snippet.parentId')} is null then {_s('$.snippet.channelId')} end, null
        from _entries where response_kind = 'youtube#commentListResponse'
        """
    )
    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    con.execute(
        f"""
        create or replace temp table _typed as
        with base as (
            select *,
                {_s('$.snippet.publishedAt')} as published_raw,
                {iso_sql(_s('$.snippet.publishedAt'))} as created_at
            from _things
        )
        select *,
            case
                when id is null or id = '' then kind || ' has no id'
                when created_at is null then kind || ' ' || id || ' has no parseable publishedAt: '
                    || coalesce(published_raw, '(missing)')
                else {day_reason}
            end as reason
        from base
        """
    )
    con.execute(
        f"""
        create or replace temp table youtube_posts as
        select
            id,
            kind,
            case when kind = 'video' then {_s('$.snippet.channelId')}
                 else {_s('$.snippet.authorChannelId.value')} end as channel_id,
            case when kind = 'video' then {_s('$.snippet.channelTitle')}
                 else {_s('$.snippet.authorDisplayName')} end as author_display_name,
            created_at,
            cast(created_at as date) as day,
            {iso_sql(_s('$.snippet.updatedAt'))} as updated_at,
            {_s('$.snippet.title')} as title,
            {_s('$.snippet.description')} as description,
            {_s('$.snippet.textOriginal')} as text_original,
            {_s('$.snippet.textDisplay')} as text_display,
            case when json_type(item, '$.snippet.tags') = 'ARRAY'
                 then json_extract_string(item, '$.snippet.tags[*]') end as tags,
            {_s('$.snippet.categoryId')} as category_id,
            {_s('$.snippet.defaultLanguage')} as default_language,
            {_s('$.snippet.defaultAudioLanguage')} as default_audio_language,
            video_id,
            parent_id,
            parent_channel_id,
            {_n('$.statistics.viewCount')} as view_count,
            case when kind = 'video' then {_n('$.statistics.likeCount')}
                 else {_n('$.snippet.likeCount')} end as like_count,
            {_n('$.statistics.commentCount')} as comment_count,
            total_reply_count,
            response_kind,
            source_line
        from _typed where reason is null
        """
    )
    write_quarantine(con)
    things = fetch_int(con, "select count(*) from _things")
    bad_lines = fetch_int(con, "select count(*) from _bad_lines")
    skipped = fetch_int(
        con,
        f"select count(*) from _entries where response_kind = 'youtube#searchListResponse' "
        f"and coalesce({_s('$.id.kind')}, '') <> 'youtube#video'",
    )
    notes = [f"{skipped} search results that are not videos (channels, playlists) skipped"] if skipped else []
    return ParsedFile(entities={"youtube/posts": "youtube_posts"}, quarantine="quarantine",
                      rows_in=things + bad_lines, notes=notes)


_KIND = re.compile(r'"kind"\s*:\s*"youtube#(videoList|searchList|commentThreadList|commentList)Response"')


def sniff(first_line: str, head: str) -> bool:
    """A YouTube Data API list response: `"kind": "youtube#...ListResponse"`."""
    return first_line.startswith("{") and bool(_KIND.search(head))


CONNECTOR = Connector(
    format=FORMAT,
    description=("YouTube Data API v3 videos/search/commentThreads/comments list responses "
                 "(one JSON per file or per line)"),
    entities={
        "youtube/posts": GateColumns(network="'youtube'", post_id="id", likes="like_count", shares="0",
                                     comments="coalesce(comment_count, total_reply_count)"),
    },
    sniff=sniff,
    parse=parse,
    empty_samples=(
        ("empty.json", '{"kind": "youtube#videoListResponse", "etag": "", "items": [], '
                       '"pageInfo": {"totalResults": 0, "resultsPerPage": 0}}\n'),
    ),
)
