"""Connectors: one module per export format, each parsing a file with DuckDB into its network's shape.

Every connector module defines `CONNECTOR`, a `Connector`; adding a format is adding its module to
`CONNECTORS` below (plus its dbt staging models).
"""
from __future__ import annotations

from pathlib import Path

from escucha.connectors import crowdtangle, reddit, tiktok, twarc2, youtube
from escucha.connectors.base import Connector, GateColumns, ParsedFile, RejectedFile, SourceFile
from escucha.connectors import brandwatch, mapping, meta_content_library, twarc_csv

CONNECTORS: list[Connector] = [
    # API JSON formats whose sniffing is more specific than twarc2's (which accepts any "data")
    tiktok.CONNECTOR,
    youtube.CONNECTOR,
    reddit.CONNECTOR,
    twarc2.CONNECTOR,
    crowdtangle.CONNECTOR,
    # CSV exports recognised by their header (the vendor one may have report lines before it)
    twarc_csv.CONNECTOR,
    meta_content_library.CONNECTOR,
    brandwatch.CONNECTOR,
    # never sniffs: chosen by --mapping
    mapping.CONNECTOR,
]

BY_FORMAT: dict[str, Connector] = {c.format: c for c in CONNECTORS}


def lake_entities() -> list[str]:
    """Every "<network>/<entity>" folder of the lake."""
    return sorted({e for c in CONNECTORS for e in c.entities})


def posts_entities() -> dict[str, GateColumns]:
    """Lake entities holding posts, with the SQL the gate reads them through."""
    return {e: g for c in CONNECTORS for e, g in c.entities.items() if g is not None}


def detect_format(path: Path) -> str:
    """Guess a file's format from its first bytes; RejectedFile when no connector knows it."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        raise RejectedFile(path, "file is empty")
    codec = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"  # UTF-16 CSV exports
    text = head.decode(codec, errors="replace").lstrip("\ufeff").lstrip()
    first_line = text.splitlines()[0] if text else ""
    for connector in CONNECTORS:
        if connector.sniff(first_line, text):
            return connector.format
    raise RejectedFile(path, "format not recognised (known: "
                       + ", ".join(c.format for c in CONNECTORS) + "); pass --format")


__all__ = ["BY_FORMAT", "CONNECTORS", "Connector", "GateColumns", "ParsedFile", "RejectedFile",
           "SourceFile", "detect_format", "lake_entities", "posts_entities"]
