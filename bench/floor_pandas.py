"""The alternative users reach for: the same topic-day aggregation as a plain pandas script."""
import glob
import json
import sys
import time
import unicodedata

import pandas as pd

exports, seeds = sys.argv[1], sys.argv[2]
t = time.perf_counter()


def norm(s: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFKD", s or "") if not unicodedata.combining(c)).lower()
    return " " + " ".join("".join(ch if ch.isalnum() else " " for ch in s).split()) + " "


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
    for f in sorted(glob.glob(f"{exports}/{net}/*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        frames.append(pd.DataFrame({
            "post_key": net + ":" + df["URL"].str.rstrip("/").str.split("/").str[-1],
            "created_at": pd.to_datetime(df["Post Created"].str[:19]).dt.tz_localize("UTC") + pd.Timedelta(hours=5),
            "text": df[col], "network": net}))
posts = pd.concat(frames, ignore_index=True)
posts["day"] = (posts["created_at"] - pd.Timedelta(hours=5)).dt.date
posts["t"] = posts["text"].map(norm)
kw = pd.read_csv(f"{seeds}/topic_keywords.csv")
kw["k"] = kw["keyword"].map(norm)
out = []
for topic, ks in kw.groupby("topic_id")["k"]:
    mask = posts["t"].apply(lambda s: any(k in s for k in ks))
    out.append(posts[mask].groupby(["day", "network"])["post_key"].nunique().rename(topic))
print(f"floor_pandas groups={sum(len(o) for o in out)} seconds={time.perf_counter() - t:.2f}")
