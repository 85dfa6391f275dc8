"""The topic registry: programmes own their topics, and every version of every topic is kept.

Two files, two roles:

* ``config/programmes.yaml`` (or the file ``$ESCUCHA_PROGRAMMES`` names) defines the **programmes**
  (label, focal points, digest recipients) and **seeds** the topics.  Programmes are always read
  from it.  A topic in it is read only once: the first time a registry opens a data home where the
  topic is not yet recorded, it is recorded as its version 1 with ``changed_by = "config"``.

* ``<data home>/topics/history.jsonl`` is **the record, and the authority, for topics**.  It is
  append-only, one JSON object per topic version (topic_id, version, programme_id, label, query,
  use_model, active, changed_by, changed_at, note).  After seeding, editing a topic in the YAML
  changes nothing; topics change only through :meth:`Registry.set` / :meth:`Registry.retire`
  (``escucha topics set`` / ``retire``), and only a focal point of the topic's programme may make
  the change (for a move to another programme: a focal point of both).

Writes are serialised by an ``fcntl`` lock on ``history.lock`` beside the history; under the lock
the history is read again, the change is checked against it, and each new line is appended with
flush + fsync.  A refused change writes nothing.  Reading refuses a corrupt line with an error
naming the file and the line; the one exception is a trailing line without its newline that is
not a complete record (a write interrupted by a crash): it is ignored with a warning and cut off
by the next write.

Identities (``--as`` / ``$ESCUCHA_USER``) compare case-insensitively once stripped; a change is
recorded under the spelling the config gives the focal point.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import yaml

from escucha.home import DataHome
from escucha.topics.query import QueryError, parse

REPO = Path(__file__).resolve().parents[2]  # the parent of the `escucha` package
DEFAULT_CONFIG = REPO / "config" / "programmes.yaml"
HISTORY_NAME = "history.jsonl"
LOCK_NAME = "history.lock"
CONFIG_AUTHOR = "config"
ID_PATTERN = r"[a-z][a-z0-9_]*"
_ID = re.compile(ID_PATTERN + r"\Z")
_TIME = "%Y-%m-%dT%H:%M:%SZ"


# ------------------------------------------------------------------------ errors


class RegistryError(Exception):
    """Base of every error the registry raises on purpose (QueryError aside)."""


class ConfigError(RegistryError, ValueError):
    """The programmes file is missing or malformed."""


class HistoryError(RegistryError):
    """The history file is corrupt (the message names the file and the line)."""


class PermissionDenied(RegistryError):
    """The identity is not a focal point of the programme that owns the topic."""


class IdentityError(RegistryError, ValueError):
    """No identity was given (neither ``--as`` nor ``$ESCUCHA_USER``)."""


class InvalidChange(RegistryError, ValueError):
    """A change that is refused for what it is: nothing changed, a bad id, an unknown programme..."""


class UnknownTopic(RegistryError, KeyError):
    """No topic of that id was ever recorded."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0]) if self.args else "unknown topic"


class TornLineWarning(UserWarning):
    """The history ends with an incomplete line (an interrupted write); it is ignored."""


# ---------------------------------------------------------------------- records


