"""A vendor's mentions export, Brandwatch style: posts from many networks in one CSV.

The file often opens with report lines (`Report:, Brand:, From:, To:, Label:`) before the header; the
header is the first line holding at least four of `Query Id, Query Name, Date, Title, Snippet, Url,
Full Text, Page Type`. Columns read (whichever the export has; names differ between Brandwatch
versions, e.g. `Twitter Followers` / `X Followers`):

- network: `Page Type` (twitter or x -> x, facebook, instagram, tiktok, youtube, reddit; any other
  page type kept in lower case: news, blog, forum, ...), else the host of `Url` / `Domain`.
- post_id: taken from `Url` in the form the network's own connector keys posts by (X status id,
  Facebook numeric post id, Instagram shortcode, TikTok and YouTube video ids, Reddit t3_/t1_
  fullname), so a post seen through the vendor deduplicates with the native export. A social post
  whose URL holds no id falls back to `bw-<Mention Id>`; a web page (news, blog, forum) is keyed by
  its URL. `post_id_source` says which.
- created_at: `Date` ('2022-01-16 14:05:00.0'), read as UTC unless it carries an offset.
- counts: the generic `Likes, Comments, Shares` when present, else the network's own columns.
- replies and retweets: the post ids in the URLs of `Twitter Reply to` / `Twitter Retweet of`
  (`Parent Post Id` when the export has it); `Thread Entry Type` says post, reply, share or quote.
- `Sentiment` (the vendor's) is kept in the lake only; the warehouse does its own analysis.

A mention that appears twice (one row per matching query) lands once; the repeat is quarantined.
"""
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
from escucha.connectors.tabular import (
    bool_sql,
    col,
    count_sql,
    csv_columns,
    detect_encoding,
    duplicate_reason_sql,
    head_lines,
    header_cells,
    load_csv_rows,
    network_from_url_sql,
    network_sql,
    post_id_from_url_sql,
    split_list_sql,
    text_sql,
    utc_timestamp_sql,
)

FORMAT = "brandwatch"
SIGNATURE = {"Query Id", "Query Name", "Date", "Title", "Snippet", "Url", "Full Text", "Page Type"}
SOCIAL = ("x", "facebook", "instagram", "tiktok", "youtube", "reddit")
DELIMITERS = (",", ";", "\t")

# Per network, the export's own count columns (newest names first); the generic ones win when set.
LIKES = {"x": ["X Likes", "Twitter Likes"], "facebook": ["Facebook Likes"], "instagram": ["Instagram Likes"],
         "tiktok": ["Tiktok Likes"], "youtube": ["Youtube Likes"], "reddit": ["Reddit Score"]}
COMMENTS = {"x": ["X Replies", "Twitter Reply Count", "Twitter Replies"], "facebook": ["Facebook Comments"],
            "instagram": ["Instagram Comments"], "tiktok": ["Tiktok Comments"], "youtube": ["Youtube Comments"],
            "reddit": ["Reddit Comments"]}
SHARES = {"x": ["X Reposts", "Twitter Retweets"], "facebook": ["Facebook Shares"], "tiktok": ["Tiktok Shares"]}
VIEWS = {"tiktok": ["Tiktok Views"], "youtube": ["Youtube Views"]}
FOLLOWERS = {"x": ["X Followers", "Twitter Followers"], "instagram": ["Instagram Followers"],
             "youtube": ["Youtube Subscriber Count"], "tiktok": ["Tiktok Followers"]}
AUTHOR_IDS = {"x": ["X Author ID", "Twitter Author ID"], "facebook": ["Facebook Author ID"]}
# URLs of the tweet a reply answers / a retweet shares ("Original Url" is the mention's own URL
# before redirects, not the shared post's).
REPLY_TO = ["Twitter Reply to"]
RETWEET_OF = ["Twitter Retweet of"]
VERIFIED = ["X Verified", "Twitter Verified"]

ALL_AUTHOR_COLUMNS = [n for names in AUTHOR_IDS.values() for n in names] + ["Author"]

