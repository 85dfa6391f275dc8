"""The notification ledger: what was sent, on which channel and when (a small SQLite file).

One row per alert per attempt on a channel (``email:<programme_id>`` or ``webhook``) with a
status: ``sent``, ``failed`` (retried next dispatch) or ``suppressed`` (held back by a sending
limit; retried next dispatch). Rows that went out in the same email share a ``send_id``, so
the rate limit counts messages, not alerts. WAL mode and a busy timeout let two processes
(the scheduler and a manual run) use the file at the same time.
"""
from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
STATUSES = ("sent", "failed", "suppressed")
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
create table if not exists notifications (
    id integer primary key autoincrement,
    alert_id text not null,
    severity text not null,
    channel text not null,
    sent_at text not null,
    status text not null check (status in ('sent', 'failed', 'suppressed')),
    detail text not null default '',
    send_id text
);
create index if not exists notifications_alert on notifications (alert_id, channel, status);
create index if not exists notifications_channel on notifications (channel, status, sent_at);
"""


def severity_rank(severity: str) -> int:
    """0 for low .. 3 for critical; a clear error for anything else."""
    try:
        return SEVERITY_RANK[severity]
    except KeyError:
        raise ValueError(f"unknown severity {severity!r}; choose one of {', '.join(SEVERITIES)}") from None


def utc_naive(moment: datetime) -> datetime:
    """A datetime as naive UTC (aware values are converted, naive ones are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _stamp(moment: datetime) -> str:
    # fixed width, so text order is time order in SQL comparisons
    return utc_naive(moment).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class LedgerEntry:
    """One row to record."""

    alert_id: str
    severity: str
    channel: str
    status: str
    sent_at: datetime
    detail: str = ""
    send_id: str | None = None


def new_send_id() -> str:
    """An id shared by the rows of one message (one email, one webhook POST)."""
    return uuid.uuid4().hex


class NotificationLedger:
    """What was notified, backed by an SQLite file at ``path`` (parent folders are created)."""

    def __init__(self, path: str | Path, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.execute("pragma journal_mode=wal")
            with con:
                con.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"NotificationLedger({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=self.busy_timeout)
        con.execute(f"pragma busy_timeout = {int(self.busy_timeout * 1000)}")
        con.row_factory = sqlite3.Row
        return con

    def already_sent(self, alert_id: str, severity: str, channel: str) -> bool:
        """True when ``channel`` already carried this alert at ``severity`` or higher: an alert
        goes out again on a channel only when its severity rose above every one sent there."""
        rank = severity_rank(severity)
        with closing(self._connect()) as con:
            rows = con.execute(
                "select distinct severity from notifications "
                "where alert_id = ? and channel = ? and status = 'sent'",
                (alert_id, channel),
            ).fetchall()
        return any(SEVERITY_RANK.get(row["severity"], -1) >= rank for row in rows)

    def record(self, alert_id: str, severity: str, channel: str, status: str, sent_at: datetime,
               detail: str = "", send_id: str | None = None) -> None:
        """Record one attempt (see `record_batch` to record a message's rows together)."""
        self.record_batch([LedgerEntry(alert_id, severity, channel, status, sent_at, detail, send_id)])

    def record_batch(self, entries: Iterable[LedgerEntry]) -> None:
        """Record several rows in one transaction (all or none)."""
        rows = []
        for e in entries:
            severity_rank(e.severity)
            if e.status not in STATUSES:
                raise ValueError(f"unknown status {e.status!r}; choose one of {', '.join(STATUSES)}")
            rows.append((e.alert_id, e.severity, e.channel, _stamp(e.sent_at), e.status,
                         e.detail, e.send_id))
        if not rows:
            return
        with closing(self._connect()) as con, con:
            con.executemany(
                "insert into notifications (alert_id, severity, channel, sent_at, status, detail, send_id) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def sent_since(self, channel: str, since: datetime) -> int:
        """Messages (not alerts) sent on ``channel`` strictly after ``since``."""
        with closing(self._connect()) as con:
            (count,) = con.execute(
                "select count(distinct coalesce(send_id, 'row:' || id)) from notifications "
                "where channel = ? and status = 'sent' and sent_at > ?",
                (channel, _stamp(since)),
            ).fetchone()
        return int(count)

    def history(self) -> list[dict[str, Any]]:
        """Every row, oldest first, as plain dicts (``sent_at`` as naive UTC datetimes)."""
        with closing(self._connect()) as con:
            rows = con.execute(
                "select alert_id, severity, channel, sent_at, status, detail, send_id "
                "from notifications order by id"
            ).fetchall()
        out = []
        for row in rows:
            item = dict(row)
            item["sent_at"] = datetime.fromisoformat(item["sent_at"])
            out.append(item)
        return out
