"""A corpus of bad inputs (tests/bad_inputs/, see its README; the big and binary ones are made here):
every file is either rejected with a clear error that names it (and the line, when there is one), or
archived with its bad rows quarantined by line and reason while its good rows land; the counts
reconcile; a rejection changes nothing else in the home; and through the whole pipeline the warehouse
afterwards is the warehouse before plus exactly the good rows, and a rerun changes nothing."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from escucha.calendar import collection_calendar
from escucha.connectors import posts_entities
from escucha.home import DataHome
from escucha.landing import archive_file
from tests.conftest import DEMO_END, DEMO_START, copy_home

CORPUS = Path(__file__).parent / "bad_inputs"
MB50 = 50 << 20
TOO_LONG = "line is longer than 16 MB: {} bytes"
NOT_UTF8 = "line is not valid UTF-8 (bytes of another encoding, such as Latin-1)"
NUL = "line holds a NUL byte (binary data, or a file cut short by a crash?)"
KNOWN = ("tiktok, youtube, reddit, twarc2, crowdtangle, twarc_csv, meta_content_library, brandwatch, "
         "mapping")
# Reasons naming the collection calendar, which ends today: filled in when the test runs.
FUTURE, BEFORE = "created_at in the future (after {end})", "created_at before the collection calendar ({span})"


# ------------------------------------------------------------------ files made here (big or binary)

def tweet_page(*tweets: tuple[str, str, str]) -> bytes:
    """One twarc2 line: a page of (id, created_at, text) tweets by one account."""
    data = [{"id": i, "text": text, "created_at": at, "author_id": "9100000004", "lang": "es",
             "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0}}
            for i, at, text in tweets]
    users = [{"id": "9100000004", "username": "vecino_ica", "name": "Vecino Ica"}]
    return json.dumps({"data": data, "includes": {"users": users},
                       "__twarc": {"retrieved_at": "2022-01-18T00:00:00.000000+00:00"}}).encode()


def twarc_csv(*rows: tuple[str, str, str]) -> bytes:
    """A small twarc-csv export of (id, created_at, text) rows."""
    header = (CORPUS / "x_twarc_csv_header_only.csv").read_bytes()
    return header + b"".join(
        f'{i},{i},9100000005,{at},"{text}",es,1,0,0,0,9100000005,vecina_ica,Vecina Ica,'
        f"2022-01-18T00:00:00+00:00\n".encode() for i, at, text in rows)


def nul_in_json_string(path: Path) -> None:
    path.write_bytes(tweet_page(("9000000000000001001", "2022-01-16T09:00:00.000Z", "Tarde de playa")) + b"\n"
                     + tweet_page(("9000000000000001002", "2022-01-16T10:00:00.000Z", "NUL"))
                     .replace(b'"NUL"', b'"derrame en Ventanilla \x00 crudo"') + b"\n")


def nul_in_csv_cell(path: Path) -> None:
    rows = (CORPUS / "ct_facebook_extra_cells.csv").read_bytes().replace(',"una celda de más"'.encode(), b"")
    path.write_bytes(rows.replace(b"90000000000021", b"90000000000103").replace(b"Derrame de", b"Derrame\x00 de"))


def zero_filled_tail(path: Path) -> None:
    """What a crash mid-write leaves: the file's last block full of NUL bytes."""
    path.write_bytes(tweet_page(("9000000000000001041", "2022-01-15T09:00:00.000Z", "Cena con amigos")) + b"\n"
                     + b"\x00" * 4096)


def nul_in_csv_header(path: Path) -> None:
    path.write_bytes((CORPUS / "ct_facebook_extra_cells.csv").read_bytes().replace(b'"URL"', b'"U\x00RL"'))


