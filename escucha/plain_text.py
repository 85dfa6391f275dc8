"""Text from posts and accounts made safe for plain output: one line of an email (header or body), a
chart label, a terminal. HTML needs none of this: the templates' autoescape shows it as text."""
from __future__ import annotations

import unicodedata

# Bidirectional marks, embeddings, overrides and isolates. Plain text cannot isolate one field's
# direction from the next (there is no <bdi>), so an unbalanced right-to-left override in a label or
# a post would reverse the text after it.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
DROP_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))
# C0 and C1 controls (CR, LF, escape ...), line and paragraph separators.
LINE_BREAKING = ("Cc", "Zl", "Zp")


def one_line(value: object) -> str:
    """Bidirectional controls dropped, control characters and line breaks made spaces, runs of
    whitespace one space: nothing can start a new header line or reverse the text after it."""
    cleaned = "".join(" " if unicodedata.category(c) in LINE_BREAKING else c
                      for c in str(value).translate(DROP_BIDI))
    return " ".join(cleaned.split())


def escaped_controls(value: object) -> str:
    """None as empty; control characters and bidirectional controls shown as escapes (``\\n``,
    ``\\x1b``, ``\\u202e``), so data can neither break a table's lines nor drive a terminal."""
    text = "" if value is None else str(value)
    return "".join(c.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(c) in LINE_BREAKING or c in BIDI_CONTROLS else c for c in text)
