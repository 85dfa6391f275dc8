"""The reports in a real headless browser (Debian's chromium through playwright).

Every page in <home>/reports/ after a pipeline run (whatever its name: new reports are picked up
automatically; digest previews and the evolution report are written there too once their commands
exist) must load without console errors, page errors, dialogs or any request (every request but the
page itself and data: URLs is recorded and aborted), and have a title and visible text; links
between pages must resolve. A page rendered from hostile post text and handles must show that
text literally and run none of it.

Screenshots go under pytest's tmp dir, and also to $ESCUCHA_SCREENSHOTS when it names a folder.
"""
from __future__ import annotations

import os
import shutil
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest

import tests.test_reports as small_warehouse
from reports.render import render_overview
from tests.browser import PageReport, open_page, require_chromium
from tests.conftest import DEMO_START, copy_home

START = DEMO_START  # the session's demo window: four days, the oil spill among them

LINKS = "Array.from(document.querySelectorAll('a[href]'), a => a.href)"

# Each one, if it ran, would set window.pwned and/or open a dialog.
HOSTILE_TEXTS = [
    "<script>window.pwned=1;alert(1)</script>",
    '<img src=x onerror="window.pwned=1;alert(1)">',
    "<svg/onload=window.pwned=1;alert(1)>",
    '"><script>window.pwned=1;alert(1)</script>',
    "'><iframe srcdoc=\"<script>parent.pwned=1;alert(1)</script>\"></iframe>",
    "</td></tr></table><script>window.pwned=1;alert(1)</script>",
    "{{ 7*7 }} <a href=\"javascript:window.pwned=1\">x</a>",
]
HOSTILE_HANDLE = "<script>window.pwned=1;alert(1)</script>"
HOSTILE_DISPLAY_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_TOPIC_LABEL = "<b onmouseover=alert(1)>Agua</b><script>window.pwned=1</script>"


