"""CSV-shaped connectors on small real-shaped files: twarc-csv, Meta Content Library, a vendor
mentions export and mapped exports. Exact lake values, counts that reconcile, quarantine reasons with
their lines, detection, mapping validation, and that names from a file never become SQL."""
from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from escucha.calendar import collection_calendar
from escucha.connectors import RejectedFile, SourceFile, detect_format, mapping
from escucha.connectors.mapping import MappingError, load_mapping
from escucha.landing import archive_file, archive_inbox, land_window
from tests.conftest import FIXTURES, drop

WINDOW = (date(2021, 12, 1), date(2022, 5, 31))
MAPPING = FIXTURES / "monitor_andino.mapping.yaml"


def lake_rows(home, entity: str) -> list[dict]:
    with duckdb.connect() as con:
        df = con.sql(
            f"select * from read_parquet('{home.lake}/{entity}/**/*.parquet', union_by_name=true)"
        ).df()
    return df.to_dict("records")


def quarantine(home, sha: str) -> list[tuple]:
    with duckdb.connect() as con:
        return con.sql(f"select source_line, reason from '{home.archive}/{sha}.parsed/quarantine.parquet' "
                       "order by source_line").fetchall()


def land(home, *names: str):
    drop(home, *names)
    archived = {a.original_name: a for a in archive_inbox(home)}
    land_window(home, *WINDOW)
    return archived


def reconciles(a) -> bool:
    return a.status == "archived" and a.rows_in == a.rows_parsed + a.rows_quarantined


# --------------------------------------------------------------------------------------- detection

@pytest.mark.parametrize("name, fmt", [
    ("x_twarc_csv_sample.csv", "twarc_csv"),
    ("fb_mcl_sample.csv", "meta_content_library"),
    ("ig_mcl_sample.csv", "meta_content_library"),
    ("brandwatch_mentions_sample.csv", "brandwatch"),
    ("x_twarc2_sample.jsonl", "twarc2"),
    ("ct_facebook_sample.csv", "crowdtangle"),
    ("ct_instagram_sample.csv", "crowdtangle"),
])
def test_each_fixture_is_detected_as_its_format(name, fmt):
    assert detect_format(FIXTURES / name) == fmt


def test_a_mapped_export_is_never_guessed():
    with pytest.raises(RejectedFile, match="format not recognised"):
        detect_format(FIXTURES / "monitor_andino_latin1.csv")


def test_a_utf16_export_is_detected_and_read(home):
    text = (FIXTURES / "ig_mcl_sample.csv").read_text(encoding="utf-8-sig")
    (home.inbox / "ig_utf16.csv").write_text(text, encoding="utf-16")
    assert detect_format(home.inbox / "ig_utf16.csv") == "meta_content_library"
    [a] = archive_inbox(home)
    assert reconciles(a) and (a.rows_in, a.rows_parsed) == (3, 2)


def test_a_file_that_is_not_the_claimed_format_is_rejected_with_one_line(home):
    drop(home, "ct_facebook_sample.csv")
    a = archive_file(home, home.inbox / "ct_facebook_sample.csv", fmt="twarc_csv")
    assert a.status == "rejected"
    assert a.error == ("ct_facebook_sample.csv: not a twarc-csv export: header lacks id, created_at, text, "
                       "author_id")
    drop(home, "ct_instagram_sample.csv")
    a = archive_file(home, home.inbox / "ct_instagram_sample.csv", fmt="meta_content_library")
    assert a.status == "rejected" and "not a Meta Content Library export" in a.error and "\n" not in a.error


# --------------------------------------------------------------------------------------- twarc-csv

