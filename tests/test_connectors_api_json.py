"""TikTok, YouTube and Reddit connectors on small documented-shape files: exact values, quarantine
reasons with their line (or item index), counts that reconcile, detection that steals nothing."""
from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from escucha.calendar import collection_calendar
from escucha.connectors import BY_FORMAT, CONNECTORS, SourceFile, detect_format
from escucha.landing import archive_file, archive_inbox, land_window
from tests.conftest import FIXTURES, drop

JANUARY = (date(2022, 1, 1), date(2022, 1, 31))

FIXTURE_FORMATS = {
    "tiktok_video_query.json": "tiktok",
    "tiktok_comments.jsonl": "tiktok",
    "youtube_videos.json": "youtube",
    "youtube_comment_threads.json": "youtube",
    "youtube_search_and_replies.jsonl": "youtube",
    "reddit_pushshift.jsonl": "reddit",
    "reddit_api_listing.jsonl": "reddit",
    "x_twarc2_sample.jsonl": "twarc2",
    "ct_facebook_sample.csv": "crowdtangle",
    "ct_instagram_sample.csv": "crowdtangle",
}


def lake_rows(home, entity: str) -> dict[str, dict]:
    """Rows of a lake entity keyed by id, as Python values (nulls stay None)."""
    with duckdb.connect() as con:
        rel = con.sql(
            f"select * from read_parquet('{home.lake}/{entity}/**/*.parquet', union_by_name=true)"
        )
        rows = [dict(zip(rel.columns, values)) for values in rel.fetchall()]
    return {r["id"]: r for r in rows}


def quarantine(home, archived) -> list[tuple[int, str]]:
    with duckdb.connect() as con:
        return con.sql(
            f"select source_line, reason from '{home.archive}/{archived.sha256}.parsed/quarantine.parquet' "
            "order by source_line"
        ).fetchall()


def archive_one(home, name: str):
    drop(home, name)
    [archived] = archive_inbox(home)
    assert archived.status == "archived", archived.error
    assert archived.rows_in == archived.rows_parsed + archived.rows_quarantined
    return archived


# --- detection -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fmt", sorted(FIXTURE_FORMATS.items()))
def test_every_fixture_is_detected_as_its_format(name, fmt):
    assert detect_format(FIXTURES / name) == fmt


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_new_sniffers_claim_only_their_own_files(name):
    raw = (FIXTURES / name).read_bytes()[:65536].decode("utf-8", errors="replace")
    text = raw.lstrip("\ufeff").lstrip()
    first_line = text.splitlines()[0]
    claimed = {c.format for c in CONNECTORS if c.format in ("tiktok", "youtube", "reddit")
               and c.sniff(first_line, text)}
    expected = {FIXTURE_FORMATS[name]} & {"tiktok", "youtube", "reddit"}
    assert claimed == expected


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_counts_reconcile_for_every_fixture(home, name):
    drop(home, name)
    [archived] = archive_inbox(home)
    assert archived.status == "archived"
    assert archived.format == FIXTURE_FORMATS[name]
    assert archived.rows_in == archived.rows_parsed + archived.rows_quarantined


# --- TikTok ----------------------------------------------------------------------------------

