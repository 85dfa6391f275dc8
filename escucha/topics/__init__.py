"""Topic definitions: the boolean query language analysts use to describe a topic."""
from escucha.topics.query import (
    And,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    QueryError,
    Term,
    compile_sql,
    matches,
    normalize,
    parse,
)

__all__ = [
    "And",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QueryError",
    "Term",
    "compile_sql",
    "matches",
    "normalize",
    "parse",
]
