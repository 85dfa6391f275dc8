"""The events calendar: ``config/events.yaml`` (or ``$ESCUCHA_EVENTS``) read and validated.

The file is read through PyYAML's node tree (``yaml.compose``) rather than ``safe_load`` so that
every error can name the line it is about, and so that an event id given twice is caught (a plain
load silently keeps the last one).  Dates are parsed from the scalar text, as ``YYYY-MM-DD``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Collection, Iterable

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[2]  # the parent of the `escucha` package
DEFAULT_PATH = REPO / "config" / "events.yaml"
KINDS = ("crisis", "campaign", "national_event")
ORIGINS = ("real", "demo")
REQUIRED = ("name", "kind", "start", "topics", "origin")
OPTIONAL = ("end", "description")
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
FRAME_COLUMNS = ["event_id", "name", "kind", "start_date", "end_date", "topic_id", "origin", "description"]


class EventsConfigError(ValueError):
    """The events file is missing or malformed (the message names file, event, field and line)."""


@dataclass(frozen=True)
class Event:
    """A declared event: it may move the volume of ``topics`` from ``start`` to ``end`` inclusive."""

    event_id: str
    name: str
    kind: str
    start: date
    end: date
    topics: tuple[str, ...]
    origin: str
    description: str

    @property
    def days(self) -> int:
        """Length of the window in days (a one-day event is 1)."""
        return (self.end - self.start).days + 1


def events_path(path: Path | str | None = None) -> Path:
    """The events file: ``path`` if given, else ``$ESCUCHA_EVENTS``, else the repo's."""
    chosen = path or os.environ.get("ESCUCHA_EVENTS") or DEFAULT_PATH
    return Path(chosen).expanduser().resolve()


class _Reader:
    """Builds errors that point at a place in one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, node: yaml.Node | None, message: str, event: str | None = None,
              field: str | None = None) -> EventsConfigError:
        where = f"{self.path}:{node.start_mark.line + 1}" if node is not None else str(self.path)
        parts = [where]
        if event is not None:
            parts.append(f"event {event!r}")
        if field is not None:
            parts.append(f"field {field!r}")
        return EventsConfigError(": ".join(parts + [message]))

    def text(self, node: yaml.Node, event: str, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.error(node, "must be non-empty text", event, field)
        return str(node.value).strip()

    def day(self, node: yaml.Node, event: str, field: str) -> date:
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        if raw is None or not _DATE.match(str(raw).strip()):
            raise self.error(node, f"{_show(node)} is not a date written YYYY-MM-DD", event, field)
        try:
            return date.fromisoformat(str(raw).strip())
        except ValueError as exc:
            raise self.error(node, f"{raw!r} is not a valid date ({exc})", event, field) from None


def _show(node: yaml.Node) -> str:
    return repr(node.value) if isinstance(node, yaml.ScalarNode) else f"a YAML {node.id}"


def _compose(path: Path) -> yaml.Node | None:
    if not path.is_file():
        raise EventsConfigError(f"no events file at {path} "
                                f"(set ESCUCHA_EVENTS to another file, or create this one)")
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except UnicodeDecodeError as exc:
        raise EventsConfigError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise EventsConfigError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None


def _mapping_items(reader: _Reader, node: yaml.MappingNode, what: str,
                   event: str | None = None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Keys of a mapping node -> (key node, value node), refusing a key given twice."""
    items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
        if key is None:
            raise reader.error(key_node, f"{what} keys must be plain names", event)
        if key in items:
            first = items[key][0].start_mark.line + 1
            if what == "event":
                raise reader.error(key_node, f"duplicate event id (first defined on line {first})", key)
            if what == "field":
                raise reader.error(key_node, f"given twice (first on line {first})", event, key)
            raise reader.error(key_node, f"{what} key {key!r} given twice (first on line {first})")
        items[key] = (key_node, value_node)
    return items


