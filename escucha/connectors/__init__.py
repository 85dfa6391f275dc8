"""Connectors: one module per export format, each parsing a file with DuckDB into its network's shape."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from escucha.calendar import Calendar
from escucha.connectors import crowdtangle, twarc2
from escucha.connectors.base import ParsedFile, RejectedFile, SourceFile

Parser = Callable[[duckdb.DuckDBPyConnection, SourceFile, Calendar], ParsedFile]

PARSERS: dict[str, Parser] = {
    twarc2.FORMAT: twarc2.parse,
    crowdtangle.FORMAT: crowdtangle.parse,
}

# Lake entities each format can fill: "<network>/<entity>".
ENTITIES: dict[str, list[str]] = {
    twarc2.FORMAT: ["x/posts", "x/users"],
    crowdtangle.FORMAT: ["facebook/posts", "instagram/posts"],
}


def detect_format(path: Path) -> str:
    """Guess a file's format from its first bytes; RejectedFile when no connector knows it."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    first_line = text.splitlines()[0] if text else ""
    if not text:
        raise RejectedFile(path, "file is empty")
    if first_line.startswith("{") and ('"data"' in head.decode("utf-8", "replace") or '"meta"' in first_line):
        return twarc2.FORMAT
    if ("Post Created" in first_line and "URL" in first_line) or first_line.startswith('"Page Name"'):
        return crowdtangle.FORMAT
    raise RejectedFile(path, "format not recognised (expected twarc2 NDJSON or a CrowdTangle CSV); "
                             "pass --format")


__all__ = ["PARSERS", "ENTITIES", "detect_format", "ParsedFile", "RejectedFile", "SourceFile"]