def test_twarc_csv_values_and_quarantine(home):
    a = land(home, "x_twarc_csv_sample.csv")["x_twarc_csv_sample.csv"]
    # 11 rows: 9 tweets land (the retweeted original is written inline), 2 quarantined
    assert reconciles(a) and (a.rows_in, a.rows_parsed, a.rows_quarantined) == (11, 9, 2)
    assert quarantine(home, a.sha256) == [
        (11, "tweet 1482345678901237000 has no parseable created_at: 17/01/2022 08:00"),
        (12, "tweet id is not numeric: 1.48234567890124E+18"),
    ]
    posts = {r["id"]: r for r in lake_rows(home, "x/posts")}
    first = posts["1482345678901234567"]
    assert first["text"] == "Terrible el derrame de petróleo en Ventanilla 😢 #DerrameDePetróleo @rppnoticias"
    assert first["created_at"] == datetime(2022, 1, 16, 14, 5)
    assert list(first["hashtags"]) == ["DerrameDePetróleo"]
    assert list(first["mention_usernames"]) == ["rppnoticias"]
    assert (first["like_count"], first["retweet_count"], first["impression_count"]) == (10, 3, 900)  # "10.0"
    assert first["collected_at"] == datetime(2022, 1, 18)
    # a retweet of a quote tweet, and a second retweet of the original (X records it against the original)
    assert posts["1482345678901235100"]["retweeted_id"] == "1482345678901235001"
    assert posts["1482345678901235100"]["retweeted_author_id"] == "1002"
    assert posts["1482345678901235200"]["retweeted_id"] == "1482300000000000001"
    assert posts["1482345678901235000"]["replied_to_author_id"] == "1002"
    assert list(posts["1482345678901235000"]["urls"]) == ["https://www.oefa.gob.pe/comunicado"]
    # the edited tweet lands under its latest id, its newline restored from twarc-csv's "\n"
    assert posts["1482345678901236000"]["text"] == (
        "Corrijo: la OEFA ya se pronunció 👍\nVoluntarios, a Cavero el sábado, llevar guantes")
    # a suspended author: the tweet lands, no user row
    assert posts["1482345678901236500"]["author_id"] == "1009"
    users = lake_rows(home, "x/users")
    assert "1009" not in {u["id"] for u in users}
    luis = next(u for u in users if u["id"] == "1003")
    assert luis["name"] == 'Luis "Lucho" Ramos'
    assert luis["description"] == "Chalaco de corazón ⚓\nHincha del Sport Boys"
    assert luis["verified"] is False and luis["followers_count"] == 88


def test_twarc_csv_and_twarc2_agree_column_by_column(home):
    land(home, "x_twarc2_sample.jsonl", "x_twarc_csv_sample.csv")
    rows = lake_rows(home, "x/posts")
    native = {r["id"]: r for r in rows if r["source_file"] == "x_twarc2_sample.jsonl"}
    flat = {r["id"]: r for r in rows if r["source_file"] == "x_twarc_csv_sample.csv"}
    assert set(native) <= set(flat)
    skip = {"source_sha256", "source_file", "source_line"}
    # twarc-csv keeps mention usernames only; twarc-csv merges a retweet's text, entities and metrics
    # with the original's (dbt keeps no metrics on a retweet either way)
    string_form = {"mention_ids"}
    merged = {"text", "mention_usernames", "mention_ids", "hashtags", "urls", "like_count", "retweet_count",
              "reply_count", "quote_count", "impression_count"}
    assert set(native[next(iter(native))]) == set(flat[next(iter(flat))])  # same columns
    for tweet_id, a in native.items():
        b = flat[tweet_id]
        ignored = skip | (merged if a["retweeted_id"] else string_form)
        diff = {k: (a[k], b[k]) for k in a if k not in ignored and str(a[k]) != str(b[k])}
        assert diff == {}, tweet_id
    assert flat["1482345678901234999"]["text"] == "Repsol debe responder por el crudo en el mar"
    users = lake_rows(home, "x/users")
    users_native = {(u["id"], u["day"]): u for u in users if u["source_file"].endswith(".jsonl")}
    users_flat = {(u["id"], u["day"]): u for u in users if u["source_file"].endswith(".csv")}
    for key in set(users_native) & set(users_flat):
        a, b = users_native[key], users_flat[key]
        assert {k: a[k] for k in a if k not in skip | {"collected_at"}} == \
               {k: b[k] for k in b if k not in skip | {"collected_at"}}


# ------------------------------------------------------------------------------ Meta Content Library