def test_tiktok_video_query_document_with_bom(home):
    archived = archive_one(home, "tiktok_video_query.json")
    # 4 videos in data.videos: 2 land, 1 with an unparseable time and 1 without id are quarantined
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (4, 2, 2)
    # one JSON document: source_line is the index of the video in data.videos
    assert quarantine(home, archived) == [
        (3, "video 7054500000000000003 has no parseable create_time: ayer"),
        (4, "video has no id"),
    ]
    land_window(home, *JANUARY)
    posts = lake_rows(home, "tiktok/posts")
    assert set(posts) == {"7054321098765432101", "7054400000000000002"}  # int64 ids kept exact
    v = posts["7054321098765432101"]
    assert v["kind"] == "video"
    assert v["username"] == "rosaquispe.aqp"
    assert v["text"] == "Así quedó la playa de Ventanilla 😢🛢️ #derramedepetroleo #Ventanilla @oefaperu"
    assert v["created_at"] == datetime(2022, 1, 16, 14, 15)
    assert v["day"] == date(2022, 1, 16)
    assert v["region_code"] == "PE"
    assert v["voice_to_text"] == "Miren cómo está la arena, todo negro"
    assert v["music_id"] == "7012345678901234567"
    assert v["hashtag_names"] == ["derramedepetroleo", "ventanilla"]
    assert (v["like_count"], v["comment_count"], v["share_count"], v["view_count"]) == (15230, 842, 3100, 250400)
    assert (v["favorites_count"], v["video_duration"]) == (410, 42)
    assert v["search_id"] == "7054600000000000000"
    assert v["source_line"] == 1
    bare = posts["7054400000000000002"]  # optional fields not requested: null, not invented
    assert bare["hashtag_names"] is None and bare["voice_to_text"] is None
    assert bare["region_code"] is None and bare["music_id"] is None and bare["favorites_count"] is None
    assert bare["created_at"] == datetime(2022, 1, 17, 13, 40)


def test_tiktok_comment_pages_with_crlf_error_lines_and_parents(home):
    archived = archive_one(home, "tiktok_comments.jsonl")
    # 5 comments in 3 pages + an API error line + a truncated line = 7 rows in; 4 land
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (7, 4, 3)
    assert quarantine(home, archived) == [
        (3, "line is an API error response: rate_limit_exceeded: API rate limit exceeded"),
        (4, "comment 7054340000000000023 has no parseable create_time: 1642359600000"),
        (5, "line is not valid JSON"),
    ]
    land_window(home, *JANUARY)
    posts = lake_rows(home, "tiktok/posts")
    top = posts["7054330000000000011"]
    assert top["kind"] == "comment"
    assert top["text"] == "Qué pena, nuestro mar 💔 ¿y Repsol?"  # no \r left from CRLF
    assert top["video_id"] == "7054321098765432101"
    assert top["parent_comment_id"] == "7054321098765432101"
    assert top["parent_id"] == "7054321098765432101"  # a top-level comment answers its video
    assert top["username"] is None  # the Research API gives comments without author
    assert (top["like_count"], top["reply_count"], top["share_count"]) == (120, 2, None)
    assert top["created_at"] == datetime(2022, 1, 16, 15, 0)
    assert top["source_line"] == 1
    assert posts["7054330000000000012"]["username"] == "jorge_chalaco"
    reply = posts["7054340000000000021"]
    assert reply["parent_id"] == "7054330000000000011" and reply["source_line"] == 2
    emptied = posts["7054340000000000022"]  # no text left: still a post with id and time
    assert emptied["text"] == "" and emptied["created_at"] == datetime(2022, 1, 16, 18, 0)


def test_tiktok_parent_author_is_resolved_within_the_file(home, tmp_path):
    lines = [
        '{"data": {"videos": [{"id": 7100000000000000001, "username": "vecina.rimac", '
        '"video_description": "Huaico en Chosica", "create_time": 1642600000}], "has_more": false}}',
        '{"data": {"comments": [{"id": 7100000000000000002, "video_id": 7100000000000000001, '
        '"parent_comment_id": 7100000000000000001, "text": "Fuerza 💪", "create_time": 1642603600}]}}',
    ]
    path = home.inbox / "pages.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [archived] = archive_inbox(home)
    assert (archived.format, archived.rows_in, archived.rows_parsed) == ("tiktok", 2, 2)
    land_window(home, *JANUARY)
    comment = lake_rows(home, "tiktok/posts")["7100000000000000002"]
    assert comment["parent_id"] == "7100000000000000001"
    assert comment["parent_username"] == "vecina.rimac"


# --- YouTube ---------------------------------------------------------------------------------