EMPTY_HEADER = [
    "Query Id", "Query Name", "Date", "Title", "Snippet", "Url", "Original Url", "Domain", "Sentiment",
    "Page Type", "Language", "Country", "Author", "Full Name", "Full Text", "Thread Id", "Thread Entry Type",
    "Mention Id", "Resource Id", "Engagement", "Reach (new)", "Impressions", "Likes", "Comments", "Shares",
    "Mentioned Authors", "Hashtags", "Added", "Updated",
]


def find_header(lines: list[str]) -> tuple[int, str] | None:
    """(0-based line index, delimiter) of the first line that looks like the mentions header."""
    for i, line in enumerate(lines):
        for delim in DELIMITERS:
            if len(SIGNATURE & set(header_cells(line, delim))) >= 4:
                return i, delim
    return None


def _per_network(columns: list[str], network: str, generic: list[str], by_network: dict[str, list[str]]) -> str:
    """A count from the first generic column that is set, else the row's network's own column."""
    specific = [
        f"when {network} = '{net}' then {count_sql(col(columns, *names))}"
        for net, names in by_network.items() if any(n in columns for n in names)
    ]
    generic_sql = [count_sql(col(columns, g)) for g in generic if g in columns]
    by_net = f"case {' '.join(specific)} end" if specific else "null::bigint"
    return f"coalesce({', '.join(generic_sql + [by_net])})"


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one vendor mentions export into the temp table vendor_posts plus quarantine."""
    encoding = detect_encoding(src.path)
    found = find_header(head_lines(src.path, encoding))
    if found is None:
        raise RejectedFile(src.original_name, "not a mentions export: no header line with "
                           "Query Id, Date, Title, Url, Page Type ... in its first lines")
    skip, delim = found
    columns = csv_columns(con, src.path, src.original_name, delim=delim, encoding=encoding, skip=skip)
    missing = [c for c in ("Date", "Url") if c not in columns]
    if missing:
        raise RejectedFile(src.original_name, "mentions export header lacks " + ", ".join(missing))
    rows_in = load_csv_rows(con, src.path, delim=delim, encoding=encoding, skip=skip)

    def c(*names: str) -> str:
        return col(columns, *names)

    url = text_sql(c("Url"))
    page_type = text_sql(c("Page Type"))
    domain_url = f"'https://' || {text_sql(c('Domain'))}"
    network = (f"coalesce(case when {network_sql(page_type)} in {SOCIAL} then {network_sql(page_type)} end, "
               f"{network_from_url_sql(url)}, {network_from_url_sql(domain_url)}, {network_sql(page_type)})")
    author_ids = " ".join(
        f"when '{net}' then {text_sql(c(*names))}" for net, names in AUTHOR_IDS.items()
        if any(n in columns for n in names))
    author_id = f"case t._network {author_ids} end" if author_ids else "null::varchar"
    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    con.execute(
        f"""
        create or replace temp table _typed as
        with base as (
            select source_line, {network} as _network, {url} as _url,
                   {utc_timestamp_sql(text_sql(c('Date')))} as created_at, {c('Date')} as _date_raw,
                   {text_sql(c('Mention Id'))} as _mention_id,
                   coalesce({', '.join(text_sql(c(n)) for n in ALL_AUTHOR_COLUMNS)}) as _author
            from _rows
        ),
        keyed as (
            select *,
                {post_id_from_url_sql('_network', '_url')} as _url_id,
                case when _network in {SOCIAL} then null else _url end as _page_id
            from base
        ),
        reasons as (
            select *,
                coalesce(_url_id, _page_id, 'bw-' || _mention_id) as post_id,
                case when _url_id is not null then 'url' when _page_id is not null then 'page url'
                     when _mention_id is not null then 'mention id' end as post_id_source,
                case
                    when _network is null then 'no Page Type, Domain or Url to tell the network'
                    when coalesce(_url_id, _page_id, _mention_id) is null
                        then _network || ' post has no id: its Url holds none ('
                             || coalesce(_url, 'empty') || ') and Mention Id is empty'
                    when created_at is null then 'Date is not a date: ' || coalesce(_date_raw, '(empty)')
                    when _author is null then _network || ' post ' || post_id || ' has no Author'
                    else {day_reason}
                end as reason
            from keyed
        )
        select * exclude (reason), {duplicate_reason_sql('_network, post_id', what='mention')} as reason
        from reasons
        """
    )
    entry = f"lower({text_sql(c('Thread Entry Type'))})"
    full_name = text_sql(c("Full Name"))
    handle = text_sql(c("Author"))
    con.execute(
        f"""
        create or replace temp table vendor_posts as
        select
            t._network as network,
            t.post_id,
            t.post_id_source,
            t.created_at,
            cast(t.created_at as date) as day,
            t._url as url,
            {text_sql(c('Original Url'))} as original_url,
            {text_sql(c('Domain'))} as domain,
            {text_sql(c('Page Type'))} as page_type,
            {text_sql(c('Title'))} as title,
            {text_sql(c('Snippet'))} as snippet,
            {text_sql(c('Full Text'))} as full_text,
            {text_sql(c('Language'))} as language,
            {text_sql(c('Country'))} as country,
            lower({text_sql(c('Sentiment'))}) as sentiment,
            {text_sql(c('Author'))} as author,
            {full_name} as full_name,
            -- Brandwatch writes "handle (Display Name)" for social accounts
            case when starts_with({full_name}, {handle} || ' (') and ends_with({full_name}, ')')
                 then {full_name}[length({handle}) + 3:-2] else {full_name} end as display_name,
            {bool_sql(c(*VERIFIED))} as verified,
            coalesce({author_id}, regexp_replace({text_sql(c('Author'))}, '^(@|u/)', ''))
                as author_id,
            {text_sql(c('Account Type'))} as account_type,
            nullif({text_sql(c('Thread Id'))}, '0') as thread_id,
            {entry} as thread_entry_type,
            coalesce({text_sql(c('Parent Post Id'))},
                     {post_id_from_url_sql('t._network', text_sql(c(*REPLY_TO)))}) as parent_post_id,
            {post_id_from_url_sql('t._network', text_sql(c(*RETWEET_OF)))} as shared_post_id,
            {split_list_sql(c('Expanded URLs'))} as urls,
            {split_list_sql(c('Mentioned Authors'), '@')} as mentioned_authors,
            {split_list_sql(c('Hashtags'), '#')} as hashtags,
            {_per_network(columns, 't._network', ['Likes'], LIKES)} as likes,
            {_per_network(columns, 't._network', ['Comments'], COMMENTS)} as comments,
            {_per_network(columns, 't._network', ['Shares'], SHARES)} as shares,
            {_per_network(columns, 't._network', ['Views'], VIEWS)} as views,
            {_per_network(columns, 't._network', [], FOLLOWERS)} as followers,
            {count_sql(c('Reach (new)', 'Reach'))} as reach,
            {count_sql(c('Impressions'))} as impressions,
            {count_sql(c('Engagement', 'Engagement Score'))} as engagement,
            {text_sql(c('Query Id'))} as query_id,
            {text_sql(c('Query Name'))} as query_name,
            t._mention_id as mention_id,
            {text_sql(c('Resource Id'))} as resource_id,
            coalesce({utc_timestamp_sql(text_sql(c('Updated')))}, {utc_timestamp_sql(text_sql(c('Added')))})
                as collected_at,
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
               left(concat_ws(',', t._url, t._date_raw, {c('Full Text', 'Snippet', 'Title')}), 200) as raw_excerpt
        from _typed t
        join _rows using (source_line)
        where t.reason is not null
        order by t.source_line
        """
    )
    return ParsedFile(entities={"vendor/posts": "vendor_posts"}, quarantine="quarantine", rows_in=rows_in)


def sniff(first_line: str, head: str) -> bool:
    """A mentions header (Query Id, Date, Title, Url, Page Type ...) within the first lines."""
    return find_header(head.splitlines()[:40]) is not None


CONNECTOR = Connector(
    format=FORMAT,
    description="Vendor mentions exports, Brandwatch style (posts from many networks, one CSV)",
    entities={
        "vendor/posts": GateColumns(network="network", post_id="post_id", likes="likes",
                                    shares="shares", comments="comments"),
    },
    sniff=sniff,
    parse=parse,
    empty_samples=(("mentions.csv", ",".join(f'"{h}"' for h in EMPTY_HEADER) + "\n"),),
)