def test_mcl_facebook_values_and_quarantine(home):
    a = land(home, "fb_mcl_sample.csv")["fb_mcl_sample.csv"]
    assert reconciles(a) and (a.rows_in, a.rows_parsed, a.rows_quarantined) == (7, 3, 4)
    assert quarantine(home, a.sha256) == [
        (5, "post 5123456789099999 has no post_owner.id (owner not shown)"),
        (6, "duplicate of the post on line 2"),
        (7, "post 5123456789055555 has no parseable creation_time: ayer 10:00"),
        (8, "post id is not a plain number: 5.12345678901E+15"),
    ]
    posts = {r["post_id"]: r for r in lake_rows(home, "facebook/mcl_posts")}
    minam = posts["5123456789012345"]
    assert minam["created_at"] == datetime(2022, 1, 16, 14, 15)
    assert (minam["owner_id"], minam["owner_name"], minam["owner_username"]) == (
        "100064571234567", "Ministerio del Ambiente", "MinamPeru")
    assert (minam["reaction_count"], minam["like_count"], minam["sad_count"], minam["comment_count"],
            minam["share_count"]) == (1245, 800, 330, 200, 150)
    assert minam["views"] is None or minam["views"] != minam["views"]  # absent, not zero (null)
    edited = posts["5123456789077777"]
    assert edited["modified_at"] == datetime(2022, 1, 18, 9, 30)
    assert edited["text"].startswith("Comunicado (actualizado):\r\nSe suspende el ingreso a las playas de Ancón")
    assert (edited["views"], edited["views_refreshed_at"]) == (15000, datetime(2022, 1, 20))
    assert posts["5123456789088888"]["shared_post_id"] == "5123456789012345"


def test_mcl_instagram_with_bom_and_list_hashtags(home):
    a = land(home, "ig_mcl_sample.csv")["ig_mcl_sample.csv"]
    assert reconciles(a) and (a.rows_in, a.rows_parsed) == (3, 2)
    assert quarantine(home, a.sha256) == [
        (4, "created_at before the collection calendar (2021-11-01..%s)" % date.today().isoformat())]
    posts = {r["post_id"]: r for r in lake_rows(home, "instagram/mcl_posts")}
    ollas = posts["2837465019283746501"]  # the BOM is not part of the first column's name
    assert ollas["created_at"] == datetime(2022, 5, 10, 17, 0)  # naive creation_time is UTC
    assert list(ollas["hashtags"]) == ["OllasComunes", "SJL"]
    reel = posts["2837465019283746999"]
    assert list(reel["hashtags"]) == ["Colca", "Arequipa"]  # a Python list repr
    assert (reel["views"], reel["owner_name"], reel["content_type"]) == (12000, "Viajera Andina ✈️", "reel")


# ------------------------------------------------------------------------------------ vendor export

def test_vendor_export_networks_ids_and_quarantine(home):
    a = land(home, "brandwatch_mentions_sample.csv")["brandwatch_mentions_sample.csv"]
    assert reconciles(a) and (a.rows_in, a.rows_parsed, a.rows_quarantined) == (14, 11, 3)
    # the header is line 8, below the report lines and a blank line
    assert quarantine(home, a.sha256) == [
        (20, "Date is not a date: (empty)"),
        (21, "x post has no id: its Url holds none (https://twitter.com/search?q=derrame) and Mention Id "
             "is empty"),
        (22, "duplicate of the mention on line 9"),
    ]
    posts = {(r["network"], r["post_id"]): r for r in lake_rows(home, "vendor/posts")}
    assert set(posts) == {
        ("x", "1482345678901234567"), ("x", "1482300000000000001"), ("x", "1482345678901235200"),
        ("facebook", "5123456789012345"), ("instagram", "CdXyZ12abCD"), ("tiktok", "7054123456789012345"),
        ("youtube", "Ab3dE5gH7jK"), ("reddit", "t1_htq1xyz"),
        ("news", "https://elcomercio.pe/lima/derrame-ventanilla-oefa-21-playas-noticia/"),
        ("forum", "https://www.foroperu.pe/t/donde-donar-ventanilla/555"),
        ("x", "1482345678901235555"),  # no Page Type: the network comes from the URL
    }
    rosa = posts[("x", "1482345678901234567")]
    assert (rosa["author_id"], rosa["sentiment"], rosa["likes"], rosa["shares"], rosa["comments"]) == (
        "1001", "negative", 10, 3, 1)
    assert rosa["created_at"] == datetime(2022, 1, 16, 14, 5) and rosa["followers"] == 350
    assert (rosa["full_name"], rosa["display_name"], rosa["verified"]) == (
        "rosa_quispe (Rosa Quispe 🌻)", "Rosa Quispe 🌻", False)
    assert list(rosa["hashtags"]) == ["derramedepetróleo"] and list(rosa["mentioned_authors"]) == ["rppnoticias"]
    share = posts[("x", "1482345678901235200")]
    assert (share["thread_entry_type"], share["shared_post_id"]) == ("share", "1482300000000000001")
    assert posts[("tiktok", "7054123456789012345")]["views"] == 45000
    assert posts[("reddit", "t1_htq1xyz")]["author_id"] == "chalaco_91"
    assert posts[("news", "https://elcomercio.pe/lima/derrame-ventanilla-oefa-21-playas-noticia/")][
        "post_id_source"] == "page url"


