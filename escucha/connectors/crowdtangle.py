"""CrowdTangle historical-data CSV exports, Facebook pages and Instagram accounts."""
from __future__ import annotations

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
from escucha.connectors.tabular import csv_columns, delimiter_hint, detect_encoding, load_csv_rows

FORMAT = "crowdtangle"

# CrowdTangle writes "Post Created" in the dashboard's time zone, named by its abbreviation.
ZONE_OFFSETS_HOURS = {
    "UTC": 0, "GMT": 0, "PET": -5, "COT": -5, "ECT": -5, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "BRT": -3, "ART": -3, "CLT": -4, "CLST": -3,
    "VET": -4, "BOT": -4, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
}

FACEBOOK_COLUMNS = [
    "Page Name", "User Name", "Facebook Id", "Page Category", "Page Admin Top Country",
    "Page Description", "Page Created", "Likes at Posting", "Followers at Posting", "Post Created",
    "Post Created Date", "Post Created Time", "Type", "Total Interactions", "Likes", "Comments",
    "Shares", "Love", "Wow", "Haha", "Sad", "Angry", "Care", "Video Share Status", "Is Video Owner?",
    "Post Views", "Total Views", "Total Views For All Crossposts", "Video Length", "URL", "Message",
    "Link", "Final Link", "Image Text", "Link Text", "Description", "Sponsor Id", "Sponsor Name",
    "Sponsor Category",
    "Overperforming Score (weighted  \u2014  Likes 1x Shares 1x Comments 1x Love 1x Wow 1x Haha 1x "
    "Sad 1x Angry 1x Care 1x )",
]
INSTAGRAM_COLUMNS = [
    "Account", "User Name", "Followers at Posting", "Post Created", "Post Created Date",
    "Post Created Time", "Type", "Likes", "Comments", "Views", "URL", "Link", "Photo", "Title",
    "Description", "Image Text", "Sponsor Id", "Sponsor Name", "Total Interactions", "Overperforming Score",
]
FACEBOOK_REQUIRED = ["Page Name", "User Name", "Facebook Id", "Post Created", "URL", "Message"]
INSTAGRAM_REQUIRED = ["Account", "User Name", "Post Created", "URL", "Description"]


def network_of(columns: list[str]) -> str | None:
    """facebook or instagram, from the header; None when it is not a CrowdTangle export."""
    if all(c in columns for c in FACEBOOK_REQUIRED):
        return "facebook"
    if all(c in columns for c in INSTAGRAM_REQUIRED):
        return "instagram"
    return None


def n(col: str) -> str:
    """SQL casting a CrowdTangle count column (may hold thousands separators) to bigint."""
    return f"try_cast(nullif(replace(\"{col}\", ',', ''), '') as bigint)"