def test_youtube_videos_list_document(home):
    archived = archive_one(home, "youtube_videos.json")
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (3, 2, 1)
    assert quarantine(home, archived) == [(3, "video Bad0000000x has no parseable publishedAt: 16/01/2022")]
    land_window(home, *JANUARY)
    posts = lake_rows(home, "youtube/posts")
    v = posts["Xk3vPeRu9aQ"]
    assert v["kind"] == "video"
    assert v["channel_id"] == "UCpR4Ff3bWn6sCz7L2vD9qAg"
    assert v["author_display_name"] == "Noticias Perú"
    assert v["title"] == "Derrame de petróleo en Ventanilla: lo que sabemos | Noticias Perú"
    assert v["description"].startswith("Reportaje completo 🛢️ #Ventanilla #Repsol\nMás info:")
    assert v["created_at"] == datetime(2022, 1, 16, 15, 30)
    assert v["tags"] == ["derrame", "Ventanilla", "Repsol"]
    assert (v["default_language"], v["default_audio_language"], v["category_id"]) == ("es", "es-419", "25")
    # statistics are strings in the API
    assert (v["view_count"], v["like_count"], v["comment_count"]) == (184220, 5310, 912)
    assert v["response_kind"] == "youtube#videoListResponse" and v["source_line"] == 1
    hidden = posts["Ab3dEfGhIj2"]  # likes hidden, no tags, no language: null
    assert hidden["created_at"] == datetime(2022, 1, 17, 2, 0)  # fractional seconds
    assert hidden["like_count"] is None and hidden["tags"] is None and hidden["default_language"] is None
    assert hidden["author_display_name"] == "Cocina con Ñaño"


def test_youtube_comment_threads_give_comments_and_replies_with_parents(home):
    archived = archive_one(home, "youtube_comment_threads.json")
    # 3 threads: 3 top-level comments + 2 replies; the thread without publishedAt is quarantined
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (5, 4, 1)
    assert quarantine(home, archived) == [(2, "comment UgyNoTimeThread has no parseable publishedAt: (missing)")]
    land_window(home, *JANUARY)
    posts = lake_rows(home, "youtube/posts")
    top = posts["UgzAbC123threadVentanilla"]
    assert top["kind"] == "comment"
    assert top["video_id"] == "Xk3vPeRu9aQ" and top["parent_id"] is None
    assert top["parent_channel_id"] == "UCpR4Ff3bWn6sCz7L2vD9qAg"  # the video's channel
    assert top["channel_id"] == "UCmAr1aEl3naQwErTy000001"
    assert top["author_display_name"] == "@mariaelena.pe"
    assert top["text_original"] == "Indignante 😡 el mar de Ventanilla no se merece esto. #JusticiaAmbiental"
    assert (top["created_at"], top["updated_at"]) == (datetime(2022, 1, 16, 18, 0), datetime(2022, 1, 16, 18, 5))
    assert (top["like_count"], top["total_reply_count"], top["view_count"]) == (87, 2, None)
    assert top["source_line"] == 1  # index of the thread in items
    reply = posts["UgzAbC123threadVentanilla.9XyZreply1"]
    assert reply["kind"] == "reply"
    assert reply["parent_id"] == "UgzAbC123threadVentanilla"
    assert reply["parent_channel_id"] == "UCmAr1aEl3naQwErTy000001"  # the top-level comment's author
    assert reply["video_id"] == "Xk3vPeRu9aQ" and reply["like_count"] == 12 and reply["source_line"] == 1
    gone = posts["UgzAbC123threadVentanilla.9XyZreply2"]  # author channel gone, text empty
    assert gone["channel_id"] is None and gone["text_original"] == ""
    assert posts["UgxCeviche01"]["source_line"] == 3