def _same_identity(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


@dataclass(frozen=True)
class Programme:
    programme_id: str
    label: str
    focal_points: tuple[str, ...]
    recipients: tuple[str, ...] = ()

    def focal_point(self, who: str) -> str | None:
        """The config's spelling of ``who`` if it is one of the focal points, else None."""
        return next((fp for fp in self.focal_points if _same_identity(fp, who)), None)

    def is_focal_point(self, who: str) -> bool:
        return self.focal_point(who) is not None


@dataclass(frozen=True)
class TopicVersion:
    topic_id: str
    version: int
    programme_id: str
    label: str
    query: str
    use_model: bool
    active: bool
    changed_by: str
    changed_at: str  # UTC, ISO 8601 with a trailing "Z", e.g. 2022-05-18T14:03:00Z
    note: str = ""

    @property
    def changed_at_datetime(self) -> datetime:
        """``changed_at`` as an aware UTC datetime."""
        return datetime.strptime(self.changed_at, _TIME).replace(tzinfo=timezone.utc)

    def definition(self) -> tuple[str, str, str, bool, bool]:
        """What a change can change: (programme_id, label, query, use_model, active)."""
        return (self.programme_id, self.label, self.query, self.use_model, self.active)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, rec: Any) -> "TopicVersion":
        """Build from one history object; ValueError says what is wrong with it."""
        if not isinstance(rec, dict):
            raise ValueError("not a JSON object")
        missing = [f for f in _FIELDS if f not in rec]
        if missing:
            raise ValueError(f"missing field(s): {', '.join(missing)}")
        for name, kind in _FIELDS.items():
            value = rec[name]
            ok = (type(value) is int) if kind is int else isinstance(value, kind)
            if not ok:
                raise ValueError(f"field {name!r} must be {kind.__name__}, not {value!r}")
        for name in ("topic_id", "programme_id"):
            if not _ID.match(rec[name]):
                raise ValueError(f"field {name!r} is not an id ({ID_PATTERN}): {rec[name]!r}")
        if rec["version"] < 1:
            raise ValueError(f"field 'version' must be >= 1, not {rec['version']}")
        try:
            datetime.strptime(rec["changed_at"], _TIME)
        except ValueError:
            raise ValueError(f"field 'changed_at' is not UTC ISO 8601 "
                             f"(YYYY-MM-DDTHH:MM:SSZ): {rec['changed_at']!r}") from None
        return cls(**{name: rec[name] for name in _FIELDS})


_FIELDS: dict[str, type] = {
    "topic_id": str, "version": int, "programme_id": str, "label": str, "query": str,
    "use_model": bool, "active": bool, "changed_by": str, "changed_at": str, "note": str,
}


def _now() -> str:
    return datetime.now(timezone.utc).strftime(_TIME)


# --------------------------------------------------------------------- helpers


def identity(flag: str | None = None) -> str:
    """Who is making a change: the ``--as`` flag, else ``$ESCUCHA_USER`` (stripped)."""
    if flag is not None:
        if not flag.strip():
            raise IdentityError("--as is empty: give the identity you are a focal point as")
        return flag.strip()
    env = os.environ.get("ESCUCHA_USER", "")
    if env.strip():
        return env.strip()
    raise IdentityError("who is making this change? pass --as you@example.org "
                        "or set ESCUCHA_USER=you@example.org")


def config_path(config: Path | str | None = None) -> Path:
    """The programmes file: ``config`` if given, else ``$ESCUCHA_PROGRAMMES``, else the repo's."""
    chosen = config or os.environ.get("ESCUCHA_PROGRAMMES") or DEFAULT_CONFIG
    return Path(chosen).expanduser().resolve()


def format_query_error(query: str, error: QueryError, indent: str = "  ") -> str:
    """The query, a caret under the error's position, and the reason (three lines)."""
    first_line = query.split("\n")[0]
    upto = first_line[: max(error.position - 1, 0)]
    pad = "".join("\t" if c == "\t" else " " for c in upto)
    return f"{indent}{first_line}\n{indent}{pad}^\n{error}"


def describe_change(previous: TopicVersion | None, version: TopicVersion) -> str:
    """One line saying what a version changed compared with the one before it."""
    if previous is None:
        return "created"
    parts = []
    if previous.active and not version.active:
        parts.append("retired")
    elif version.active and not previous.active:
        parts.append("restored")
    if previous.programme_id != version.programme_id:
        parts.append(f"programme {previous.programme_id} -> {version.programme_id}")
    if previous.label != version.label:
        parts.append(f"label {previous.label!r} -> {version.label!r}")
    if previous.use_model != version.use_model:
        parts.append("use_model " + ("false -> true" if version.use_model else "true -> false"))
    if previous.query != version.query:
        parts.append(f"query {version.query!r}")
    return "; ".join(parts) or "no change"


# ---------------------------------------------------------------------- config


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (a topic defined twice)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:
            continue  # unhashable key: construct_mapping reports it
        if duplicate:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)

