"""Alerts and event impacts against the demo year's planted events.

Reads the pipeline's own marts (fct_alerts, fct_event_impact, fct_topic_changepoints) and the
generator's truth (demo/ground_truth/events.json; escucha.demo.timeline for each event's shape):

* alert recall: a planted event is found when a volume alert on its topic has its onset between
  the day before the event starts and its end; hours from onset to alert = detected_at minus the
  event's start (00:00 Lima);
* false alerts per topic and month: volume alerts matched to no planted event, split into those
  on another topic during a planted event (spill-over: the event's posts also match that topic)
  and the rest;
* event effects: fct_event_impact's relative effect and interval against the planted effect, the
  mean over the event's days of (planted multiplier - 1);
* changepoints: those within 3 days of a planted event's window, and the rest.

Usage: python bench/alerts_quality.py --home <data home with the demo year built> [--json OUT]
"""
from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np

from escucha.demo.timeline import EVENTS

LIMA = timedelta(hours=5)  # Lima midnight is 05:00 UTC


def planted_effect(event_id: str, start: date, end: date) -> float:
    """Mean of (multiplier - 1) over the event's days: the relative effect the generator planted."""
    ev = next(e for e in EVENTS if e.id == event_id)
    days = np.arange(start.toordinal(), end.toordinal() + 1)
    return float(np.mean(ev.multiplier_on(days)) - 1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", required=True, type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    truth = json.loads((args.home / "demo" / "ground_truth" / "events.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(args.home / "warehouse.duckdb"), read_only=True)
    alerts = con.execute("""select alert_id, topic_id, onset, detected_at, severity, ratio
                            from marts.fct_alerts where kind = 'volume_spike' order by onset""").fetchall()
    first, last = con.execute("select min(day), max(day) from marts.fct_topic_daily").fetchone()
    topics = [r[0] for r in con.execute("select topic_id from marts.dim_topics").fetchall()]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    viral = con.execute("select count(*) from marts.fct_alerts where kind = 'viral_post'").fetchone()[0]

    print(f"demo year {first}..{last}: {len(topics)} topics, {months} months, {len(alerts)} volume alerts, "
          f"{viral} viral-post alerts")
    matched: set[str] = set()
    rows = []
    print("\nplanted event                 topic              alert onset (UTC)   detected (UTC)      hours  severity")
    for ev in truth:
        start, end = date.fromisoformat(ev["start"]), date.fromisoformat(ev["end"])
        if start > last or end < first:
            continue
        t0 = datetime.combine(start, datetime.min.time()) + LIMA
        lo, hi = t0 - timedelta(days=1), datetime.combine(end, datetime.min.time()) + LIMA + timedelta(days=1)
        hits = [a for a in alerts if a[1] in ev["topics"] and lo <= a[2] < hi]
        matched.update(a[0] for a in hits)
        hit = min(hits, key=lambda a: a[3]) if hits else None
        hours = (hit[3] - t0).total_seconds() / 3600 if hit else None
        rows.append({"event": ev["id"], "topic": ev["topics"][0], "found": hit is not None, "hours_to_alert": hours,
                     "alerts": len(hits), "severity": hit[4] if hit else None})
        print(f"{ev['id']:<29} {ev['topics'][0]:<18} " + (f"{hit[2]:%Y-%m-%d %H:%M}    {hit[3]:%Y-%m-%d %H:%M}  "
              f"{hours:6.1f}  {hit[4]} ({len(hits)} alert)" if hit else "not found"))
    found = [r for r in rows if r["found"]]
    recall = len(found) / len(rows) if rows else float("nan")
    hours = [r["hours_to_alert"] for r in found]

    windows = [(date.fromisoformat(e["start"]) - timedelta(days=1), date.fromisoformat(e["end"]) + timedelta(days=1))
               for e in truth]
    unmatched = [a for a in alerts if a[0] not in matched]
    spill = [a for a in unmatched if any(lo <= (a[2] - LIMA).date() <= hi for lo, hi in windows)]
    other = [a for a in unmatched if a not in spill]
    per_topic_month = len(unmatched) / (len(topics) * months)
    print(f"\nrecall {len(found)}/{len(rows)} = {recall:.2f}; hours from event start to alert: "
          f"median {np.median(hours):.1f}, max {max(hours):.1f}")
    print(f"alerts matched to no planted event: {len(unmatched)} = {per_topic_month:.3f} per topic and month "
          f"({len(spill)} on another topic during a planted event, {len(other)} outside any event: "
          f"{len(other) / (len(topics) * months):.3f} per topic and month)")
    for a in unmatched:
        print(f"  {a[1]:<22} onset {a[2]:%Y-%m-%d %H:%M}  severity {a[4]:<8} ratio {a[5]:.1f}"
              + ("  (during a planted event)" if a in spill else ""))

    print("\nevent effects (fct_event_impact, posts over the event window)")
    print("event                         topic              role      planted   estimate [95% interval]     significant")
    effects = []
    for (event_id, topic, role, start, end, rel, low, high, sig) in con.execute("""
            select event_id, topic_id, role, start_date, end_date, relative_effect, relative_low, relative_high,
                significant from marts.fct_event_impact order by event_id, role, topic_id""").fetchall():
        planted = planted_effect(event_id, start, end) if role == "affected" else 0.0
        inside = low is not None and low <= planted <= high
        effects.append({"event": event_id, "topic": topic, "role": role, "planted": planted, "estimate": rel,
                        "low": low, "high": high, "significant": sig, "planted_inside": inside})
        est = f"{rel:+8.0%} [{low:+.0%}, {high:+.0%}]" if rel is not None else "      n/a (too little data before)"
        print(f"{event_id:<29} {topic:<18} {role:<9} {planted:+7.0%}  {est:<28} {sig}")
    aff = [e for e in effects if e["role"] == "affected" and e["estimate"] is not None]
    ctl = [e for e in effects if e["role"] == "control" and e["estimate"] is not None]
    print(f"affected: {sum(e['significant'] for e in aff)}/{len(aff)} significant, planted effect inside the "
          f"interval {sum(e['planted_inside'] for e in aff)}/{len(aff)}; controls (placebos): "
          f"{sum(e['significant'] for e in ctl)}/{len(ctl)} significant")

    cps = con.execute("select topic_id, day, ratio, direction, event_id from marts.fct_topic_changepoints "
                      "order by topic_id, day").fetchall()
    declared = [c for c in cps if c[4] is not None]
    print(f"\nchangepoints: {len(cps)} ({len(declared)} at a declared event, {len(cps) - len(declared)} undeclared)")
    for c in cps:
        print(f"  {c[0]:<22} {c[1]}  x{c[2]:.2f} {c[3]:<4} {c[4] or '(undeclared)'}")

    result = {"recall": recall, "events": rows, "hours_to_alert_median": float(np.median(hours)),
              "false_alerts_per_topic_month": per_topic_month, "unmatched_alerts": len(unmatched),
              "unmatched_outside_events": len(other), "viral_alerts": viral, "effects": effects,
              "changepoints": len(cps), "changepoints_declared": len(declared)}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