def keep_screenshot(shot: Path) -> None:
    """Copy a screenshot to $ESCUCHA_SCREENSHOTS when it is set."""
    target = os.environ.get("ESCUCHA_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / shot.name)


def problems(report: PageReport) -> list[str]:
    """What is wrong with a loaded page, as readable lines (empty: nothing)."""
    found = [f"console {kind}: {text}" for kind, text in report.console_of("error")]
    found += [f"page error: {e}" for e in report.page_errors]
    found += [f"request: {url}" for url in report.requests]
    found += [f"dialog {kind}: {message}" for kind, message in report.dialogs]
    if not report.title.strip():
        found.append("empty <title>")
    return found


# --------------------------------------------------------------------------- the pipeline's pages


def has_subcommand(*path: str) -> bool:
    """Whether `escucha` has this subcommand (features other engineers are adding land here)."""
    import argparse

    from escucha.cli import build_parser

    parser = build_parser()
    for word in path:
        sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None or word not in sub.choices:
            return False
        parser = sub.choices[word]
    return True


@pytest.fixture(scope="module")
def built_reports(demo_template, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the session's demo home (built by the pipeline over four generated days), plus the
    pages the CLI writes to its reports folder (digest previews of every programme, the evolution
    report) once those commands exist. Yields the folder and the names of the pages the pipeline
    itself wrote."""
    require_chromium()  # skip (or fail) at once without a browser
    from escucha.cli import main
    from escucha.topics.registry import config_path, load_config

    template, outcome = demo_template
    assert outcome.success, f"pipeline failed: {outcome.steps}"
    mp = pytest.MonkeyPatch()
    home = copy_home(template, tmp_path_factory.mktemp("browser_home") / "home")
    mp.setenv("ESCUCHA_HOME", str(home.root))
    try:
        from_pipeline = {p.name for p in home.reports.glob("*.html")}
        programmes = sorted(load_config(config_path())[0])
        if has_subcommand("digest", "preview"):
            for programme in programmes:
                argv = ["digest", "preview", "--programme", programme, "--week-of", START.isoformat()]
                assert main(argv) == 0, f"escucha {' '.join(argv)} failed"
        if has_subcommand("report", "evolution"):
            argv = ["report", "evolution", "--programme", "ambiente", "--period", "2022-Q1"]
            assert main(argv) == 0, f"escucha {' '.join(argv)} failed"
        yield home.reports, from_pipeline
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def reports_dir(built_reports) -> Path:
    return built_reports[0]


def test_every_report_page_loads_cleanly_offline(reports_dir: Path, tmp_path: Path) -> None:
    pages = sorted(p for p in reports_dir.glob("*.html") if p.is_file())
    names = [p.name for p in pages]
    assert {"overview.html", "index.html"} <= set(names), names
    failures: dict[str, list[str]] = {}
    for page in pages:
        shot = tmp_path / "screenshots" / f"{page.stem}.png"
        report = open_page(page, shot, evaluate=[LINKS])
        keep_screenshot(shot)
        found = problems(report)
        if not report.text.strip():
            found.append("no visible text")
        for href in report.evaluated[LINKS]:  # links to sibling pages must resolve
            parsed = urllib.parse.urlsplit(href)
            if parsed.scheme == "file":
                target = Path(urllib.parse.unquote(parsed.path))
                if not target.is_file():
                    found.append(f"broken link: {href}")
        assert shot.is_file() and shot.stat().st_size > 0
        if found:
            failures[page.name] = found
    assert not failures, "pages with problems:\n" + "\n".join(
        f"  {name}:\n" + "\n".join(f"    {line}" for line in lines) for name, lines in failures.items())


def test_index_lists_every_report_of_the_run(built_reports, tmp_path: Path) -> None:
    reports_dir, from_pipeline = built_reports
    report = open_page(reports_dir / "index.html", tmp_path / "index.png", evaluate=[LINKS])
    linked = {Path(urllib.parse.unquote(urllib.parse.urlsplit(h).path)).name
              for h in report.evaluated[LINKS] if h.startswith("file:")}
    others = from_pipeline - {"index.html"}
    assert others <= linked, f"not linked from index.html: {sorted(others - linked)}"


# --------------------------------------------------------------------------- hostile text


def _hostile_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """tests/test_reports.py's posts, with the most engaged posts and their authors made hostile."""
    posts, authors, links = _original_frames()
    x_posts = posts.index[posts["network"] == "x"][: len(HOSTILE_TEXTS)]
    for rank, (row, text) in enumerate(zip(x_posts, HOSTILE_TEXTS)):
        posts.loc[row, "text"] = text
        posts.loc[row, "author_key"] = "x:1"
        posts.loc[row, "likes"] = 50_000 - rank  # the top posts of the page
        posts.loc[row, "engagement"] = posts.loc[row, ["likes", "shares", "comments"]].sum()
    is_x1 = authors["author_key"] == "x:1"
    authors.loc[is_x1, "handle"] = HOSTILE_HANDLE
    authors.loc[is_x1, "display_name"] = HOSTILE_DISPLAY_NAME
    return posts, authors, links


_original_frames = small_warehouse._posts_frame


def test_hostile_post_text_is_shown_and_never_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    require_chromium()
    monkeypatch.setattr(small_warehouse, "_posts_frame", _hostile_frames)
    topics = [(t, HOSTILE_TOPIC_LABEL if t == "agua" else label, p, pl)
              for t, label, p, pl in small_warehouse.TOPICS]
    monkeypatch.setattr(small_warehouse, "TOPICS", topics)
    warehouse = small_warehouse.build_warehouse(tmp_path / "warehouse.duckdb")
    page = render_overview(warehouse, tmp_path / "reports")

    shot = tmp_path / "screenshots" / "overview_hostile.png"
    report = open_page(page, shot, evaluate=["window.pwned", "document.scripts.length",
                                             "document.querySelectorAll('img, iframe, svg a').length"])
    keep_screenshot(shot)
    assert report.dialogs == []
    assert report.evaluated["window.pwned"] is None
    assert report.evaluated["document.scripts.length"] == 0
    assert report.evaluated["document.querySelectorAll('img, iframe, svg a').length"] == 0
    assert problems(report) == []
    for text in HOSTILE_TEXTS:  # shown literally, as text
        assert text in report.text, text
    assert "@" + HOSTILE_HANDLE in report.text
    assert HOSTILE_DISPLAY_NAME in report.text
