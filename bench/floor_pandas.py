"""The alternative users reach for: the same topic-day aggregation as a plain pandas script.

The same files as bench/floor_duckdb.py, read with json and pandas.read_csv; each topic's query is
evaluated post by post with the query language's own Python evaluator.
"""
import glob
import json
import sys
import time

import pandas as pd
import yaml

from escucha.topics.query import matches, parse

exports, config = sys.argv[1], sys.argv[2]
queries = {t: parse(spec["query"]) for t, spec in yaml.safe_load(open(config, encoding="utf-8"))["topics"].items()}
t = time.perf_counter()


def lines(pattern: str):
    for f in sorted(glob.glob(f"{exports}/{pattern}")):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)


def unix(seconds) -> pd.Timestamp:
    return pd.Timestamp(int(seconds), unit="s")


rows = []
for page in lines("x/*.jsonl"):
    for tw in page.get("data", []):
        rows.append(("x:" + tw["id"], pd.Timestamp(tw["created_at"][:19]), tw["text"], "x"))
for page in lines("tiktok/tiktok_videos_*.jsonl"):
    for v in page["data"]["videos"]:
        rows.append((f"tiktok:{v['id']}", unix(v["create_time"]), v.get("video_description"), "tiktok"))
for page in lines("tiktok/tiktok_comments_*.jsonl"):
    for c in page["data"]["comments"]:
        rows.append((f"tiktok:{c['id']}", unix(c["create_time"]), c.get("text"), "tiktok"))
for page in lines("youtube/youtube_videos_*.jsonl"):
    for i in page["items"]:
        s = i["snippet"]
        rows.append(("youtube:" + i["id"], pd.Timestamp(s["publishedAt"][:19]),
                     " ".join(filter(None, (s.get("title"), s.get("description")))), "youtube"))
for page in lines("youtube/youtube_comments_*.jsonl"):
    for i in page["items"]:
        for c in [i["snippet"]["topLevelComment"], *i.get("replies", {}).get("comments", [])]:
            rows.append(("youtube:" + c["id"], pd.Timestamp(c["snippet"]["publishedAt"][:19]),
                         c["snippet"].get("textOriginal"), "youtube"))
for s in lines("reddit/reddit_submissions_*.jsonl"):
    rows.append(("reddit:t3_" + s["id"], unix(s["created_utc"]),
                 " ".join(filter(None, (s.get("title"), s.get("selftext")))), "reddit"))
for c in lines("reddit/reddit_comments_*.jsonl"):
    rows.append(("reddit:t1_" + c["id"], unix(c["created_utc"]), c.get("body"), "reddit"))
frames = [pd.DataFrame(rows, columns=["post_key", "created_at", "text", "network"])]
for net, col in (("facebook", "Message"), ("instagram", "Description")):
    for f in sorted(glob.glob(f"{exports}/{net}/crowdtangle_*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        frames.append(pd.DataFrame({
            "post_key": net + ":" + df["URL"].str.rstrip("/").str.split("/").str[-1],
            "created_at": pd.to_datetime(df["Post Created"].str[:19]) + pd.Timedelta(hours=5),
            "text": df[col], "network": net}))
posts = pd.concat(frames, ignore_index=True)
posts["day"] = (posts["created_at"] - pd.Timedelta(hours=5)).dt.date
out = []
for topic, node in queries.items():  # the query language's own Python evaluator, post by post
    mask = posts["text"].map(lambda s: matches(node, s or ""))
    out.append(posts[mask].groupby(["day", "network"])["post_key"].nunique().rename(topic))
print(f"floor_pandas posts={posts['post_key'].nunique()} groups={sum(len(o) for o in out)} "
      f"seconds={time.perf_counter() - t:.2f}")
