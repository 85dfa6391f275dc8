"""The jinja2 environment of email templates: an HTML part (autoescaped) and a plain-text part (not
escaped), with undefined names as errors. Shared by the alert emails and the weekly digest."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2


@lru_cache(maxsize=None)
def email_environment(folder: Path) -> jinja2.Environment:
    """Templates under ``folder``; ``.html`` ones are autoescaped, ``.txt`` ones are not."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