def test_a_vendor_x_post_has_the_same_key_as_the_native_export(home):
    archived = land(home, "x_twarc2_sample.jsonl", "brandwatch_mentions_sample.csv")
    assert archived["x_twarc2_sample.jsonl"].rows_duplicate >= 1  # archived after the vendor file
    native = {"x:" + r["id"] for r in lake_rows(home, "x/posts")}
    vendor = {f"{r['network']}:{r['post_id']}" for r in lake_rows(home, "vendor/posts")}
    assert native & vendor == {"x:1482345678901234567"}


# ------------------------------------------------------------------------------------ mapped export

def test_mapped_latin1_semicolon_lima_times(home):
    drop(home, "monitor_andino_latin1.csv")
    a = archive_file(home, home.inbox / "monitor_andino_latin1.csv", mapping=MAPPING)
    assert a.format == "mapping" and reconciles(a) and (a.rows_in, a.rows_parsed) == (8, 5)
    assert quarantine(home, a.sha256) == [
        (8, "no post_id (column 'ID publicación')"),
        (9, "created_at 2022-01-17 10:00 does not match %d/%m/%Y %H:%M in America/Lima"),
        (10, "likes 1,2 mil is not a whole number"),
    ]
    # the mapping travels with the raw file
    kept = home.archive / f"{a.sha256}.mapping.yaml"
    assert kept.read_text(encoding="utf-8") == MAPPING.read_text(encoding="utf-8")
    manifest = json.loads((home.archive / f"{a.sha256}.json").read_text(encoding="utf-8"))
    assert (manifest["mapping"], manifest["mapping_name"]) == (f"{a.sha256}.mapping.yaml", MAPPING.name)
    land_window(home, *WINDOW)
    posts = {(r["network"], r["post_id"]): r for r in lake_rows(home, "mapped/posts")}
    rosa = posts[("x", "1482345678901234567")]  # "Twitter" is x; 09:05 in Lima is 14:05 UTC
    assert rosa["created_at"] == datetime(2022, 1, 16, 14, 5)
    assert (rosa["author_handle"], rosa["likes"], rosa["shares"], rosa["comments"]) == ("rosa_quispe", 10, 3, 1)
    minam = posts[("facebook", "5123456789012345")]
    assert (minam["likes"], minam["author_followers"]) == (1245, 150000)  # "." groups thousands
    assert minam["text"] == 'Continúan las labores de limpieza en las playas afectadas; "seguiremos informando"'
    new_year = posts[("x", "1482345678901299999")]  # 20:30 on 31 Dec in Lima is the next UTC day
    assert (new_year["created_at"], new_year["day"]) == (datetime(2022, 1, 1, 1, 30), datetime(2022, 1, 1))
    assert new_year["text"] == "Año nuevo en el Callao: ¡ñaño, qué tal fiesta!"
    tiktok = posts[("tiktok", "7054123456789012345")]
    assert tiktok["text"] == "Así quedó la playa Cavero\ndespués del derrame" and tiktok["views"] == 45000
    assert list(posts[("instagram", "CdXyZ12abCD")]["hashtags"]) == ["OllasComunes", "SJL"]


