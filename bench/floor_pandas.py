"""The alternative users reach for: the same topic-day aggregation as a plain pandas script."""
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


rows = []
for f in sorted(glob.glob(f"{exports}/x/*.jsonl")):
    with open(f, encoding="utf-8") as fh:
        for line in fh:
            for tw in json.loads(line).get("data", []):
                rows.append(("x:" + tw["id"], tw["created_at"], tw["text"], "x"))
x = pd.DataFrame(rows, columns=["post_key", "created_at", "text", "network"])
x["created_at"] = pd.to_datetime(x["created_at"])
frames = [x]
for net, col in (("facebook", "Message"), ("instagram", "Description")):
    for f in sorted(glob.glob(f"{exports}/{net}/crowdtangle_*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        frames.append(pd.DataFrame({
            "post_key": net + ":" + df["URL"].str.rstrip("/").str.split("/").str[-1],
            "created_at": pd.to_datetime(df["Post Created"].str[:19]).dt.tz_localize("UTC") + pd.Timedelta(hours=5),
            "text": df[col], "network": net}))
posts = pd.concat(frames, ignore_index=True)
posts["day"] = (posts["created_at"] - pd.Timedelta(hours=5)).dt.date
out = []
for topic, node in queries.items():  # the query language's own Python evaluator, post by post
    mask = posts["text"].map(lambda s: matches(node, s or ""))
    out.append(posts[mask].groupby(["day", "network"])["post_key"].nunique().rename(topic))
print(f"floor_pandas groups={sum(len(o) for o in out)} seconds={time.perf_counter() - t:.2f}")