def test_youtube_search_comments_list_and_error_lines(home):
    archived = archive_one(home, "youtube_search_and_replies.jsonl")
    # a video search result + a comments.list reply + a quota error line; the channel result is no post
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (3, 2, 1)
    assert quarantine(home, archived) == [
        (3, "line is an API error response: 403 quotaExceeded: The request cannot be completed "
            "because you have exceeded your quota."),
    ]
    land_window(home, *JANUARY)
    posts = lake_rows(home, "youtube/posts")
    assert set(posts) == {"Qw9PeruLima", "UgzAbC123threadVentanilla.9XyZreply3"}
    found = posts["Qw9PeruLima"]
    assert found["response_kind"] == "youtube#searchListResponse"
    assert found["title"] == "Marcha por el mar en Lima #Ventanilla"
    assert found["like_count"] is None and found["view_count"] is None  # search gives no statistics
    reply = posts["UgzAbC123threadVentanilla.9XyZreply3"]
    assert reply["kind"] == "reply" and reply["parent_id"] == "UgzAbC123threadVentanilla"
    assert reply["created_at"] == datetime(2022, 1, 18, 9, 0)  # "+00:00" offset
    assert reply["source_line"] == 2


def test_a_one_page_ndjson_file_keeps_line_numbers(tmp_path):
    """The same single-line response numbers items by index as a .json, by line as a .jsonl."""
    content = (FIXTURES / "youtube_comment_threads.json").read_bytes()
    lines = {}
    for name in ("threads.json", "threads.jsonl"):
        path = tmp_path / name
        path.write_bytes(content)
        with duckdb.connect() as con:
            con.execute("set timezone = 'UTC'")
            BY_FORMAT["youtube"].parse(con, SourceFile(path, name, "0" * 64), collection_calendar())
            lines[name] = con.execute(
                "select (select source_line from youtube_posts where id = 'UgxCeviche01'), "
                "(select source_line from quarantine)").fetchone()
    assert lines == {"threads.json": (3, 2), "threads.jsonl": (1, 1)}


def test_youtube_skipped_search_results_are_noted():
    path = FIXTURES / "youtube_search_and_replies.jsonl"
    with duckdb.connect() as con:
        con.execute("set timezone = 'UTC'")
        parsed = BY_FORMAT["youtube"].parse(con, SourceFile(path, path.name, "0" * 64), collection_calendar())
    assert parsed.notes == ["1 search results that are not videos (channels, playlists) skipped"]


# --- Reddit ----------------------------------------------------------------------------------

def test_reddit_pushshift_dump(home):
    archived = archive_one(home, "reddit_pushshift.jsonl")
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (7, 5, 2)
    assert quarantine(home, archived) == [
        (5, "comment hu2bad1 has no parseable created_utc: (missing)"),
        (6, "comment has no id"),
    ]
    land_window(home, *JANUARY)
    posts = lake_rows(home, "reddit/posts")
    assert set(posts) == {"s9k2ab", "s9m7cd", "hu1x2y3", "hu1z9k0", "s9p1ef"}
    s = posts["s9k2ab"]
    assert (s["name"], s["kind"]) == ("t3_s9k2ab", "submission")  # fullname built from id
    assert (s["author"], s["author_fullname"], s["subreddit"]) == ("limena_consciente", "t2_8xk2p", "PERU")
    assert s["title"] == "Derrame de petróleo en Ventanilla: ¿qué podemos hacer como ciudadanos?"
    assert s["selftext"].startswith("Vi las fotos de las playas y me partió el alma 😢.")
    assert s["created_at"] == datetime(2022, 1, 16, 16, 20)
    assert (s["edited"], s["edited_at"]) == (True, datetime(2022, 1, 16, 17, 20))
    assert (s["score"], s["num_comments"], s["num_crossposts"], s["upvote_ratio"]) == (342, 57, 1, 0.97)
    assert s["collected_at"] == datetime(2022, 1, 17, 4, 0)
    assert s["is_self"] is True and s["body"] is None
    deleted = posts["s9m7cd"]
    assert deleted["author"] == "[deleted]" and deleted["author_fullname"] is None
    assert deleted["created_at"] == datetime(2022, 1, 16, 19, 6, 40)  # created_utc as a string
    assert (deleted["edited"], deleted["edited_at"]) == (False, None)
    assert deleted["removed_by_category"] == "deleted" and deleted["url"] == "https://www.oefa.gob.pe/comunicado"
    c = posts["hu1x2y3"]
    assert (c["name"], c["kind"]) == ("t1_hu1x2y3", "comment")
    assert c["body"] == "En Ancón la pesca está paralizada, necesitamos ayuda ya. ¡Ni un día más! 🐟"
    assert c["created_at"] == datetime(2022, 1, 16, 16, 50)  # created_utc as a float
    assert (c["link_id"], c["parent_id"], c["parent_author"]) == ("t3_s9k2ab", "t3_s9k2ab", "limena_consciente")
    assert c["collected_at"] == datetime(2022, 1, 17, 4, 5)  # retrieved_utc
    r = posts["hu1z9k0"]
    assert (r["author"], r["body"], r["score"]) == ("[deleted]", "[deleted]", -3)
    assert (r["parent_id"], r["parent_author"], r["edited"]) == ("t1_hu1x2y3", "pescador_ancon", False)
    x = posts["s9p1ef"]
    assert (x["crosspost_parent"], x["crosspost_parent_author"]) == ("t3_s9k2ab", "limena_consciente")
    assert x["source_line"] == 7