def test_mapped_ndjson_with_nested_keys_and_epoch_times(home, tmp_path):
    lines = [
        {"id": 1, "ts": 1642341900, "user": {"screen_name": "rosa_quispe"}, "body": "hola 👋",
         "stats": {"likes": 4}},
        "not json at all",
        {"id": 2, "ts": "x", "user": {"screen_name": "rosa_quispe"}, "body": "mala hora"},
        [1, 2],
        {"id": 3, "ts": 1642345500, "user": {}, "body": "sin autor"},
    ]
    path = home.inbox / "feed.ndjson"
    path.write_text("\n".join(l if isinstance(l, str) else json.dumps(l, ensure_ascii=False) for l in lines)
                    + "\n", encoding="utf-8")
    (tmp_path / "feed.yaml").write_text(
        "format: ndjson\ntimestamp_format: epoch\nfields:\n"
        "  network: {value: Twitter}\n  post_id: {column: id}\n  created_at: {column: ts}\n"
        "  author_handle: {column: [user, screen_name]}\n  text: {column: body}\n"
        "  likes: {column: [stats, likes]}\n", encoding="utf-8")
    a = archive_file(home, path, mapping=tmp_path / "feed.yaml")
    assert reconciles(a) and (a.rows_in, a.rows_parsed, a.rows_quarantined) == (5, 1, 4)
    assert quarantine(home, a.sha256) == [
        (2, "line is not valid JSON"),
        (3, "created_at x does not match epoch in UTC"),
        (4, "line is JSON but not an object"),
        (5, "no author: author_id and author_handle are empty"),
    ]
    land_window(home, *WINDOW)
    [post] = lake_rows(home, "mapped/posts")
    assert (post["network"], post["post_id"], post["created_at"], post["author_handle"], post["text"],
            post["likes"]) == ("x", "1", datetime(2022, 1, 16, 14, 5), "rosa_quispe", "hola 👋", 4)


# ---------------------------------------------------------------------------------- mapping errors

def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = ("fields:\n  network: {value: x}\n  post_id: {column: id}\n  created_at: {column: fecha}\n"
        "  author_handle: {column: usuario}\n")


@pytest.mark.parametrize("text, message", [
    (BASE + "  fecha_publicacion: {column: f}\n",
     "m.yaml: fields.fecha_publicacion: unknown unified field 'fecha_publicacion'"),
    ("fields:\n  post_id: {column: id}\n  created_at: {column: fecha}\n",
     "m.yaml: fields.network: missing required field 'network'"),
    ("fields:\n  network: {value: x}\n  created_at: {column: fecha}\n",
     "m.yaml: fields.post_id: missing required field 'post_id'"),
    ("timezone: America/Lma\n" + BASE, "m.yaml: timezone: 'America/Lma' is not a known IANA time zone"),
    ("encoding: cp1252\n" + BASE, "m.yaml: encoding: 'cp1252' is not supported"),
    ("delimiter: ';;'\n" + BASE, "m.yaml: delimiter: ';;' must be one character"),
    ("header_row: 0\n" + BASE, "m.yaml: header_row: 0 must be a line number"),
    ("format: xlsx\n" + BASE, "m.yaml: format: 'xlsx' is not csv or ndjson"),
    ("timestamp_format: '%d/%m/%Y %Q'\n" + BASE,
     "m.yaml: timestamp_format: '%d/%m/%Y %Q' is not a valid strptime"),
    ("fields:\n  network: {value: x}\n  post_id: {value: '1'}\n  created_at: {column: fecha}\n",
     "m.yaml: fields.post_id.value: must come from a column"),
    (BASE + "  likes: {column: a, value: 3}\n", "m.yaml: fields.likes: give exactly one of column or value"),
    (BASE + "  likes: {value: muchos}\n", "m.yaml: fields.likes.value: 'muchos' is not a whole number"),
    (BASE + "  text: Texto\n", "m.yaml: fields.text: give {column: <column name>} or {value: <constant>}"),
    ("zona: Lima\n" + BASE, "m.yaml: zona: unknown key"),
    ("fields: [1, 2\n", "m.yaml: is not valid YAML"),
])
def test_mapping_validation_names_the_key(tmp_path, text, message):
    with pytest.raises(MappingError) as err:
        load_mapping(write_mapping(tmp_path, text))
    assert str(err.value).startswith(message), str(err.value)


def test_encoding_aliases_and_defaults(tmp_path):
    m = load_mapping(write_mapping(tmp_path, "encoding: ISO-8859-1\ndelimiter: tab\n" + BASE))
    assert (m.encoding, m.delimiter, m.header_row, m.timezone, m.format) == ("latin-1", "\t", 1, "UTC", "csv")


