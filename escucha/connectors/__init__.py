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


# How compressed and archive files start; such files are refused, not unpacked.
ARCHIVE_MAGIC = {b"PK\x03\x04": "zip", b"PK\x05\x06": "zip", b"\x1f\x8b": "gzip", b"BZh": "bzip2",
                 b"\xfd7zXZ\x00": "xz", b"7z\xbc\xaf\x27\x1c": "7z", b"Rar!\x1a\x07": "rar",
                 b"\x28\xb5\x2f\xfd": "zstd"}


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(65536)


def check_plain_file(path: Path) -> None:
    """RejectedFile when a file cannot be an export whatever its format: empty, or an archive."""
    head = _head(path)
    if not head.strip():
        raise RejectedFile(path, "file is empty")
    kind = next((k for magic, k in ARCHIVE_MAGIC.items() if head.startswith(magic)), None)
    if kind is None and head[257:262] == b"ustar":
        kind = "tar"
    if kind is not None:
        raise RejectedFile(path, f"archives are not accepted: this is a {kind} file; unpack it and drop "
                           "the files it holds")


def detect_format(path: Path) -> str:
    """Guess a file's format from its first bytes; RejectedFile when no connector knows it."""
    check_plain_file(path)
    head = _head(path)
    codec = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"  # UTF-16 CSV exports
    text = head.decode(codec, errors="replace").lstrip("\ufeff").lstrip()
    first_line = text.splitlines()[0] if text else ""
    for connector in CONNECTORS:
        if connector.sniff(first_line, text):
            return connector.format
    for delim in (";", "\t", "|"):  # a CSV export saved with another delimiter (a spreadsheet's locale)
        as_commas = first_line.replace(delim, ",")
        known = [c.format for c in CONNECTORS
                 if delim in text and c.sniff(as_commas, text.replace(delim, ","))]
        if known:
            raise RejectedFile(path, f"looks like a {known[0]} export, but its cells are separated by "
                               f"{delim!r}, not ','; export it again comma-separated")
    raise RejectedFile(path, "format not recognised (known: "
                       + ", ".join(c.format for c in CONNECTORS) + "); pass --format")


__all__ = ["BY_FORMAT", "CONNECTORS", "Connector", "GateColumns", "ParsedFile", "RejectedFile",
           "SourceFile", "check_plain_file", "detect_format", "lake_entities", "posts_entities"]