def test_reddit_api_listings_with_nested_replies(home):
    archived = archive_one(home, "reddit_api_listing.jsonl")
    # line 1: a listing with 1 submission; line 2: [post listing, comments listing with a nested
    # reply and a `more` stub]; line 3: a thing with an unparseable created_utc
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (5, 4, 1)
    assert quarantine(home, archived) == [(3, "submission sa0003 has no parseable created_utc: mañana")]
    land_window(home, *JANUARY)
    posts = lake_rows(home, "reddit/posts")
    assert set(posts) == {"sa0001", "sa0002", "hv0001", "hv0002"}
    assert posts["sa0002"]["source_line"] == 1 and posts["sa0002"]["title"] == "Machu Picchu reabre con aforo reducido"
    post = posts["sa0001"]
    assert post["created_at"] == datetime(2022, 1, 24, 4, 53, 20)
    assert (post["edited"], post["edited_at"]) == (True, datetime(2022, 1, 24, 5, 53, 20))
    nested = posts["hv0002"]
    assert (nested["name"], nested["parent_id"], nested["link_id"]) == ("t1_hv0002", "t1_hv0001", "t3_sa0001")
    assert nested["parent_author"] == "arequipeno_99" and nested["source_line"] == 2
    assert nested["body"] == "Totalmente, y el SEDAPAR no responde."


# --- files that are not what they claim -----------------------------------------------------

@pytest.mark.parametrize("fmt", ["tiktok", "youtube", "reddit"])
def test_a_file_of_another_format_is_rejected_whole(home, fmt):
    path = home.inbox / "x_twarc2_sample.jsonl"
    path.write_bytes((FIXTURES / "x_twarc2_sample.jsonl").read_bytes())
    result = archive_file(home, path, fmt=fmt)
    assert result.status == "rejected"
    assert result.error.startswith("x_twarc2_sample.jsonl: not a ")
    assert "\n" not in result.error
    assert not list(home.archive.glob("*.json"))


def test_a_tiktok_error_document_is_rejected_with_the_api_error(home):
    path = home.inbox / "error.json"
    path.write_text('{\n  "data": {},\n  "error": {"code": "invalid_params", '
                    '"message": "Invalid parameters", "log_id": "x"}\n}\n', encoding="utf-8")
    result = archive_file(home, path, fmt="tiktok")
    assert result.status == "rejected"
    assert result.error == "error.json: the file is an API error response: invalid_params: Invalid parameters"