def test_a_bad_mapping_or_a_missing_column_rejects_the_file_with_one_line(home, tmp_path):
    drop(home, "monitor_andino_latin1.csv")
    bad = write_mapping(tmp_path, "encoding: latin-1\ndelimiter: ';'\nheader_row: 2\n" + BASE)
    a = archive_file(home, home.inbox / "monitor_andino_latin1.csv", mapping=bad)
    assert a.status == "rejected" and "\n" not in a.error
    assert a.error.startswith("monitor_andino_latin1.csv: m.yaml: fields.post_id: column 'id' is not in the "
                              "file's header (line 2: 'Nº', 'Red social', 'ID publicación'")
    shutil.copy(home.inbox / "rejected" / "monitor_andino_latin1.csv", home.inbox / "again.csv")
    a = archive_file(home, home.inbox / "again.csv", mapping=write_mapping(tmp_path, "timezone: Lima\n" + BASE))
    assert a.status == "rejected"
    assert "bad mapping m.yaml: timezone: 'Lima' is not a known IANA time zone" in a.error
    drop(home, "ct_facebook_sample.csv")  # `--format mapping` without a mapping: not in the unified shape
    a = archive_file(home, home.inbox / "ct_facebook_sample.csv", fmt="mapping")
    assert a.status == "rejected" and "pass --mapping" in a.error


# ------------------------------------------------------------------------------------ SQL injection

HOSTILE = 'x"; drop table sentinel; --'


def parse_mapped(con, csv_path: Path, mapping_path: Path):
    con.execute("set timezone = 'UTC'")
    con.execute("create table sentinel as select 42 as answer")
    src = SourceFile(path=csv_path, original_name=csv_path.name, sha256="0" * 64, mapping=mapping_path)
    parsed = mapping.parse(con, src, collection_calendar())
    assert con.execute("select answer from sentinel").fetchall() == [(42,)]  # still there
    return parsed


def test_a_hostile_column_name_is_read_as_a_column(tmp_path):
    csv_path = tmp_path / "hostile.csv"
    header = ['id', 'fecha', 'usuario', HOSTILE, "it's"]
    csv_path.write_text(",".join('"' + h.replace('"', '""') + '"' for h in header) + "\n"
                        "1,2022-01-16T14:05:00Z,rosa,texto peligroso,3\n", encoding="utf-8")
    yaml_text = (BASE + f"  text: {{column: {json.dumps(HOSTILE)}}}\n  likes: {{column: \"it's\"}}\n"
                 "  author_name: {value: \"'); drop table sentinel; --\"}\n")
    with duckdb.connect() as con:
        parsed = parse_mapped(con, csv_path, write_mapping(tmp_path, yaml_text))
        row = con.execute(f"select text, likes, author_name from {parsed.entities['mapped/posts']}").fetchall()
    assert row == [("texto peligroso", 3, "'); drop table sentinel; --")]


def test_a_hostile_name_that_is_not_a_column_is_rejected_cleanly(tmp_path):
    csv_path = tmp_path / "plain.csv"
    csv_path.write_text("id,fecha,usuario\n1,2022-01-16T14:05:00Z,rosa\n", encoding="utf-8")
    yaml_text = BASE + f"  text: {{column: {json.dumps(HOSTILE)}}}\n"
    with duckdb.connect() as con, pytest.raises(RejectedFile) as err:
        parse_mapped(con, csv_path, write_mapping(tmp_path, yaml_text))
    assert "fields.text: column 'x\"; drop table sentinel; --' is not in the file's header" in err.value.reason


def test_a_hostile_ndjson_key_and_constant_stay_data(tmp_path):
    path = tmp_path / "h.ndjson"
    path.write_text(json.dumps({"id": "7", "t": "2022-01-16T14:05:00Z", "u": "rosa", HOSTILE: "valor"}) + "\n",
                    encoding="utf-8")
    yaml_text = ("format: ndjson\nfields:\n  network: {value: x}\n  post_id: {column: id}\n"
                 "  created_at: {column: t}\n  author_handle: {column: u}\n"
                 f"  text: {{column: {json.dumps(HOSTILE)}}}\n  language: {{value: \"es'--\"}}\n")
    with duckdb.connect() as con:
        parsed = parse_mapped(con, path, write_mapping(tmp_path, yaml_text))
        row = con.execute(f"select text, language from {parsed.entities['mapped/posts']}").fetchall()
    assert row == [("valor", "es'--")]