def line_of_50mb(path: Path) -> None:
    path.write_bytes(tweet_page(("9000000000000001051", "2022-01-17T09:00:00.000Z", "Buen provecho")) + b"\n"
                     + tweet_page(("9000000000000001052", "2022-01-17T10:00:00.000Z", "crudo " * (MB50 // 6)))
                     + b"\n" + tweet_page(("9000000000000001053", "2022-01-17T11:00:00.000Z", "Hasta mañana"))
                     + b"\n")


def cell_of_50mb(path: Path) -> None:
    path.write_bytes(twarc_csv(("9000000000000001061", "2022-01-17T09:00:00.000Z", "Feliz cumpleaños"),
                               ("9000000000000001062", "2022-01-17T10:00:00.000Z", "derrame " * (MB50 // 8)),
                               ("9000000000000001063", "2022-01-17T11:00:00.000Z", "Un saludo a Chiclayo")))


def only_a_50mb_line(path: Path) -> None:
    path.write_bytes(tweet_page(("9000000000000001071", "2022-01-17T09:00:00.000Z", "petroleo " * (MB50 // 9))))


def zipped(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.write(CORPUS / "x_truncated.jsonl", "x_truncated.jsonl")
    path.write_bytes(buf.getvalue())


def gzipped(path: Path) -> None:
    path.write_bytes(gzip.compress((CORPUS / "x_truncated.jsonl").read_bytes()))


SIZE_50MB_LINE = len(tweet_page(("9000000000000001052", "2022-01-17T10:00:00.000Z", "crudo " * (MB50 // 6))))
SIZE_50MB_ROW = len(b'9000000000000001062,9000000000000001062,9100000005,2022-01-17T10:00:00.000Z,"'
                    + b"derrame " * (MB50 // 8) + b'",es,1,0,0,0,9100000005,vecina_ica,Vecina Ica,'
                    b"2022-01-18T00:00:00+00:00")
SIZE_50MB_ONLY = len(tweet_page(("9000000000000001071", "2022-01-17T09:00:00.000Z", "petroleo " * (MB50 // 9))))


# ------------------------------------------------------------------------------------- the cases

@dataclass(frozen=True)
class Case:
    """One bad input and exactly what archiving it must do."""

    name: str  # as dropped in the inbox
    error: str | None = None  # rejected: the reason after "<name>: "
    quarantine: tuple[tuple[int, str], ...] = ()  # archived: (line, reason) of every quarantined row
    landed: tuple[str, ...] = ()  # post_keys of the rows that land
    duplicates: int = 0  # rows_duplicate of the manifest
    source: str | None = None  # a corpus file under another name (default: the corpus file `name`)
    make: Callable[[Path], None] | None = None  # a file made here instead
    fmt: str | None = None  # the format forced on the command line
    after: str | None = None  # a corpus file archived before this one

    def write(self, dest: Path) -> None:
        """Put the case's file at dest."""
        if self.make is not None:
            self.make(dest)
        else:
            shutil.copy(CORPUS / (self.source or self.name), dest)


def x(*ids: int) -> tuple[str, ...]:
    return tuple(f"x:9000000000000000{i:03d}" for i in ids)


def fb(*ids: int) -> tuple[str, ...]:
    return tuple(f"facebook:900000000000{i:03d}" for i in ids)


CASES = [
    # truncated JSON: a JSONL line cut (the line is quarantined), a single document cut (rejected)
    Case("x_truncated.jsonl", quarantine=((3, "line is not valid JSON"),), landed=x(101, 102, 103)),
    Case("reddit_truncated.jsonl", quarantine=((2, "line is not valid JSON"),), landed=("reddit:t3_zzbad1",)),
    Case("x_truncated_document.json",
         error="not valid JSON: unexpected end of data at line 43 (is the file cut short?)"),
    Case("youtube_truncated.json", error="not valid JSON: unexpected end of data at line 27 (is the file cut short?)"),
    # CSV with the wrong delimiter, extra columns, extra or missing cells
    Case("ct_facebook_semicolon.csv", error="not a readable CSV file: cells seem separated by ';', not ','"),
    Case("x_twarc_csv_semicolon.csv", error="looks like a twarc_csv export, but its cells are separated by ';', "
                                            "not ','; export it again comma-separated"),
    Case("brandwatch_pipe.csv", error="looks like a brandwatch export, but its cells are separated by '|', not "
                                      "','; export it again comma-separated"),
    Case("brandwatch_semicolon.csv", landed=x(411)),  # the vendor's own ';' exports are read
    Case("ct_facebook_extra_cells.csv", landed=fb(211, 213), quarantine=(
        (3, "row has more cells than the header (Expected Number of Columns: 40 Found: 41)"),)),
    Case("x_twarc_csv_extra_column.csv", landed=x(311, 313), quarantine=(
        (3, "row has fewer cells than the header (Expected Number of Columns: 15 Found: 14)"),)),
    Case("brandwatch_extra_cells.csv", landed=x(421), quarantine=(
        (7, "row has more cells than the header (Expected Number of Columns: 16 Found: 17)"),)),
    # mixed encodings: UTF-8 files with one Latin-1 line; a file all Latin-1 is not JSON's UTF-8
    Case("x_mixed_encoding.jsonl", quarantine=((2, NOT_UTF8),), landed=x(501, 503)),
    Case("ct_facebook_mixed_encoding.csv", quarantine=((3, NOT_UTF8),), landed=fb(511, 513)),
    Case("x_twarc_csv_mixed_encoding.csv", quarantine=((3, NOT_UTF8),), landed=x(521, 523)),
    Case("x_all_latin1.jsonl", error=f"no line can be read: line 1: {NOT_UTF8}"),
    # NUL bytes: inside a JSON string, inside a CSV cell, a crash's zero-filled tail, in a header;
    # a NUL escaped as \u0000 is valid JSON and lands as sent
    Case("x_nul_in_json_string.jsonl", make=nul_in_json_string, quarantine=((2, NUL),),
         landed=("x:9000000000000001001",)),
    Case("ct_facebook_nul_in_cell.csv", make=nul_in_csv_cell, quarantine=((3, NUL),),
         landed=("facebook:900000000001031", "facebook:900000000001033")),
    Case("x_zero_filled_tail.jsonl", make=zero_filled_tail, quarantine=((2, NUL),),
         landed=("x:9000000000000001041",)),
    Case("ct_facebook_nul_in_header.csv", make=nul_in_csv_header, error="not a CrowdTangle export: header lacks URL"),
    Case("x_escaped_nul.jsonl", landed=x(601)),
    # empty files, whatever the format; a header without rows is an empty export, not an error
    Case("empty.jsonl", error="file is empty"),
    Case("empty_as_twarc2.jsonl", source="empty.jsonl", fmt="twarc2", error="file is empty"),
    Case("blank_lines.csv", error="file is empty"),
    Case("x_twarc_csv_header_only.csv"),
    Case("not_an_export.txt", error=f"format not recognised (known: {KNOWN}); pass --format"),
    # a single 50 MB line: quarantined among good lines, or the whole file rejected when it is all
    Case("x_line_of_50mb.jsonl", make=line_of_50mb, quarantine=((2, TOO_LONG.format(SIZE_50MB_LINE)),),
         landed=("x:9000000000000001051", "x:9000000000000001053")),
    Case("x_twarc_csv_cell_of_50mb.csv", make=cell_of_50mb, quarantine=((3, TOO_LONG.format(SIZE_50MB_ROW)),),
         landed=("x:9000000000000001061", "x:9000000000000001063")),
    Case("x_only_a_50mb_line.jsonl", make=only_a_50mb_line,
         error=f"no line can be read: line 1: {TOO_LONG.format(SIZE_50MB_ONLY)}"),
    # dates in the future and before 2006 (before the collection calendar)
    Case("x_dates_out_of_calendar.jsonl", quarantine=((1, FUTURE), (1, BEFORE), (1, BEFORE)), landed=x(704)),
    Case("ct_facebook_dates.csv", quarantine=((2, FUTURE), (3, BEFORE)), landed=fb(713)),
    Case("reddit_dates.jsonl", quarantine=((1, BEFORE), (2, FUTURE)), landed=("reddit:t3_zzbad73",)),
    # duplicate ids with conflicting content, in one file and across two files
    Case("x_duplicate_conflict.jsonl", landed=x(801), duplicates=1, quarantine=(
        (2, "conflicting created_at: post x:9000000000000000801 is 2022-01-17 09:00:00 here but "
            "2022-01-16 10:00:00 on line 1 of this file, kept as the first"),)),
    Case("ct_facebook_duplicate_conflict.csv", landed=fb(821), duplicates=1, quarantine=(
        (3, "conflicting created_at: post facebook:900000000000821 is 2022-01-15 23:00:00 here but "
            "2022-01-15 14:00:00 on line 2 of this file, kept as the first"),)),
    Case("x_twarc_csv_duplicate_conflict.csv", landed=x(811), quarantine=((3, "duplicate of the tweet on line 2"),)),
    Case("x_conflict_earlier.jsonl", landed=x(831, 832)),
    Case("x_conflict_later.jsonl", after="x_conflict_earlier.jsonl", landed=x(832), duplicates=1, quarantine=(
        (1, "conflicting created_at: post x:9000000000000000831 is 2022-01-16 17:00:00 here but 2022-01-16 "
            "12:00:00 in x_conflict_earlier.jsonl (line 1), archived earlier and kept"),)),
    # one network's file under another's name is read by its content; forced to a wrong format, rejected
    Case("ct_facebook_named.jsonl", landed=fb(901)),
    Case("x_twarc2_named.csv", landed=x(902)),
    Case("ct_facebook_as_twarc2.jsonl", source="ct_facebook_named.jsonl", fmt="twarc2",
         error="not an X API v2 / twarc2 file: no line has 'data' or 'meta'"),
    Case("x_twarc2_as_crowdtangle.csv", source="x_twarc2_named.csv", fmt="crowdtangle",
         error="not a readable CSV file: it holds JSON, not CSV"),
    Case("x_truncated_as_youtube.jsonl", source="x_truncated.jsonl", fmt="youtube",
         error="not a YouTube Data API v3 videos, search, commentThreads or comments list response file: "
               "no line is one"),
    Case("reddit_dates_as_tiktok.jsonl", source="reddit_dates.jsonl", fmt="tiktok",
         error="not a TikTok Research API video query or comment list response file: no line is one"),
    # archives are not accepted
    Case("x_truncated.zip", make=zipped,
         error="archives are not accepted: this is a zip file; unpack it and drop the files it holds"),
    Case("x_truncated.jsonl.gz", make=gzipped,
         error="archives are not accepted: this is a gzip file; unpack it and drop the files it holds"),
]
GOOD = "good_rows.jsonl"  # four good posts, one per day of the demo window
GOOD_KEYS = x(990, 991, 992, 993)


def expected_quarantine(case: Case) -> list[tuple[int, str]]:
    """The case's (line, reason) rows, with today's collection calendar in the date reasons."""
    cal = collection_calendar()
    span = f"{cal.start.isoformat()}..{cal.end.isoformat()}"
    return sorted((line, reason.format(end=cal.end.isoformat(), span=span)) for line, reason in case.quarantine)


# ------------------------------------------------------------------------------ archive level

def tree(home: DataHome) -> dict[str, str]:
    """Every file of the home (but lock files) and its checksum."""
    return {str(p.relative_to(home.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.root.rglob("*")) if p.is_file() and p.name != ".lock"}


def parsed_keys(home: DataHome, sha: str) -> list[str]:
    """The distinct post_keys of an archived file's parsed posts."""
    parts = [f"select {g.network} || ':' || {g.post_id} as k from read_parquet('{f}')"
             for e, g in posts_entities().items()
             if (f := home.archive / f"{sha}.parsed" / f"{e.replace('/', '__')}.parquet").exists()]
    with duckdb.connect() as con:
        return [r[0] for r in con.sql(f"select distinct k from ({' union all '.join(parts)}) order by 1").fetchall()]


def quarantined(home: DataHome, sha: str) -> list[tuple[int, str]]:
    with duckdb.connect() as con:
        return con.sql(f"select source_line, reason from '{home.archive}/{sha}.parsed/quarantine.parquet' "
                       "order by all").fetchall()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_input_is_rejected_or_quarantined_exactly(home: DataHome, case: Case):
    if case.after:
        shutil.copy(CORPUS / case.after, home.inbox / case.after)
        assert archive_file(home, home.inbox / case.after).status == "archived"
    dropped = home.inbox / case.name
    case.write(dropped)
    received = dropped.read_bytes()
    before = tree(home)
    result = archive_file(home, dropped, fmt=case.fmt)
    after = tree(home)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}

    if case.error is not None:
        assert (result.status, result.error) == ("rejected", f"{case.name}: {case.error}")
        assert (home.inbox / "rejected" / f"{case.name}.error.txt").read_text(encoding="utf-8") == \
            f"{case.name}: {case.error}\n"
        assert (home.inbox / "rejected" / case.name).read_bytes() == received  # kept as received
        assert changed == {f"inbox/{case.name}", f"inbox/rejected/{case.name}", f"inbox/rejected/{case.name}.error.txt"}
        return
    assert result.status == "archived", result.error
    manifest = json.loads((home.archive / f"{result.sha256}.json").read_text(encoding="utf-8"))
    assert quarantined(home, result.sha256) == expected_quarantine(case)
    assert parsed_keys(home, result.sha256) == sorted(case.landed)
    assert manifest["rows_quarantined"] == len(case.quarantine)
    assert manifest["rows_in"] == manifest["rows_parsed"] + manifest["rows_quarantined"]  # they reconcile
    assert manifest["rows_duplicate"] == case.duplicates
    assert {p for p in changed if not p.startswith(f"archive/{result.sha256}")} == {f"inbox/{case.name}"}


# ------------------------------------------------------------------------------ through the pipeline

def mart(home: DataHome, sql: str) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


POSTS = "select * from marts.fct_posts order by post_key"
TOPIC_DAILY = "select * from marts.fct_topic_daily order by all"
QUARANTINE = "select file_name, line, reason from internal.quarantine order by all"


def drop_corpus(home: DataHome) -> None:
    """Every case the inbox can be given (formats are detected there: forced ones are for `escucha
    ingest --format`) and the good rows."""
    for case in CASES:
        if case.fmt is None:
            case.write(home.inbox / case.name)
    shutil.copy(CORPUS / GOOD, home.inbox / GOOD)


def test_through_the_pipeline_the_warehouse_is_the_one_before_plus_the_good_rows(demo_template, tmp_path,
                                                                                  monkeypatch):
    from orchestration.run import run_pipeline

    home = copy_home(demo_template[0], tmp_path / "home")
    monkeypatch.setenv("ESCUCHA_HOME", str(home.root))
    before = {sql: mart(home, sql) for sql in (POSTS, TOPIC_DAILY, QUARANTINE)}
    drop_corpus(home)
    assert run_pipeline(home, DEMO_START, DEMO_END).success

    dropped = [c for c in CASES if c.fmt is None]
    assert sorted(p.name for p in (home.inbox / "rejected").iterdir()) == sorted(
        [c.name for c in dropped if c.error] + [f"{c.name}.error.txt" for c in dropped if c.error])
    for case in (c for c in dropped if c.error):
        assert (home.inbox / "rejected" / f"{case.name}.error.txt").read_text(encoding="utf-8") == \
            f"{case.name}: {case.error}\n"
    assert sorted((Counter(mart(home, QUARANTINE)) - Counter(before[QUARANTINE])).elements()) == sorted(
        (c.name, line, reason) for c in dropped for line, reason in expected_quarantine(c))

    posts = mart(home, POSTS)
    old = {r[0] for r in before[POSTS]}
    assert [r for r in posts if r[0] in old] == before[POSTS]  # every post already there, unchanged
    assert sorted(r[0] for r in posts if r[0] not in old) == sorted(
        set(GOOD_KEYS) | {k for c in dropped for k in c.landed})
    assert mart(home, TOPIC_DAILY) == before[TOPIC_DAILY]  # the good rows are about no topic: no bad row leaked
    # a post collected again (in one file, or in a later file) takes the latest collection
    assert mart(home, "select post_key, created_at::varchar, likes, text from marts.fct_posts where post_key in "
                      "('facebook:900000000000821', 'x:9000000000000000801', 'x:9000000000000000832') order by 1") == [
        ("facebook:900000000000821", "2022-01-15 14:00:00", 8,
         "Buenos días desde Arequipa, hoy toca caminar por la plaza"),
        ("x:9000000000000000801", "2022-01-16 10:00:00", 7, "Hoy cociné arroz con pato para la familia (editado)"),
        ("x:9000000000000000832", "2022-01-16 13:00:00", 40,
         "Mañana hay partido del equipo del barrio, todos invitados"),
    ]
    names = tuple(c.name for c in dropped if not c.error) + (GOOD,)
    files = mart(home, "select rows_in, rows_parsed, rows_quarantined from internal.raw_files "
                       f"where file_name in {names}")
    assert len(files) == len(names) and all(rows_in == parsed + q for rows_in, parsed, q in files)  # reconciled

    after = [mart(home, sql) for sql in (POSTS, TOPIC_DAILY, QUARANTINE)]
    shutil.copy(CORPUS / GOOD, home.inbox / GOOD)  # dropped again: archived once, by checksum
    assert run_pipeline(home, DEMO_START, DEMO_END).success
    assert not (home.inbox / GOOD).exists()
    assert [mart(home, sql) for sql in (POSTS, TOPIC_DAILY, QUARANTINE)] == after


def test_an_inbox_parsed_side_by_side_archives_as_one_file_after_the_other(tmp_path: Path) -> None:
    """archive_inbox parses files on several threads, then compares each with the files before it
    in name order: duplicates, conflicting times and identical copies come out as when the files are
    archived one at a time."""
    from escucha.landing import archive_inbox

    names = {"x_conflict_earlier.jsonl": "a_earlier.jsonl", "x_conflict_later.jsonl": "b_later.jsonl",
             "x_conflict_earlier.jsonl ": "c_copy_of_earlier.jsonl"}
    outcomes = {}
    for how in ("side by side", "one at a time"):
        home = DataHome(tmp_path / how.replace(" ", "_")).ensure()
        for source, name in names.items():
            shutil.copy(CORPUS / source.strip(), home.inbox / name)
        if how == "side by side":
            results = archive_inbox(home, workers=3)
        else:
            results = [archive_file(home, home.inbox / name) for name in sorted(names.values())]
        assert [r.original_name for r in results] == sorted(names.values())
        assert not list(home.inbox.glob("*.jsonl")) and not list(home.archive.glob(".tmp-*"))
        with duckdb.connect() as con:
            quarantine = con.execute(
                f"select source_file, source_line, reason from read_parquet('{home.archive}/*.parsed/quarantine.parquet') "
                "order by all").fetchall()
            posts = con.execute(
                f"select source_file, id, created_at from read_parquet('{home.archive}/*.parsed/x__posts.parquet') "
                "order by all").fetchall()
        outcomes[how] = ([(r.status, r.rows_in, r.rows_parsed, r.rows_quarantined, r.rows_duplicate) for r in results],
                         quarantine, posts)
    statuses, quarantine, posts = outcomes["side by side"]
    assert statuses == [("archived", 2, 2, 0, 0), ("archived", 2, 1, 1, 1), ("already_archived", 2, 0, 0, 0)]
    assert quarantine == [("b_later.jsonl", 1, "conflicting created_at: post x:9000000000000000831 is 2022-01-16 "
                           "17:00:00 here but 2022-01-16 12:00:00 in a_earlier.jsonl (line 1), archived earlier and kept")]
    assert [(f, i) for f, i, _ in posts] == [("a_earlier.jsonl", "9000000000000000831"),
                                            ("a_earlier.jsonl", "9000000000000000832"),
                                            ("b_later.jsonl", "9000000000000000832")]
    assert outcomes["one at a time"] == outcomes["side by side"]


def test_an_inbox_of_bad_files_archives_as_file_by_file_with_one_database_per_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole bad-inputs corpus archived as one inbox (two parsing threads) comes out as archived
    one file at a time: each file's unreadable lines, quarantine and counts are its own, though the
    files share a scratch database per thread. The batch opens one database per thread (the two
    parsers and the comparing thread), not one per file and step."""
    import escucha.landing as landing

    opened: list[str] = []
    real_connect = landing._connect

    def counting_connect(home: DataHome) -> duckdb.DuckDBPyConnection:
        opened.append(threading.current_thread().name)
        return real_connect(home)

    names = sorted(p.name for p in CORPUS.iterdir() if p.name != "README.md")
    outcomes = {}
    for how in ("as one inbox", "one at a time"):
        home = DataHome(tmp_path / how.replace(" ", "_")).ensure()
        for name in names:
            shutil.copy(CORPUS / name, home.inbox / name)
        if how == "as one inbox":
            with monkeypatch.context() as patched:
                patched.setattr(landing, "_connect", counting_connect)
                results = landing.archive_inbox(home, workers=2)
        else:
            results = [archive_file(home, home.inbox / name) for name in names]
        with duckdb.connect() as con:
            quarantine = con.execute(
                f"select source_file, source_line, reason from read_parquet('{home.archive}/*.parsed/quarantine.parquet') "
                "order by all").fetchall()
        outcomes[how] = ([(r.original_name, r.status, r.rows_in, r.rows_parsed, r.rows_quarantined, r.rows_duplicate,
                           r.error) for r in results], quarantine)
    statuses, quarantine = outcomes["as one inbox"]
    assert len(statuses) == len(names) == 31
    assert sum(s[1] == "archived" for s in statuses) >= 20 and len({q[0] for q in quarantine}) >= 10
    assert outcomes["one at a time"] == outcomes["as one inbox"]
    assert len(opened) == 3 and len(set(opened)) == 3, opened