_PROGRAMME_KEYS = {"label", "focal_points", "recipients"}
_TOPIC_KEYS = {"label", "programme", "query", "use_model"}


def load_config(path: Path) -> tuple[dict[str, Programme], dict[str, dict[str, Any]]]:
    """Read and validate the programmes file: (programmes, seed topics by id).

    Every problem raises :class:`ConfigError` naming the file and the entry."""
    def fail(where: str, message: str) -> ConfigError:
        return ConfigError(f"{path}: {where}: {message}" if where else f"{path}: {message}")

    if not path.is_file():
        raise ConfigError(f"no programmes file at {path} "
                          f"(set ESCUCHA_PROGRAMMES to another file, or create this one)")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except UnicodeDecodeError as exc:
        raise fail("", f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise fail("", f"not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(doc, dict):
        raise fail("", "must be a mapping with `programmes:` and `topics:`")
    unknown = set(doc) - {"programmes", "topics"}
    if unknown:
        raise fail("", f"unknown top-level key(s) {sorted(map(str, unknown))}; "
                       f"expected `programmes:` and `topics:`")

    def text(value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail(where, f"must be non-empty text, not {value!r}")
        return value.strip()

    def text_list(value: Any, where: str, *, required: bool) -> tuple[str, ...]:
        if value is None and not required:
            return ()
        if not isinstance(value, list):
            raise fail(where, f"must be a list (e.g. [a@example.org, b@example.org]), not {value!r}")
        items = tuple(text(v, f"{where}[{i}]") for i, v in enumerate(value))
        if required and not items:
            raise fail(where, "must list at least one identity (nobody could change the topics otherwise)")
        return items

    def check_id(value: Any, where: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise fail(where, f"id {value!r} must match {ID_PATTERN} "
                              f"(lower-case letter, then lower-case letters, digits, _)")
        return value

    raw_programmes = doc.get("programmes")
    if not isinstance(raw_programmes, dict) or not raw_programmes:
        raise fail("programmes", "must be a non-empty mapping of programme id -> "
                                 "{label, focal_points, recipients}")
    programmes: dict[str, Programme] = {}
    for pid, spec in raw_programmes.items():
        where = f"programmes.{pid}"
        check_id(pid, where)
        if not isinstance(spec, dict):
            raise fail(where, "must be a mapping with label, focal_points, recipients")
        extra = set(spec) - _PROGRAMME_KEYS
        if extra:
            raise fail(where, f"unknown key(s) {sorted(map(str, extra))}; allowed: {sorted(_PROGRAMME_KEYS)}")
        programmes[pid] = Programme(
            programme_id=pid,
            label=text(spec.get("label"), f"{where}.label"),
            focal_points=text_list(spec.get("focal_points"), f"{where}.focal_points", required=True),
            recipients=text_list(spec.get("recipients"), f"{where}.recipients", required=False),
        )

    raw_topics = doc.get("topics")
    if raw_topics is None:
        raw_topics = {}
    if not isinstance(raw_topics, dict):
        raise fail("topics", "must be a mapping of topic id -> {label, programme, query, use_model}")
    topics: dict[str, dict[str, Any]] = {}
    for tid, spec in raw_topics.items():
        where = f"topics.{tid}"
        check_id(tid, where)
        if not isinstance(spec, dict):
            raise fail(where, "must be a mapping with label, programme, query (and optional use_model)")
        extra = set(spec) - _TOPIC_KEYS
        if extra:
            raise fail(where, f"unknown key(s) {sorted(map(str, extra))}; allowed: {sorted(_TOPIC_KEYS)}")
        programme = spec.get("programme")
        if programme not in programmes:
            raise fail(f"{where}.programme", f"unknown programme {programme!r} "
                                             f"(programmes: {', '.join(programmes)})")
        query = spec.get("query")
        if not isinstance(query, str):
            raise fail(f"{where}.query", f"must be text, not {query!r}")
        try:
            parse(query)
        except QueryError as exc:
            raise fail(f"{where}.query", "malformed query\n" + format_query_error(query, exc)) from None
        use_model = spec.get("use_model", False)
        if not isinstance(use_model, bool):
            raise fail(f"{where}.use_model", f"must be true or false, not {use_model!r}")
        topics[tid] = {"programme_id": programme, "label": text(spec.get("label"), f"{where}.label"),
                       "query": query.strip(), "use_model": use_model}
    return programmes, topics


# --------------------------------------------------------------------- history


@dataclass
class _Snapshot:
    versions: list[TopicVersion] = field(default_factory=list)
    complete_bytes: int = 0  # length of the part of the file that is whole lines
    tail: str = "none"  # "none" | "torn" (ignored partial line) | "unterminated" (a record missing its \n)


def _read_history(path: Path) -> _Snapshot:
    if not path.exists():
        return _Snapshot()
    data = path.read_bytes()
    lines = data.split(b"\n")
    last = lines.pop()  # b"" when the file ends with a newline
    snap = _Snapshot(complete_bytes=len(data) - len(last))
    seen: dict[str, int] = {}

    def take(raw: bytes) -> TopicVersion:
        try:
            version = TopicVersion.from_record(json.loads(raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 ({exc.reason})") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
        expected = seen.get(version.topic_id, 0) + 1
        if version.version != expected:
            raise ValueError(f"topic {version.topic_id!r} version {version.version} "
                             f"where version {expected} was expected")
        return version

    for number, raw in enumerate(lines, 1):
        try:
            version = take(raw)
        except ValueError as exc:
            raise HistoryError(f"{path}, line {number}: corrupt topic history: {exc}. "
                               f"Nothing was changed; repair or remove this line by hand "
                               f"(every other line is a recorded version)") from None
        seen[version.topic_id] = version.version
        snap.versions.append(version)
    if last.strip():
        try:
            snap.versions.append(take(last))
            snap.tail = "unterminated"
        except ValueError:
            snap.tail = "torn"
            warnings.warn(f"{path}, line {len(lines) + 1}: incomplete last line (an interrupted "
                          f"write?) ignored; the next change removes it", TornLineWarning, stacklevel=4)
    return snap


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -------------------------------------------------------------------- registry


class Registry:
    """Programmes (from the config) and every version of every topic (from the history).

    Use :meth:`open`; reads reflect the history as of the last open, change or :meth:`reload`."""

    def __init__(self, home: DataHome, config: Path, programmes: dict[str, Programme],
                 seeds: dict[str, dict[str, Any]]):
        self.home = home
        self.config = config
        self._programmes = programmes
        self._seeds = seeds
        self._versions: list[TopicVersion] = []

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, home: DataHome, config: Path | None = None) -> "Registry":
        """Load the programmes file and the history; record unseen config topics as version 1."""
        path = config_path(config)
        programmes, seeds = load_config(path)
        registry = cls(home, path, programmes, seeds)
        with registry._locked():
            snap = registry._load()
            known = {v.topic_id for v in snap.versions}
            at = _now()
            missing = [TopicVersion(topic_id=tid, version=1, active=True, changed_by=CONFIG_AUTHOR,
                                    changed_at=at, note=f"seeded from {path}", **seed)
                       for tid, seed in seeds.items() if tid not in known]
            if missing:
                registry._append(snap, missing)
        return registry

    @property
    def history_path(self) -> Path:
        return self.home.topics / HISTORY_NAME

    @property
    def lock_path(self) -> Path:
        return self.home.topics / LOCK_NAME

    def reload(self) -> "Registry":
        """Read the history again (another process may have changed it)."""
        self._load()
        return self

    # -------------------------------------------------------------------- reads

    def programmes(self) -> dict[str, Programme]:
        return dict(self._programmes)

    def current(self, include_retired: bool = False) -> list[TopicVersion]:
        """The latest version of every topic (retired ones only if asked), sorted by topic id."""
        latest: dict[str, TopicVersion] = {}
        for v in self._versions:
            latest[v.topic_id] = v
        return [v for _, v in sorted(latest.items()) if include_retired or v.active]

    def topic(self, topic_id: str) -> TopicVersion:
        """The latest version of one topic (retired or not)."""
        found = [v for v in self._versions if v.topic_id == topic_id]
        if not found:
            raise self._unknown(topic_id)
        return found[-1]

    def history(self, topic_id: str | None = None) -> list[TopicVersion]:
        """Every version in the order recorded; only one topic's if ``topic_id`` is given."""
        if topic_id is None:
            return list(self._versions)
        found = [v for v in self._versions if v.topic_id == topic_id]
        if not found:
            raise self._unknown(topic_id)
        return found

    # ------------------------------------------------------------------ changes

    def set(self, topic_id: str, *, by: str, query: str | None = None, label: str | None = None,
            use_model: bool | None = None, programme: str | None = None, note: str = "") -> TopicVersion:
        """Record a new version of ``topic_id`` (a new topic at version 1 if unknown).

        Unchanged fields keep their current value; a retired topic comes back active.  Refused,
        with nothing written: :class:`PermissionDenied` if ``by`` is not a focal point of the
        topic's programme (and, for a move, of the new one), :class:`QueryError` for a malformed
        query, :class:`InvalidChange` for a bad id or programme, a new topic without programme or
        query, or nothing changed."""
        if not isinstance(by, str) or not by.strip():
            raise IdentityError("a change needs the identity of who makes it (by=...)")
        if programme is not None and programme not in self._programmes:
            raise InvalidChange(f"unknown programme {programme!r} "
                                f"(programmes: {', '.join(self._programmes)})")
        if label is not None and not label.strip():
            raise InvalidChange("the label cannot be empty")
        with self._locked():
            snap = self._load()
            previous = self._latest(topic_id)
            if previous is None:
                if not _ID.match(topic_id):
                    raise InvalidChange(f"topic id {topic_id!r} must match {ID_PATTERN} "
                                        f"(lower-case letter, then lower-case letters, digits, _)")
                if programme is None:
                    raise InvalidChange(f"{topic_id!r} is a new topic: give its programme "
                                        f"(one of {', '.join(self._programmes)})")
                if query is None:
                    raise InvalidChange(f"{topic_id!r} is a new topic: give its query")
                author = self._require_focal_point(by, programme, topic_id)
            else:
                author = self._require_focal_point(by, previous.programme_id, topic_id)
                if programme is not None and programme != previous.programme_id:
                    self._require_focal_point(by, programme, topic_id, moving=True)
            if query is not None:
                parse(query)  # QueryError; positions refer to the text as given
            if previous is None:
                base = TopicVersion(topic_id=topic_id, version=0, programme_id=str(programme),
                                    label=topic_id, query="", use_model=False, active=True,
                                    changed_by="", changed_at="")
            else:
                base = previous
            new = TopicVersion(
                topic_id=topic_id,
                version=base.version + 1,
                programme_id=programme if programme is not None else base.programme_id,
                label=label.strip() if label is not None else base.label,
                query=query.strip() if query is not None else base.query,
                use_model=use_model if use_model is not None else base.use_model,
                active=True,
                changed_by=author,
                changed_at=_now(),
                note=(note or "").strip(),
            )
            if previous is not None and new.definition() == previous.definition():
                raise InvalidChange(f"nothing changed: {topic_id} version {previous.version} "
                                    f"already has this definition")
            self._append(snap, [new])
        return new

    def retire(self, topic_id: str, *, by: str, note: str = "") -> TopicVersion:
        """Record a version with ``active = False``; the topic leaves :meth:`current`."""
        if not isinstance(by, str) or not by.strip():
            raise IdentityError("a change needs the identity of who makes it (by=...)")
        with self._locked():
            snap = self._load()
            previous = self._latest(topic_id)
            if previous is None:
                raise self._unknown(topic_id)
            author = self._require_focal_point(by, previous.programme_id, topic_id)
            if not previous.active:
                raise InvalidChange(f"nothing changed: {topic_id} is already retired "
                                    f"(version {previous.version})")
            new = TopicVersion(
                topic_id=topic_id, version=previous.version + 1, programme_id=previous.programme_id,
                label=previous.label, query=previous.query, use_model=previous.use_model,
                active=False, changed_by=author, changed_at=_now(), note=(note or "").strip())
            self._append(snap, [new])
        return new

    # ------------------------------------------------------------------- export

    def export(self, folder: Path) -> list[Path]:
        """Write ``topic_versions.parquet`` and ``programmes.parquet`` into ``folder``, atomically.

        topic_versions: every version plus ``is_current`` (it is its topic's latest version; a
        retired topic's latest version is current with ``active`` false).  ``changed_at`` is a
        timestamp in UTC without a zone, like every time in the warehouse."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        latest = {v.topic_id: v.version for v in self.current(include_retired=True)}
        versions_schema = pa.schema([
            ("topic_id", pa.string()), ("version", pa.int64()), ("programme_id", pa.string()),
            ("label", pa.string()), ("query", pa.string()), ("use_model", pa.bool_()),
            ("active", pa.bool_()), ("changed_by", pa.string()), ("changed_at", pa.timestamp("us")),
            ("note", pa.string()), ("is_current", pa.bool_()),
        ])
        rows = [{**v.to_record(),
                 "changed_at": v.changed_at_datetime.replace(tzinfo=None),
                 "is_current": latest[v.topic_id] == v.version} for v in self._versions]
        programmes_schema = pa.schema([
            ("programme_id", pa.string()), ("label", pa.string()),
            ("focal_points", pa.list_(pa.string())), ("recipients", pa.list_(pa.string())),
        ])
        prows = [{"programme_id": p.programme_id, "label": p.label, "focal_points": list(p.focal_points),
                  "recipients": list(p.recipients)} for p in self._programmes.values()]
        written = []
        for name, table in (("topic_versions.parquet", pa.Table.from_pylist(rows, schema=versions_schema)),
                            ("programmes.parquet", pa.Table.from_pylist(prows, schema=programmes_schema))):
            dest = folder / name
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            try:
                pq.write_table(table, tmp)
                os.replace(tmp, dest)
            finally:
                tmp.unlink(missing_ok=True)
            written.append(dest)
        return written

    # ---------------------------------------------------------------- internals

    def _unknown(self, topic_id: str) -> UnknownTopic:
        known = sorted({v.topic_id for v in self._versions})
        return UnknownTopic(f"unknown topic {topic_id!r} (topics: {', '.join(known) or 'none'})")

    def _latest(self, topic_id: str) -> TopicVersion | None:
        found = [v for v in self._versions if v.topic_id == topic_id]
        return found[-1] if found else None

    def _require_focal_point(self, by: str, programme_id: str, topic_id: str, moving: bool = False) -> str:
        prog = self._programmes.get(programme_id)
        if prog is None:
            raise PermissionDenied(f"{topic_id} belongs to programme {programme_id!r}, which is no "
                                   f"longer in {self.config}; add it back to change the topic")
        author = prog.focal_point(by)
        if author is None:
            role = f"where {topic_id} would move" if moving else f"which owns {topic_id}"
            raise PermissionDenied(f"{by.strip()} is not a focal point of programme {programme_id} "
                                   f"({prog.label}), {role}; its focal points are "
                                   f"{', '.join(prog.focal_points)}")
        return author

    def _load(self) -> _Snapshot:
        snap = _read_history(self.history_path)
        self._versions = list(snap.versions)
        return snap

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.home.topics.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _append(self, snap: _Snapshot, versions: list[TopicVersion]) -> None:
        """Append lines (under the lock, after checking against ``snap``), each flushed and fsynced."""
        path = self.history_path
        created = not path.exists()
        if snap.tail == "torn":  # cut the interrupted write so the next line starts clean
            os.truncate(path, snap.complete_bytes)
        with open(path, "ab") as f:
            if snap.tail == "unterminated":
                f.write(b"\n")
            for v in versions:
                f.write(json.dumps(v.to_record(), ensure_ascii=False).encode("utf-8") + b"\n")
                f.flush()
                os.fsync(f.fileno())
        if created:
            _fsync_dir(path.parent)
        self._versions = list(snap.versions) + list(versions)
