"""Tests for the demo data generator (escucha.demo).

Small runs only: two weeks around the Ventanilla oil spill at 300 posts/day (three
times: seed 7 twice, seed 8 once) and three quiet weeks spanning a month boundary.
Every export is read back with the standard library only (json, csv), as a pipeline would.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from escucha.demo import phrases
from escucha.demo.brandwatch import COLUMNS as BRANDWATCH_COLUMNS
from escucha.demo.crowdtangle import FACEBOOK_COLUMNS, INSTAGRAM_COLUMNS
from escucha.demo.generator import generate
from escucha.demo.twarc_csv import TWEET_COLUMNS

SPILL = dict(start=date(2022, 1, 8), end=date(2022, 1, 22), posts_per_day=300)
QUIET = dict(start=date(2022, 4, 25), end=date(2022, 5, 15), posts_per_day=300, seed=11)
TWITTER_EPOCH_MS = 1288834974657
NETWORKS = ("x", "facebook", "instagram", "tiktok", "youtube")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    out = {}
    for name, kwargs in (("a", dict(SPILL, seed=7)), ("b", dict(SPILL, seed=8)), ("quiet", QUIET)):
        d = tmp_path_factory.mktemp(name)
        out[name] = (d, generate(d, **kwargs))
    # the repeat runs in a fresh interpreter with another string-hash seed
    d = tmp_path_factory.mktemp("a_again")
    code = ("import json, sys; from datetime import date; from pathlib import Path; "
            "from escucha.demo.generator import generate; "
            "print(json.dumps(generate(Path(sys.argv[1]), start=date(2022, 1, 8), end=date(2022, 1, 22), "
            "posts_per_day=300, seed=7)))")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    res = subprocess.run([sys.executable, "-c", code, str(d)], env=env, capture_output=True, text=True, check=True)
    out["a_again"] = (d, json.loads(res.stdout))
    return out


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _gt(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "ground_truth" / "posts.parquet")


def _x_pages(root: Path):
    for f in sorted((root / "exports" / "x").glob("*.jsonl")):
        with open(f, encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, start=1):
                yield f.relative_to(root).as_posix(), line_no, json.loads(line)


def _csv_rows(root: Path, network: str):
    pattern = "*.csv" if network == "x" else "crowdtangle_*.csv"        # not the MCL month
    for f in sorted((root / "exports" / network).glob(pattern)):
        with open(f, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            for row in reader:
                yield f.relative_to(root).as_posix(), reader.line_num, header, dict(zip(header, row))


def _jsonl(root: Path, folder: str, pattern: str):
    for f in sorted((root / "exports" / folder).glob(pattern)):
        with open(f, encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, start=1):
                yield f.relative_to(root).as_posix(), line_no, json.loads(line)


def _vendor_rows(root: Path):
    """Brandwatch rows: skip the report lines up to the header (the line starting 'Query Id')."""
    for f in sorted((root / "exports" / "vendor").glob("brandwatch_mentions_*.csv")):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            for header in reader:
                if header and header[0] == "Query Id":
                    break
            for row in reader:
                yield f.relative_to(root).as_posix(), reader.line_num, header, dict(zip(header, row))


def _utc(t: int) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat()


def _iso(stamp: str) -> str:
    """X (2022-01-15T13:45:12.000Z) and YouTube (2022-01-15T13:45:12Z) times as ISO UTC."""
    return stamp.replace(".000Z", "+00:00").replace("Z", "+00:00")


def _file_posts(root: Path) -> dict[str, tuple[str, int, str]]:
    """post_key -> (file, line, created_at ISO UTC) of every post in its own network's export
    (duplicates in the twarc-csv month and the vendor export excluded), read with the stdlib."""
    out: dict[str, tuple[str, int, str]] = {}
    for rel, line, page in _x_pages(root):
        for t in page["data"]:
            out["x:" + t["id"]] = (rel, line, _iso(t["created_at"]))
    for network in ("facebook", "instagram"):
        for rel, line, _, row in _csv_rows(root, network):
            pid = row["URL"].rstrip("/").split("/")[-1]
            local = datetime.strptime(row["Post Created"], "%Y-%m-%d %H:%M:%S PET")
            utc = (local + timedelta(hours=5)).replace(tzinfo=timezone.utc)
            out[f"{network}:{pid}"] = (rel, line, utc.isoformat())
    for rel, line, resp in _jsonl(root, "tiktok", "tiktok_videos_*.jsonl"):
        for v in resp["data"]["videos"]:
            out[f"tiktok:{v['id']}"] = (rel, line, _utc(v["create_time"]))
    for rel, line, resp in _jsonl(root, "tiktok", "tiktok_comments_*.jsonl"):
        for c in resp["data"]["comments"]:
            out[f"tiktok:{c['id']}"] = (rel, line, _utc(c["create_time"]))
    for rel, line, resp in _jsonl(root, "youtube", "youtube_videos_*.jsonl"):
        for v in resp["items"]:
            out[f"youtube:{v['id']}"] = (rel, line, _iso(v["snippet"]["publishedAt"]))
    for rel, line, resp in _jsonl(root, "youtube", "youtube_comments_*.jsonl"):
        for th in resp["items"]:
            for c in [th["snippet"]["topLevelComment"]] + th.get("replies", {}).get("comments", []):
                out[f"youtube:{c['id']}"] = (rel, line, _iso(c["snippet"]["publishedAt"]))
    for rel, line, obj in _jsonl(root, "reddit", "reddit_submissions_*.jsonl"):
        out["reddit:t3_" + obj["id"]] = (rel, line, _utc(obj["created_utc"]))
    for rel, line, obj in _jsonl(root, "reddit", "reddit_comments_*.jsonl"):
        out["reddit:t1_" + obj["id"]] = (rel, line, _utc(obj["created_utc"]))
    for rel, line, _, row in _vendor_rows(root):
        if row["Page Type"] != "twitter":                                  # news, blog: keyed by URL
            utc = datetime.strptime(row["Date"], "%Y-%m-%d %H:%M:%S.0").replace(tzinfo=timezone.utc)
            out[f"{row['Page Type']}:{row['Url']}"] = (rel, line, utc.isoformat())
    return out


def _duplicate_rows(root: Path) -> list[tuple[str, str, int]]:
    """(post_key, file, line) of the rows that repeat a post of another file."""
    out = []
    for rel, line, _, row in _csv_rows(root, "x"):
        out.append(("x:" + row["id"], rel, line))
    for rel, line, _, row in _vendor_rows(root):
        if row["Page Type"] == "twitter":
            out.append(("x:" + row["Url"].rsplit("/", 1)[-1], rel, line))
    for rel, line, _, row in _mcl_rows(root):
        out.append(("facebook:" + row["id"], rel, line))
    for rel, line, _, row in _mapped_rows(root):
        out.append(("x:" + row["ID publicación"], rel, line))
    return out


def _mcl_rows(root: Path):
    for f in sorted((root / "exports" / "facebook").glob("mcl_facebook_*.csv")):
        with open(f, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            for row in reader:
                yield f.relative_to(root).as_posix(), reader.line_num, header, dict(zip(header, row))


def _mapped_rows(root: Path):
    """Monitor Andino rows (Latin-1, ';', a title line before the header)."""
    for f in sorted((root / "exports_mapped").glob("monitor_andino_*.csv")):
        with open(f, encoding="latin-1", newline="") as fh:
            fh.readline()
            reader = csv.reader(fh, delimiter=";")
            header = next(reader)
            for row in reader:
                yield f.relative_to(root).as_posix(), reader.line_num + 1, header, dict(zip(header, row))


# ---------------------------------------------------------------- determinism

def test_same_seed_gives_byte_identical_files(runs):
    a, b = _hashes(runs["a"][0]), _hashes(runs["a_again"][0])
    assert len(a) >= 7 and a == b
    assert runs["a"][1] == runs["a_again"][1]


def test_different_seed_gives_different_files(runs):
    a, b = _hashes(runs["a"][0]), _hashes(runs["b"][0])
    exports = [k for k in a if k.startswith("exports") and not k.endswith(".mapping.yaml")]  # the mapping is fixed
    assert exports and all(a[k] != b.get(k) for k in exports)


# ---------------------------------------------------------------- formats

def test_x_pages_are_valid_twarc2_responses(runs):
    root = runs["a"][0]
    ids: list[int] = []
    known: set[str] = set()
    created: dict[str, str] = {}
    per_file = Counter()
    pages_per_file = Counter()
    for rel, _, page in _x_pages(root):
        assert set(page) == {"data", "includes", "meta", "__twarc"}
        assert page["__twarc"]["version"] == "2.14.0" and page["__twarc"]["url"].startswith("https://api.")
        data = page["data"]
        assert 1 <= len(data) <= 100 and page["meta"]["result_count"] == len(data)
        users = {u["id"]: u for u in page["includes"]["users"]}
        assert len(users) == len(page["includes"]["users"])          # deduplicated per page
        inc_tweets = page["includes"].get("tweets", [])
        page_ids = [int(t["id"]) for t in data]
        assert page["meta"]["newest_id"] == str(max(page_ids)) and page["meta"]["oldest_id"] == str(min(page_ids))
        for t in data + inc_tweets:
            known.add(t["id"])
            created[t["id"]] = t["created_at"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", t["created_at"])
            assert t["lang"] in {"es", "en", "qu"} and t["edit_history_tweet_ids"] == [t["id"]]
            assert t["author_id"] in users
            for m in t.get("entities", {}).get("mentions", []):
                assert m["id"] in users and users[m["id"]]["username"] == m["username"]
                assert t["text"][m["start"]:m["end"]] == "@" + m["username"]
            for h in t.get("entities", {}).get("hashtags", []):
                assert t["text"][h["start"]:h["end"]] == "#" + h["tag"]
            for u in t.get("entities", {}).get("urls", []):
                assert t["text"][u["start"]:u["end"]] == u["url"]
        for t in data:
            ids.append(int(t["id"]))
            ms = (int(t["id"]) >> 22) + TWITTER_EPOCH_MS
            sec = datetime.fromtimestamp(ms // 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            assert sec == t["created_at"]                                  # snowflake encodes the time
        per_file[rel] += len(data)
        pages_per_file[rel] += 1
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)                                              # pages and tweets in time order
    for rel, n in per_file.items():
        assert pages_per_file[rel] == math.ceil(n / 100)


def test_referenced_tweets_exist_and_are_earlier(runs):
    root = runs["a"][0]
    everything: dict[str, dict] = {}
    refs: list[tuple[dict, str, str]] = []
    for _, _, page in _x_pages(root):
        inc = {t["id"]: t for t in page["includes"].get("tweets", [])}
        for t in page["data"] + list(inc.values()):
            everything.setdefault(t["id"], t)
        for t in page["data"]:
            for r in t.get("referenced_tweets", []):
                assert r["id"] in inc                                     # expanded on the same page
                refs.append((t, r["type"], r["id"]))
    kinds = Counter(k for _, k, _ in refs)
    assert kinds["retweeted"] > kinds["replied_to"] > kinds["quoted"] > 0
    for t, kind, rid in refs:
        orig = everything[rid]
        assert int(rid) < int(t["id"]) and orig["created_at"] <= t["created_at"]
        assert "referenced_tweets" not in orig                            # targets are originals
        if kind == "retweeted":
            handle = t["entities"]["mentions"][0]["username"]
            assert t["text"] == f"RT @{handle}: {orig['text']}"
            pm = t["public_metrics"]
            assert pm["retweet_count"] == orig["public_metrics"]["retweet_count"]
            assert pm["like_count"] == pm["reply_count"] == pm["quote_count"] == 0
        if kind == "replied_to":
            assert t["in_reply_to_user_id"] == orig["author_id"]
            assert t["conversation_id"] == orig["conversation_id"] == rid
    # includes.tweets copies are identical wherever they appear
    seen: dict[str, str] = {}
    for _, _, page in _x_pages(root):
        for t in page["data"] + page["includes"].get("tweets", []):
            s = json.dumps(t, sort_keys=True)
            assert seen.setdefault(t["id"], s) == s


def test_crowdtangle_csvs_have_exact_headers_and_consistent_values(runs):
    root = runs["a"][0]
    for network, columns in (("facebook", FACEBOOK_COLUMNS), ("instagram", INSTAGRAM_COLUMNS)):
        prev: dict[str, str] = {}
        n = 0
        for rel, _, header, row in _csv_rows(root, network):
            assert header == list(columns)
            n += 1
            created = row["Post Created"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d PET", created)
            assert created == f"{row['Post Created Date']} {row['Post Created Time']} PET"
            assert created >= prev.get(rel, "")                          # time order within a file
            prev[rel] = created
            if network == "facebook":
                assert row["Type"] in {"Status", "Photo", "Link", "Native Video"}
                parts = ("Likes", "Comments", "Shares", "Love", "Wow", "Haha", "Sad", "Angry", "Care")
                assert int(row["Total Interactions"]) == sum(int(row[c]) for c in parts)
                assert re.fullmatch(r"\d{15}", row["Facebook Id"])
                assert re.fullmatch(rf"https://www\.facebook\.com/{row['Facebook Id']}/posts/\d{{16}}", row["URL"])
                assert row["Message"]
            else:
                assert row["Type"] in {"Photo", "Album", "Video"}
                assert int(row["Total Interactions"]) == int(row["Likes"]) + int(row["Comments"])
                assert re.fullmatch(r"https://www\.instagram\.com/p/[A-Za-z0-9_-]{11}/", row["URL"])
                assert row["Description"]
        assert n > 100
    fb_ids = [row["URL"] for *_, row in _csv_rows(root, "facebook")]
    assert len(fb_ids) == len(set(fb_ids))


def test_tiktok_files_are_research_api_responses(runs):
    root = runs["a"][0]
    videos: dict[int, dict] = {}
    for rel, _, resp in _jsonl(root, "tiktok", "tiktok_videos_*.jsonl"):
        assert set(resp) == {"data", "error"} and resp["error"]["code"] == "ok" and resp["error"]["message"] == ""
        assert re.fullmatch(r"\d{14}[0-9A-F]{20}", resp["error"]["log_id"])
        data = resp["data"]
        assert set(data) == {"videos", "cursor", "has_more", "search_id"}
        assert 1 <= len(data["videos"]) <= 100 and isinstance(data["search_id"], str)
        for v in data["videos"]:
            assert set(v) == {"id", "video_description", "create_time", "username", "region_code", "like_count",
                              "comment_count", "share_count", "view_count", "hashtag_names", "music_id",
                              "voice_to_text"}
            assert isinstance(v["id"], int) and v["id"] >> 32 == v["create_time"]   # ids encode the time
            assert re.fullmatch(r"[a-z0-9._]{1,24}", v["username"]) and re.fullmatch(r"[A-Z]{2}", v["region_code"])
            tags = [w[1:].rstrip(".,;:!?").lower() for w in v["video_description"].split() if w[:1] == "#"]
            assert v["hashtag_names"] == list(dict.fromkeys(t for t in tags if t))
            assert rel.endswith(datetime.fromtimestamp(v["create_time"], tz=timezone.utc).strftime("%Y-%m.jsonl"))
            videos[v["id"]] = v
    assert len(videos) > 50
    comments: dict[int, dict] = {}
    per_video = Counter()
    for rel, _, resp in _jsonl(root, "tiktok", "tiktok_comments_*.jsonl"):
        data = resp["data"]
        assert set(data) == {"comments", "cursor", "has_more"} and 1 <= len(data["comments"]) <= 100
        assert len({c["video_id"] for c in data["comments"]}) == 1                  # one video per request
        for c in data["comments"]:
            assert set(c) == {"id", "text", "video_id", "parent_comment_id", "like_count", "reply_count",
                              "create_time"}
            assert c["id"] >> 32 == c["create_time"] and c["id"] not in comments and c["text"]
            comments[c["id"]] = c
    for c in comments.values():
        video = videos[c["video_id"]]                                               # parents exist...
        assert video["create_time"] < c["create_time"]                             # ...and are earlier
        per_video[c["video_id"]] += 1
        if c["parent_comment_id"] != c["video_id"]:                                 # a reply to a comment
            parent = comments[c["parent_comment_id"]]
            assert parent["video_id"] == c["video_id"] and parent["parent_comment_id"] == c["video_id"]
            assert parent["create_time"] < c["create_time"]
    replies = Counter(c["parent_comment_id"] for c in comments.values() if c["parent_comment_id"] != c["video_id"])
    assert replies and all(comments[p]["reply_count"] >= n for p, n in replies.items())
    assert all(videos[v]["comment_count"] >= n for v, n in per_video.items())


def test_youtube_files_are_data_api_responses(runs):
    root = runs["a"][0]
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    videos: dict[str, dict] = {}
    for rel, _, resp in _jsonl(root, "youtube", "youtube_videos_*.jsonl"):
        assert resp["kind"] == "youtube#videoListResponse" and 1 <= len(resp["items"]) <= 50
        assert resp["pageInfo"]["totalResults"] == len(resp["items"])
        for v in resp["items"]:
            assert v["kind"] == "youtube#video" and re.fullmatch(r"[A-Za-z0-9_-]{10}[AEIMQUYcgkosw048]", v["id"])
            sn = v["snippet"]
            assert re.fullmatch(r"UC[A-Za-z0-9_-]{21}[AQgw]", sn["channelId"])
            assert re.fullmatch(stamp, sn["publishedAt"])
            assert sn["title"] and len(sn["title"]) <= 100 and sn["description"].startswith(sn["title"])
            assert sn["defaultAudioLanguage"] in {"es-419", "en", "qu"}
            assert all(isinstance(x, str) and x.isdigit() for x in v["statistics"].values())
            videos[v["id"]] = v
    assert len(videos) > 50
    seen: set[str] = set()
    for rel, _, resp in _jsonl(root, "youtube", "youtube_comments_*.jsonl"):
        assert resp["kind"] == "youtube#commentThreadListResponse" and 1 <= len(resp["items"]) <= 100
        assert len({th["snippet"]["videoId"] for th in resp["items"]}) == 1
        for th in resp["items"]:
            sn = th["snippet"]
            top = sn["topLevelComment"]
            video = videos[sn["videoId"]]
            assert th["kind"] == "youtube#commentThread" and th["id"] == top["id"]
            assert re.fullmatch(r"Ug[w-z][A-Za-z0-9_-]{16}4AaABAg", top["id"])
            assert sn["channelId"] == video["snippet"]["channelId"] == top["snippet"]["channelId"]
            assert top["snippet"]["publishedAt"] > video["snippet"]["publishedAt"]
            replies = th.get("replies", {}).get("comments", [])
            assert sn["totalReplyCount"] == len(replies) <= 5
            for c in [top] + replies:
                csn = c["snippet"]
                assert c["kind"] == "youtube#comment" and c["id"] not in seen
                seen.add(c["id"])
                assert csn["videoId"] == sn["videoId"] and csn["textOriginal"]
                assert re.fullmatch(r"UC[A-Za-z0-9_-]{22}", csn["authorChannelId"]["value"])
                assert re.fullmatch(stamp, csn["publishedAt"]) and csn["updatedAt"] >= csn["publishedAt"]
            for c in replies:
                assert c["snippet"]["parentId"] == top["id"] and c["id"].startswith(top["id"] + ".")
                assert re.fullmatch(r"[A-Za-z0-9_-]{22}", c["id"].split(".", 1)[1])
                assert c["snippet"]["publishedAt"] > top["snippet"]["publishedAt"]
            assert "parentId" not in top["snippet"]
    assert len(seen) > 100


def test_twarc_csv_month_repeats_the_jsonl_month_later(runs):
    for name, month in (("a", "2022-01"), ("quiet", "2022-04")):             # 2022-03, else the first month
        root = runs[name][0]
        assert [p.name for p in (root / "exports" / "x").glob("*.csv")] == [f"x_search_{month}.csv"]
        tweets, retrieved = {}, {}
        for rel, _, page in _x_pages(root):
            inc = {t["id"]: t for t in page["includes"].get("tweets", [])}
            users = {u["id"]: u for u in page["includes"]["users"]}
            for t in page["data"]:
                if rel.endswith(f"{month}.jsonl"):
                    tweets[t["id"]] = (t, inc, users)
                    retrieved[t["id"]] = page["__twarc"]["retrieved_at"]
        rows = list(_csv_rows(root, "x"))
        assert rows and rows[0][2] == list(TWEET_COLUMNS) and len(TWEET_COLUMNS) == 84
        assert [r["id"] for *_, r in rows] == list(tweets)                     # the same tweets, same order
        for *_, r in rows:
            t, inc, users = tweets[r["id"]]
            assert r["__twarc.retrieved_at"] > retrieved[r["id"]]
            assert r["created_at"] == t["created_at"] and r["author.username"] == users[t["author_id"]]["username"]
            ref = {x["type"]: x["id"] for x in t.get("referenced_tweets", [])}
            for kind in ("replied_to", "retweeted", "quoted"):
                assert r[f"referenced_tweets.{kind}.id"] == ref.get(kind, "")
            source = inc[ref["retweeted"]] if "retweeted" in ref else t      # retweets merged with the original
            assert r["text"] == source["text"].replace("\n", r"\n")
            for k, v in source["public_metrics"].items():
                assert int(r[f"public_metrics.{k}"]) >= v                     # collected later: never lower
            assert json.loads(r["edit_history_tweet_ids"]) == [r["id"]] and r["possibly_sensitive"] == "False"
            tags = ["#" + h["tag"] for h in source.get("entities", {}).get("hashtags", [])]
            assert (json.loads(r["entities.hashtags"]) if r["entities.hashtags"] else []) == tags
        grew = sum(int(r["public_metrics.like_count"]) > tweets[r["id"]][0]["public_metrics"]["like_count"]
                   for *_, r in rows if not r["referenced_tweets.retweeted.id"])
        assert grew > 0.2 * len(rows)


def test_brandwatch_export_repeats_x_posts_and_adds_web_posts(runs):
    root = runs["a"][0]
    x_ids = {t["id"]: rel for rel, _, page in _x_pages(root) for t in page["data"]}
    gt = _gt(root).set_index("post_key")
    with open(root / "exports/vendor/brandwatch_mentions_2022-01.csv", encoding="utf-8-sig") as fh:
        head = [fh.readline() for _ in range(8)]
    assert head[:2] == ['"Brandwatch"\n', '"Report:","Mentions"\n'] and head[6] == "\n"   # report lines first
    assert head[7].startswith('"Query Id","Query Name","Date"')
    rows = list(_vendor_rows(root))
    assert rows and rows[0][2] == list(BRANDWATCH_COLUMNS)
    dates = [r["Date"] for *_, r in rows]
    assert dates == sorted(dates, reverse=True)                              # newest first
    types = Counter(r["Page Type"] for *_, r in rows)
    assert set(types) == {"twitter", "news", "blog"} and types["news"] >= 3 and types["blog"] >= 2
    about = gt[(gt.network == "x") & gt.topics.map(lambda ts: "derrame_petroleo" in ts)
               & (gt.file == "exports/x/x_search_2022-01.jsonl")]
    assert 0.04 < types["twitter"] / len(about) < 0.2                         # a ~10% sample
    for rel, line, _, r in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.0", r["Date"])
        assert r["Sentiment"] in {"positive", "neutral", "negative"} and r["Resource Id"].isdigit()
        if r["Page Type"] == "twitter":
            m = re.fullmatch(r"https://twitter\.com/(\w{1,15})/status/(\d+)", r["Url"])
            assert m and m.group(2) in x_ids                                 # every X row is in the X NDJSON
            post = gt.loc["x:" + m.group(2)]
            assert "derrame_petroleo" in post.topics and {"file": rel, "line": line} in list(post.duplicate_in)
            utc = datetime.strptime(r["Date"], "%Y-%m-%d %H:%M:%S.0").replace(tzinfo=timezone.utc)
            assert utc == post.created_at and int(r["Likes"]) >= 0
        else:
            post = gt.loc[f"{r['Page Type']}:{r['Url']}"]
            assert post.network == r["Page Type"] and (post.file, post.line) == (rel, line)
            assert r["Full Text"] and r["Url"].startswith("https://") and r["Domain"] in r["Url"]
    lima_days = {(r["Page Type"], datetime.strptime(r["Date"], "%Y-%m-%d %H:%M:%S.0").replace(tzinfo=timezone.utc)
                  .astimezone(timezone(timedelta(hours=-5))).date()) for *_, r in rows}
    n_days = (SPILL["end"] - SPILL["start"]).days + 2                     # Lima days the window touches
    assert sum(p == "news" for p, _ in lima_days) == sum(p == "blog" for p, _ in lima_days) == n_days


# ---------------------------------------------------------------- ground truth

def test_ground_truth_is_exactly_the_exported_posts(runs):
    for name in ("a", "quiet"):
        root, summary = runs[name]
        gt = _gt(root)
        files = _file_posts(root)
        assert gt.post_key.is_unique and set(gt.post_key) == set(files)
        assert (gt.post_key == gt.network + ":" + gt.post_id).all()
        got = gt.set_index("post_key")
        for key, (rel, line, created) in files.items():
            row = got.loc[key]
            assert (row.file, int(row.line)) == (rel, line)
            assert row.created_at.isoformat() == created
        # every repeated row is listed, once, in duplicate_in of the post it repeats
        dups = sorted(_duplicate_rows(root))
        listed = sorted((k, d["file"], int(d["line"])) for k, ds in got.duplicate_in.items() for d in ds)
        assert dups and listed == dups
        assert all(d["file"] != got.loc[k, "file"] for k, ds in got.duplicate_in.items() for d in ds)
        # rows per file = posts whose home it is + rows repeating a post of another file
        counts = Counter(gt.file) + Counter(f for _, f, _ in dups)
        assert dict(counts) == {rel: v["posts"] for rel, v in summary["files"].items()}
        assert summary["duplicate_rows"] == dict(Counter(f for _, f, _ in dups))
        for rel, v in summary["files"].items():
            with open(root / rel, encoding="latin-1" if rel.startswith("exports_mapped/") else "utf-8") as fh:
                assert sum(1 for _ in fh) == v["lines"]
        assert json.loads((root / "ground_truth" / "summary.json").read_text(encoding="utf-8")) == summary
        assert summary["posts_total"] == len(gt)
        assert summary["posts_per_network"] == gt.network.value_counts().to_dict()


def test_ground_truth_tables_are_coherent(runs):
    root, _ = runs["a"]
    gt = _gt(root)
    authors = pd.read_parquet(root / "ground_truth" / "authors.parquet")
    assert set(gt.author_key) <= set(authors.author_key) and authors.author_key.is_unique
    assert set(gt.kind) == {"post", "reply", "share", "quote", "comment"}
    assert set(gt[gt.network == "x"].kind) == {"post", "reply", "share", "quote"}
    assert set(gt[gt.network.isin(["tiktok", "youtube"])].kind) == {"post", "comment", "reply"}
    assert set(gt[~gt.network.isin(["x", "tiktok", "youtube", "reddit"])].kind) == {"post"}
    assert set(gt[gt.network == "reddit"].kind) == {"post", "reply"}
    assert set(gt.network) == set(NETWORKS) | {"news", "blog", "reddit"}
    assert set(gt.sentiment) == {"positive", "neutral", "negative"}
    assert all(t in phrases.TOPICS for ts in gt.topics for t in ts) and gt.topics.map(len).max() == 2
    off_share = (gt.topics.map(len) == 0).mean()
    assert 0.25 < off_share < 0.45
    shares = gt.network.value_counts(normalize=True)
    assert abs(shares["x"] - 0.48) < 0.05 and abs(shares["facebook"] - 0.26) < 0.05
    assert abs(shares["instagram"] - 0.11) < 0.03
    assert abs(shares["tiktok"] - 0.08) < 0.025 and abs(shares["youtube"] - 0.07) < 0.025
    assert shares["news"] + shares["blog"] < 0.02 and 0.01 < shares["reddit"] < 0.03
    persons = authors[authors.account_type == "person"]
    assert persons.gender.isin(["female", "male", "unknown"]).all()
    assert authors[authors.account_type != "person"].gender.isna().all()
    with_dept = authors.dropna(subset=["department"])
    codes = {"Lima": "15", "Arequipa": "04", "Cusco": "08", "Callao": "07", "Puno": "21"}
    for dept, code in codes.items():
        assert set(with_dept[with_dept.department == dept].ubigeo) <= {code}
    assert authors[authors.department.isna()].ubigeo.isna().all()
    influencers = authors[authors.is_influencer & (authors.network == "x")]
    assert influencers.followers.min() >= 100_000
    events = json.loads((root / "ground_truth" / "events.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in events] == ["derrame_ventanilla"]
    assert set(gt.event.dropna()) == {"derrame_ventanilla"}
    web = gt[gt.network.isin(["news", "blog"])]
    assert len(web) >= 5 and all(ts == ["derrame_petroleo"] for ts in web.topics)
    web_authors = authors[authors.network.isin(["news", "blog"])]
    assert set(web.author_key) <= set(web_authors.author_key)
    assert set(web_authors[web_authors.network == "news"].account_type) == {"media"}


# ---------------------------------------------------------------- realism

def test_every_day_has_posts_on_every_network_within_range(runs):
    for name, kwargs in (("a", SPILL), ("quiet", QUIET)):
        gt = _gt(runs[name][0])
        days = gt.created_at.dt.date
        assert days.min() == kwargs["start"] and days.max() == kwargs["end"]
        n_days = (kwargs["end"] - kwargs["start"]).days + 1
        days_per_network = gt.groupby("network").created_at.apply(lambda s: s.dt.date.nunique())
        assert days_per_network.reindex(NETWORKS).eq(n_days).all()
        lima_days = gt.groupby("network").created_at.apply(lambda s: s.dt.tz_convert("America/Lima").dt.date.nunique())
        assert lima_days.reindex(NETWORKS).eq(n_days + 1).all()           # Lima days too (no collection gaps)


def test_oil_spill_multiplies_topic_volume(runs):
    gt = _gt(runs["a"][0])
    day = gt.created_at.dt.date
    spill = gt.topics.map(lambda ts: "derrame_petroleo" in ts)
    before = (spill & (day >= date(2022, 1, 8)) & (day <= date(2022, 1, 14))).sum()
    during = (spill & (day >= date(2022, 1, 16)) & (day <= date(2022, 1, 22))).sum()
    assert before > 0 and during > 5 * before


def test_weekly_rhythm_sunday_is_quieter(runs):
    gt = _gt(runs["quiet"][0])
    per_day = gt.groupby(gt.created_at.dt.date).size()
    weekday = pd.Series([d.weekday() for d in per_day.index], index=per_day.index)
    assert per_day[weekday == 6].mean() < 0.85 * per_day[weekday < 5].mean()
    hours = gt.created_at.dt.tz_convert("America/Lima").dt.hour
    assert hours.between(2, 5).mean() < 0.05                             # quiet small hours in Lima


def test_interactions_stay_mostly_within_communities(runs):
    root = runs["a"][0]
    gt = _gt(root)
    authors = pd.read_parquet(root / "ground_truth" / "authors.parquet").set_index("author_key")
    linked = gt.dropna(subset=["ref_post_key"])
    target_author = gt.set_index("post_key").author_key.reindex(linked.ref_post_key).to_numpy()
    same = authors.community.reindex(linked.author_key).to_numpy() == authors.community.reindex(target_author).to_numpy()
    assert 0.7 < same.mean() < 0.95
    for network, low in (("x", 0.7), ("tiktok", 0.55), ("youtube", 0.55)):   # comments too (few videos in
        on = (linked.network == network).to_numpy()                           # two weeks: ~0.83 in a year)
        assert low < same[on].mean() < 0.97, network
    assert (linked.ref_post_key.str.split(":").str[0] == linked.network).all()
    target_author = target_author[(linked.network == "x").to_numpy()]
    in_degree = pd.Series(target_author).value_counts()
    x_authors = authors[authors.network == "x"]
    per_account = in_degree.reindex(x_authors.index).fillna(0).groupby(x_authors.is_influencer).mean()
    assert per_account[True] > 20 * per_account[False]                # planted leaders are recoverable


def test_keywords_are_imperfect_by_design(runs):
    for topic, variants in phrases.CORES.items():
        for _, implicit in variants.values():
            assert all(not phrases.has_keyword(s, topic) for s in implicit), topic
        for kw, _ in variants.values():
            assert all(phrases.has_keyword(s, topic) for s in kw), topic
    cue_lists = (phrases.OPENERS, phrases.CLOSERS, phrases.REPLY_OPENERS, phrases.OFF_OPENERS, phrases.OFF_CLOSERS)
    neutral = [s for group in cue_lists for v in group.values() for s in v]
    assert not any(phrases.keyword_topics(s) for s in neutral + list(phrases.OFF_TOPIC_CORES))
    assert all(phrases.keyword_topics(s) for s in phrases.DECOYS)

    root = runs["a"][0]
    gt = _gt(root).set_index("post_key")
    texts: dict[str, str] = {}
    for _, _, page in _x_pages(root):
        texts.update({"x:" + t["id"]: t["text"] for t in page["data"]})
    for rel, _, _, row in _csv_rows(root, "facebook"):
        texts["facebook:" + row["URL"].split("/")[-1]] = row["Message"]
    on = [(texts[k], ts[0]) for k, ts in gt.topics.items() if len(ts) and k in texts]
    hit = sum(phrases.has_keyword(t, topic) for t, topic in on) / len(on)
    assert 0.8 < hit < 0.96
    off = [texts[k] for k, ts in gt.topics.items() if not len(ts) and k in texts]
    false_hits = sum(bool(phrases.keyword_topics(t)) for t in off) / len(off)
    assert 0.0 < false_hits < 0.1
    on_topic = gt[gt.topics.map(len) > 0]
    assert 0.04 < on_topic.keyword_missed.mean() < 0.2
    assert any(ch in "".join(texts.values()) for ch in "áéíóúñ")


def test_languages_and_engagement_tails(runs):
    gt = _gt(runs["a"][0])
    lang = gt.language.value_counts(normalize=True)
    assert lang["es"] > 0.9 and 0.015 < lang["en"] < 0.08 and 0.002 < lang.get("qu", 0) < 0.03
    likes = [t["public_metrics"]["like_count"] for _, _, p in _x_pages(runs["a"][0]) for t in p["data"]
             if "referenced_tweets" not in t]
    s = pd.Series(likes)
    assert s.max() > 20 * max(1, s.median())


# ---------------------------------------------------------------- MCL, Reddit, mapped export

def test_mcl_month_repeats_crowdtangle_posts(runs):
    from escucha.connectors.meta_content_library import FACEBOOK_COLUMNS as MCL_COLUMNS
    for name in ("a", "quiet"):
        root, summary = runs[name]
        ct = {row["URL"].rstrip("/").split("/")[-1]: row for _, _, _, row in _csv_rows(root, "facebook")}
        rows = list(_mcl_rows(root))
        assert rows and len({r[0] for r in rows}) == 1
        rel = rows[0][0]
        assert rows[0][2] == MCL_COLUMNS
        assert summary["files"][rel]["posts"] == len(rows) == summary["duplicate_rows"][rel]
        gt = _gt(root).set_index("post_key")
        for _, line, _, row in rows:
            c = ct[row["id"]]                                             # a repeat of a CrowdTangle row
            assert row["post_owner.id"] == c["Facebook Id"] and row["text"] == c["Message"]
            assert int(row["statistics.reaction_count"]) + int(row["statistics.comment_count"]) \
                + int(row["statistics.share_count"]) == int(c["Total Interactions"])
            created = datetime.strptime(row["creation_time"], "%Y-%m-%dT%H:%M:%S%z")
            assert created.isoformat() == gt.loc["facebook:" + row["id"]].created_at.isoformat()
            assert f"/facebook/entity/{row['id']}" in row["mcl_url"]
        # every CrowdTangle post of that month is in it
        month = rel[-11:-4]
        in_month = [p for p, r in ct.items()
                    if (datetime.strptime(r["Post Created"], "%Y-%m-%d %H:%M:%S PET") + timedelta(hours=5))
                    .strftime("%Y-%m") == month]
        assert sorted(in_month) == sorted(r[3]["id"] for r in rows)


def test_reddit_files_are_pushshift_ndjson_with_earlier_parents(runs):
    root, summary = runs["a"]
    gt = _gt(root).set_index("post_key")
    seen: dict[str, dict] = {}
    items = [("t3", rel, line, o) for rel, line, o in _jsonl(root, "reddit", "reddit_submissions_*.jsonl")]
    items += [("t1", rel, line, o) for rel, line, o in _jsonl(root, "reddit", "reddit_comments_*.jsonl")]
    assert sum(k == "t3" for k, *_ in items) and sum(k == "t1" for k, *_ in items)
    per_file = Counter(rel for _, rel, _, _ in items)
    assert dict(per_file) == {rel: v["posts"] for rel, v in summary["files"].items() if rel.startswith("exports/reddit/")}
    assert per_file == Counter(gt[gt.network == "reddit"].file)
    items.sort(key=lambda it: (it[3]["created_utc"], it[0] == "t1"))
    comments = Counter()
    for kind, rel, line, o in items:
        assert re.fullmatch(r"[0-9a-z]+", o["id"]) and isinstance(o["created_utc"], int)
        assert o["subreddit"] in ("PERU", "lima", "PeruPolitics") and o["author"]
        name = f"{kind}_{o['id']}"
        row = gt.loc["reddit:" + name]
        assert (row.file, int(row.line)) == (rel, line) and row.created_at.isoformat() == _utc(o["created_utc"])
        if kind == "t3":
            assert o["title"] and rel.endswith(datetime.fromtimestamp(o["created_utc"], timezone.utc).strftime("%Y-%m.jsonl"))
            assert row.kind == "post"
        else:
            parent = seen[o["parent_id"]]                                  # points to an earlier item
            assert parent["created_utc"] < o["created_utc"] and o["link_id"].startswith("t3_")
            assert o["link_id"] in seen and o["subreddit"] == seen[o["link_id"]]["subreddit"]
            assert row.kind == "reply" and row.ref_post_key == "reddit:" + o["parent_id"]
            comments[o["link_id"]] += 1
        seen[name] = o
    for name, o in seen.items():
        if name.startswith("t3_"):
            assert o["num_comments"] == comments[name]


def test_mapped_export_repeats_x_posts_and_has_a_mapping(runs):
    import yaml
    root, summary = runs["quiet"]
    rows = list(_mapped_rows(root))
    assert rows and rows[0][0] == "exports_mapped/monitor_andino_2022-04.csv"
    assert not list((root / "exports").rglob("monitor_andino*"))
    mapping = yaml.safe_load((root / "exports_mapped" / "monitor_andino.mapping.yaml").read_text(encoding="utf-8"))
    assert mapping["encoding"] == "latin-1" and mapping["delimiter"] == ";" and mapping["header_row"] == 2
    header = rows[0][2]
    assert all(f["column"] in header for f in mapping["fields"].values())
    x = {}
    for _, _, page in _x_pages(root):
        for t in page["data"]:
            x[t["id"]] = t
    lima = timezone(timedelta(hours=-5))
    for _, _, _, row in rows:
        t = x[row["ID publicación"]]                                       # a repeat of an X post
        assert row["Red social"] == "Twitter" and row["Texto"] == t["text"]
        created = datetime.fromisoformat(_iso(t["created_at"])).astimezone(lima)
        assert row["Fecha"] == created.strftime("%d/%m/%Y %H:%M")
        assert int(row["Me gusta"].replace(".", "")) == t["public_metrics"]["like_count"]
    rel = rows[0][0]
    assert summary["files"][rel]["posts"] == len(rows) == summary["duplicate_rows"][rel]


def test_months_generated_apart_share_no_post_id(tmp_path):
    """bench/generate_posts.py writes a large year a month at a time, each month with its own seed;
    no post id of one month may come back in another (the gate refuses a post published at two
    times). Reddit's ids grow with time, as the network's do, so a later month's are all larger."""
    months = [(date(2022, 1, 1), date(2022, 1, 31)), (date(2022, 2, 1), date(2022, 2, 28))]
    keys, reddit = [], []
    for first, last in months:
        root = tmp_path / f"{first:%m}"
        generate(root, start=first, end=last, posts_per_day=60, seed=7 + 12 * first.year + first.month)
        keys.append(set(_file_posts(root)))
        ids = {kind: [int(o["id"], 36) for _, _, o in _jsonl(root, "reddit", f"reddit_{kind}_*.jsonl")]
               for kind in ("submissions", "comments")}
        reddit.append(ids)
    assert all(len(k) > 1000 for k in keys)
    assert keys[0] & keys[1] == set()
    for kind in ("submissions", "comments"):
        assert len(reddit[0][kind]) > 5 and len(reddit[1][kind]) > 5
        assert max(reddit[0][kind]) < min(reddit[1][kind]), kind
