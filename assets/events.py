"""Events and campaigns (config/events.yaml) exported for dbt, as the topic registry is."""

import os
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from escucha.events.calendar import events_frame, load_events
from escucha.topics.registry import Registry
from orchestration.resources import EscuchaHome

EVENTS = dg.AssetKey(["events", "calendar"])
SCHEMA = pa.schema([
    ("event_id", pa.string()), ("name", pa.string()), ("kind", pa.string()), ("start_date", pa.date32()),
    ("end_date", pa.date32()), ("topic_id", pa.string()), ("origin", pa.string()), ("description", pa.string()),
])


def export_events(folder: Path, known_topics: list[str]) -> int:
    """Validate config/events.yaml against the registry's topics and write events.parquet atomically."""
    frame = events_frame(load_events(known_topics=known_topics))
    table = pa.Table.from_pandas(frame[[f.name for f in SCHEMA]], schema=SCHEMA, preserve_index=False)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "events.parquet.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, folder / "events.parquet")
    return table.num_rows


@dg.asset(key=EVENTS, group_name="events", deps=[dg.AssetKey(["topics", "registry"])],
          description="Declared events and campaigns (config/events.yaml, or $ESCUCHA_EVENTS): name, kind, "
                      "window and topics, exported to lake/_meta/events.parquet for the event-impact marts.")
def event_calendar(context: dg.AssetExecutionContext, escucha_home: EscuchaHome) -> dg.MaterializeResult:
    """Export the events file; a file that does not validate fails this step with the file, event and line."""
    home = escucha_home.home()
    topics = [t.topic_id for t in Registry.open(home).current(include_retired=True)]
    rows = export_events(home.lake / "_meta", topics)
    return dg.MaterializeResult(metadata={"event_topics": rows})