def _zone_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create or replace temp table _ct_zones (abbrev varchar, offset_hours integer)")
    con.executemany("insert into _ct_zones values (?, ?)", list(ZONE_OFFSETS_HOURS.items()))


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one CrowdTangle CSV into a temp table <network>_posts plus quarantine."""
    encoding = detect_encoding(src.path)
    columns = csv_columns(con, src.path, src.original_name, encoding=encoding)
    network = network_of(columns)
    if network is None:
        raise RejectedFile(
            src.original_name,
            "not a CrowdTangle export: header lacks " + ", ".join(
                c for c in FACEBOOK_REQUIRED if c not in columns)
            + (f" ({hint})" if (hint := delimiter_hint(src.path, encoding, ",")) else ""),
        )
    _zone_table(con)
    rows = load_csv_rows(con, src.path, encoding=encoding)
    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    if network == "facebook":
        post_id = (
            "coalesce(regexp_extract(\"URL\", '/(?:posts|videos|photos)/(?:[^/]+/)?([0-9]+)', 1), "
            "regexp_extract(\"URL\", '(?:story_fbid|fbid)=([0-9]+)', 1))"
        )
        author_id = '"Facebook Id"'
        text = '"Message"'
        select_native = f"""
            "Page Name" as page_name, "User Name" as user_name, "Facebook Id" as facebook_id,
            "Page Category" as page_category, "Page Admin Top Country" as page_admin_top_country,
            "Page Description" as page_description,
            try_strptime("Page Created", '%Y-%m-%d %H:%M:%S') as page_created,
            {n('Likes at Posting')} as likes_at_posting,
            {n('Followers at Posting')} as followers_at_posting,
            "Type" as post_type,
            {n('Likes')} as likes, {n('Comments')} as comments, {n('Shares')} as shares,
            {n('Love')} as love, {n('Wow')} as wow, {n('Haha')} as haha, {n('Sad')} as sad,
            {n('Angry')} as angry, {n('Care')} as care,
            {n('Post Views')} as post_views, {n('Total Views')} as total_views,
            "URL" as url, "Message" as message, "Link" as link, "Final Link" as final_link,
            "Image Text" as image_text, "Link Text" as link_text, "Description" as description,
            "Sponsor Name" as sponsor_name
        """
    else:
        post_id = "regexp_extract(\"URL\", '/(?:p|reel|tv)/([A-Za-z0-9_-]+)', 1)"
        author_id = '"User Name"'
        text = '"Description"'
        select_native = f"""
            "Account" as account, "User Name" as user_name,
            {n('Followers at Posting')} as followers_at_posting,
            "Type" as post_type,
            {n('Likes')} as likes, {n('Comments')} as comments, {n('Views')} as views,
            "URL" as url, "Link" as link, "Title" as title, "Description" as description,
            "Image Text" as image_text, "Sponsor Name" as sponsor_name
        """

    con.execute(
        f"""
        create or replace temp table _typed as
        with parsed as (
            select *,
                {post_id} as _post_id,
                {author_id} as _author_id,
                try_strptime(regexp_extract("Post Created", '^(\\S+ \\S+)', 1), '%Y-%m-%d %H:%M:%S')
                    as _local_time,
                regexp_extract("Post Created", '^\\S+ \\S+ (\\S+)$', 1) as _zone
            from _rows
        ),
        zoned as (
            select p.*, z.offset_hours,
                p._local_time - to_hours(z.offset_hours) as created_at
            from parsed p left join _ct_zones z on z.abbrev = upper(p._zone)
        )
        select *,
            case
                when _post_id is null or _post_id = '' then 'URL has no post id: ' || coalesce("URL", '(empty)')
                when _author_id is null or _author_id = '' then 'row has no account id'
                when _local_time is null then 'Post Created is not a date: ' || coalesce("Post Created", '(empty)')
                when offset_hours is null then 'unknown time zone in Post Created: ' || coalesce(_zone, '(none)')
                else {day_reason}
            end as reason
        from zoned
        """
    )
    table = f"{network}_posts"
    con.execute(
        f"""
        create or replace temp table {table} as
        select _post_id as post_id, created_at, cast(created_at as date) as day,
            {select_native},
            null::timestamp as collected_at,
            source_line
        from _typed where reason is null
        """
    )
    con.execute(
        f"""
        create or replace temp table quarantine as
        select source_line, try_cast(created_at as date) as day, reason,
               left(concat_ws(',', "URL", "Post Created", {text}), 200) as raw_excerpt
        from _typed where reason is not null
        """
    )
    return ParsedFile(entities={f"{network}/posts": table}, quarantine="quarantine", rows_in=rows)


def sniff(first_line: str, head: str) -> bool:
    """A CSV header with CrowdTangle's post columns."""
    return ("Post Created" in first_line and "URL" in first_line) or first_line.startswith('"Page Name"')


def _header(columns: list[str]) -> str:
    return ",".join(f'"{c}"' for c in columns) + "\n"


CONNECTOR = Connector(
    format=FORMAT,
    description="CrowdTangle historical-data CSV exports (Facebook pages, Instagram accounts)",
    entities={
        "facebook/posts": GateColumns(network="'facebook'", post_id="post_id", likes="likes",
                                      shares="shares", comments="comments"),
        "instagram/posts": GateColumns(network="'instagram'", post_id="post_id", likes="likes",
                                       shares="0", comments="comments"),
    },
    sniff=sniff,
    parse=parse,
    empty_samples=(("facebook.csv", _header(FACEBOOK_COLUMNS)), ("instagram.csv", _header(INSTAGRAM_COLUMNS))),
)