def _parse_event(reader: _Reader, event_id: str, key_node: yaml.Node, node: yaml.Node,
                 known_topics: Collection[str] | None) -> Event:
    if not _ID.match(event_id):
        raise reader.error(key_node, "event id must be lower-case letters, digits and _ "
                                     "(starting with a letter)", event_id)
    if not isinstance(node, yaml.MappingNode):
        raise reader.error(node, "must be a mapping of name, kind, start, end, topics, origin, description",
                           event_id)
    fields = _mapping_items(reader, node, "field", event_id)
    for name, (fkey, _) in fields.items():
        if name not in REQUIRED + OPTIONAL:
            raise reader.error(fkey, f"unknown field; expected {', '.join(REQUIRED + OPTIONAL)}",
                               event_id, name)
    for name in REQUIRED:
        if name not in fields:
            raise reader.error(key_node, "is missing (required)", event_id, name)

    def value(name: str) -> yaml.Node:
        return fields[name][1]

    kind = reader.text(value("kind"), event_id, "kind")
    if kind not in KINDS:
        raise reader.error(value("kind"), f"{kind!r} is not one of {', '.join(KINDS)}", event_id, "kind")
    origin = reader.text(value("origin"), event_id, "origin")
    if origin not in ORIGINS:
        raise reader.error(value("origin"), f"{origin!r} is not one of {', '.join(ORIGINS)}",
                           event_id, "origin")
    start = reader.day(value("start"), event_id, "start")
    end = reader.day(value("end"), event_id, "end") if "end" in fields else start
    if end < start:
        raise reader.error(value("end"), f"{end.isoformat()} is before start {start.isoformat()}",
                           event_id, "end")

    topics_node = value("topics")
    if not isinstance(topics_node, yaml.SequenceNode) or not topics_node.value:
        raise reader.error(topics_node, "must be a non-empty list of topic ids, e.g. [congreso]",
                           event_id, "topics")
    topics: list[str] = []
    for item in topics_node.value:
        topic = reader.text(item, event_id, "topics")
        if known_topics is not None and topic not in known_topics:
            known = ", ".join(sorted(known_topics))
            raise reader.error(item, f"unknown topic {topic!r}; known topics: {known}", event_id, "topics")
        if topic not in topics:
            topics.append(topic)
    description = ""
    if "description" in fields and not (isinstance(value("description"), yaml.ScalarNode)
                                        and value("description").value == ""):
        description = reader.text(value("description"), event_id, "description")
    return Event(event_id=event_id, name=reader.text(value("name"), event_id, "name"), kind=kind,
                 start=start, end=end, topics=tuple(topics), origin=origin, description=description)


def load_events(path: Path | None = None, known_topics: Collection[str] | None = None) -> list[Event]:
    """Read and validate the events file; raise :class:`EventsConfigError` on the first problem.

    ``known_topics``, when given, are the topic ids an event may name (the registry's)."""
    file = events_path(path)
    reader = _Reader(file)
    root = _compose(file)
    if root is None:
        raise EventsConfigError(f"{file}: is empty; expected a mapping with `events:`")
    if not isinstance(root, yaml.MappingNode):
        raise reader.error(root, "must be a mapping with `events:`")
    top = _mapping_items(reader, root, "top-level")
    unknown = [k for k in top if k != "events"]
    if unknown:
        raise reader.error(top[unknown[0]][0], f"unknown top-level key {unknown[0]!r}; expected `events:`")
    if "events" not in top:
        raise reader.error(root, "has no `events:` mapping")
    events_node = top["events"][1]
    if isinstance(events_node, yaml.ScalarNode) and events_node.tag.endswith(":null"):
        return []
    if not isinstance(events_node, yaml.MappingNode):
        raise reader.error(events_node, "`events:` must be a mapping of event id -> event")
    entries = _mapping_items(reader, events_node, "event")
    return [_parse_event(reader, eid, knode, vnode, known_topics) for eid, (knode, vnode) in entries.items()]


def events_frame(events: Iterable[Event]) -> pd.DataFrame:
    """One row per (event, topic), columns :data:`FRAME_COLUMNS` (dates as ``datetime.date``)."""
    rows = [
        {"event_id": e.event_id, "name": e.name, "kind": e.kind, "start_date": e.start, "end_date": e.end,
         "topic_id": topic, "origin": e.origin, "description": e.description}
        for e in events for topic in e.topics
    ]
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)
