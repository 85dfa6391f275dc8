"""The user guides' examples work: every ```bash guide``` block of docs/guide_*.md is run.

Each command of such a block (one `escucha ...` command per logical line, a quoted argument may go
on over several lines, `# comments` are ignored, `NAME=value` assignments before `escucha` are set
in the environment) runs through `escucha.cli.main`, in the guide's order, against one data home
built once per module exactly as the guides' practice home is (`escucha demo` over four days around
the oil spill). Every command must exit 0; some must also print something specific (EXPECT).

Commands of features still being built (PENDING) are skipped, with the reason, only while their
subcommand is missing from `escucha --help`; as soon as it lands they run like the others.
Commands that send mail go to a local SMTP server (tests/mailserver.py).
"""
from __future__ import annotations

import argparse
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from escucha.cli import build_parser, main
from escucha.home import DataHome
from tests.conftest import DEMO_END, DEMO_POSTS_PER_DAY, DEMO_SEED, DEMO_START, copy_home
from tests.mailserver import local_smtp

DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDES = ["guide_analysts.md", "guide_focal_points.md", "guide_engineers.md"]
INFO_STRING = "bash guide"
# The practice home every guide tells its reader to build; the fixture builds the same one.
PRACTICE = "escucha demo --from 2022-01-14 --to 2022-01-17 --posts-per-day 120 --seed 11"

# Subcommands documented before they exist: skipped (with this reason) only while missing.
PENDING = {
    ("digest", "preview"): "`escucha digest preview` (the weekly digest) is not built yet",
    ("digest", "send"): "`escucha digest send` (the weekly digest) is not built yet",
    ("report", "evolution"): "`escucha report evolution` (the evolution report) is not built yet",
}

# (guide, a piece of the command line) -> regex its stdout must match. Each must match a command.
EXPECT = {
    ("guide_analysts.md", "where topic_id = 'derrame_petroleo' group by day"): r"2022-01-15 \| [1-9]",
    ("guide_analysts.md", "from marts.dim_topics"): r"derrame_petroleo *\| ambiente",
    ("guide_analysts.md", "query --csv"): r"^post_key,created_at,network,sentiment,text\r?\n",
    ("guide_analysts.md", "escucha inquire '(derrame OR crudo)"): r"^[1-9]\d* posts by [1-9]\d* accounts",
    ("guide_analysts.md", "--json"): r'"query": "repsol AND',
    ("guide_analysts.md", "from marts.fct_topic_demographics"): r"\| True ",  # withheld cells
    ("guide_analysts.md", "from marts.fct_author_influence"): r"\n1 +\| ",
    ("guide_focal_points.md", "topics list --programme ambiente"): r"derrame_petroleo *\| ambiente",
    ("guide_focal_points.md", "topics validate"): r"^ok: ",
    ("guide_focal_points.md", "topics set derrame_petroleo"):
        r"derrame_petroleo: version 2 recorded .* by ana\.torres@example\.org",
    ("guide_focal_points.md", "topics history derrame_petroleo"): r"\n2 +\| .*ana\.torres@example\.org",
    ("guide_focal_points.md", "--save-as derrame_pesca"): r"derrame_pesca: version 1 recorded",
    ("guide_focal_points.md", "label suggest"): r"label them with: escucha label add derrame_petroleo",
    ("guide_focal_points.md", "--relevant"): r"^2 labels recorded for derrame_petroleo \(relevant\)",
    ("guide_focal_points.md", "--not-relevant"): r"^1 label recorded for derrame_petroleo \(not relevant\)",
    ("guide_focal_points.md", "alerts list --hours 48"): r"detected_at \(UTC\)",
    ("guide_focal_points.md", "digest preview"): r"digest_ambiente\.html",
    ("guide_focal_points.md", "report evolution"): r"evolution-ambiente-2022-Q1\.html",
    ("guide_engineers.md", "escucha ingest"): r"already archived \(same checksum\), nothing new",
    ("guide_engineers.md", "escucha run --from"): r"run \S+ succeeded",
    ("guide_engineers.md", "from internal.raw_files"): r"x_search_2022-01\.jsonl",
    ("guide_engineers.md", "alerts send"): r"emails sent: \d+",
}


@dataclass(frozen=True)
class Command:
    guide: str
    number: int  # position in the guide, from 1
    line: str  # as written (continuation lines joined with newlines)
    env: tuple[tuple[str, str], ...]
    argv: tuple[str, ...]  # after `escucha`

    @property
    def id(self) -> str:
        words = re.sub(r"[^A-Za-z0-9_.-]+", "_", " ".join(self.argv[:2]))[:32].strip("_")
        return f"{self.guide.removesuffix('.md')}-{self.number:02d}-{words}"


_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.S | re.M)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def guide_blocks(text: str) -> list[str]:
    """The bodies of the ```bash guide``` blocks, in order."""
    return [body for info, body in _FENCE.findall(text) if info.strip() == INFO_STRING]


def block_commands(guide: str, block: str, start: int = 1) -> list[Command]:
    """Split a block into commands: lines are joined while a quote is open or a line ends in `\\`."""
    commands: list[Command] = []
    pending = ""
    for raw in block.splitlines():
        if not pending and not raw.strip():
            continue
        pending = f"{pending}\n{raw}" if pending else raw
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # an unclosed quote: the argument goes on
            continue
        line, pending = pending, ""
        if not words:
            continue
        env = []
        while words and _ASSIGNMENT.match(words[0]):
            name, _, value = words.pop(0).partition("=")
            env.append((name, value))
        assert words and words[0] == "escucha", f"{guide}: a guide command must be `escucha ...`: {line!r}"
        commands.append(Command(guide, start + len(commands), line, tuple(env), tuple(words[1:])))
    assert not pending, f"{guide}: unterminated command in a `{INFO_STRING}` block: {pending!r}"
    return commands


def guide_commands(guide: str) -> list[Command]:
    commands: list[Command] = []
    for block in guide_blocks((DOCS / guide).read_text(encoding="utf-8")):
        commands += block_commands(guide, block, start=len(commands) + 1)
    return commands


ALL_COMMANDS = [c for g in GUIDES for c in guide_commands(g)]


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def missing_subcommand(argv: tuple[str, ...]) -> tuple[str, ...] | None:
    """The command path (e.g. ("digest", "preview")) when `escucha` has no such subcommand yet."""
    parser, path = build_parser(), []
    for word in argv:
        if word.startswith("-"):
            break
        sub = _subparsers(parser)
        if sub is None:
            return None
        path.append(word)
        if word not in sub.choices:
            return tuple(path)
        parser = sub.choices[word]
    return None


def expand(word: str, home: DataHome) -> str:
    """`$ESCUCHA_HOME` as the shell would expand it (the only variable the guides use)."""
    return word.replace("${ESCUCHA_HOME}", str(home.root)).replace("$ESCUCHA_HOME", str(home.root))


# --------------------------------------------------------------------------- the guides themselves


def test_guides_are_linked_from_the_readme_and_have_runnable_examples() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for guide in GUIDES:
        text = (DOCS / guide).read_text(encoding="utf-8")
        assert f"(docs/{guide})" in readme, f"README.md does not link docs/{guide}"
        assert len(guide_commands(guide)) >= 5, f"{guide}: too few `{INFO_STRING}` examples"
        assert PRACTICE in text, f"{guide} must tell how to build the practice home the test uses"
        assert len(text.splitlines()) < 160, f"{guide} is meant to be short"


def test_every_expectation_and_pending_feature_is_in_a_guide() -> None:
    for guide, piece in EXPECT:
        assert any(c.guide == guide and piece in c.line for c in ALL_COMMANDS), \
            f"EXPECT names a command no longer in {guide}: {piece!r}"
    for path in PENDING:  # documented now, whether built yet or not
        assert any(c.argv[: len(path)] == path for c in ALL_COMMANDS), f"no guide shows escucha {' '.join(path)}"


def test_block_parsing() -> None:
    block = ("escucha query \"select 1\n  as one\"   # a comment\n\n"
             "ESCUCHA_USER=a@b.org escucha topics set t \\\n  --note 'x y'\n")
    one, two = block_commands("g.md", block)
    assert one.argv == ("query", "select 1\n  as one") and one.env == ()
    assert two.argv == ("topics", "set", "t", "--note", "x y") and two.env == (("ESCUCHA_USER", "a@b.org"),)
    assert missing_subcommand(("query", "select 1")) is None
    assert missing_subcommand(("nosuchcommand", "x")) == ("nosuchcommand",)
    assert missing_subcommand(("topics", "nosuch")) == ("topics", "nosuch")


# --------------------------------------------------------------------------- running them


@pytest.fixture(scope="module")
def practice(demo_template, tmp_path_factory: pytest.TempPathFactory):
    """The practice home the guides tell their reader to build (a copy of the session's demo home,
    built as `escucha demo` with PRACTICE's arguments does: see test_the_practice_home_is_the_session_demo),
    a working folder for relative paths, and a local SMTP server the commands send to."""
    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("guides")
    template, outcome = demo_template
    assert outcome.success, "the practice home could not be built"
    home = copy_home(template, root / "practica")
    work = root / "work"
    work.mkdir()
    try:
        with local_smtp() as (port, inbox):
            mp.setenv("ESCUCHA_HOME", str(home.root))
            for name in ("ESCUCHA_USER", "ESCUCHA_SMTP_USER", "ESCUCHA_SMTP_PASSWORD", "ESCUCHA_ALERT_WEBHOOK"):
                mp.delenv(name, raising=False)
            mp.setenv("ESCUCHA_SMTP_HOST", "127.0.0.1")
            mp.setenv("ESCUCHA_SMTP_PORT", str(port))
            mp.setenv("ESCUCHA_SMTP_SECURITY", "none")
            mp.setenv("ESCUCHA_SMTP_FROM", "escucha@example.org")
            yield home, work, inbox
    finally:
        mp.undo()


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=[c.id for c in ALL_COMMANDS])
def test_guide_command(command: Command, practice, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    home, work, smtp_inbox = practice
    missing = missing_subcommand(command.argv)
    if missing is not None:
        reason = next((why for path, why in PENDING.items() if missing == path[: len(missing)]), None)
        assert reason is not None, f"{command.guide}: `escucha {' '.join(missing)}` is not a command: {command.line}"
        pytest.skip(f"{reason}; {command.guide} documents: {command.line}")

    monkeypatch.chdir(work)  # relative output paths (--out) land in the test's folder
    for name, value in command.env:
        monkeypatch.setenv(name, expand(value, home))
    argv = [expand(w, home) for w in command.argv]
    received_before = len(smtp_inbox.received)
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refusing the arguments
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    assert code == 0, (f"{command.guide}, command {command.number} exited {code}:\n  {command.line}\n"
                       f"--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}")
    for (guide, piece), pattern in EXPECT.items():
        if guide == command.guide and piece in command.line:
            assert re.search(pattern, out, re.M), \
                f"{command.guide}: `{command.line}` printed no match for {pattern!r}:\n{out[-3000:]}"
    if command.argv[:2] == ("digest", "preview"):
        out_file = Path(out.strip().splitlines()[-1])
        out_file = out_file if out_file.is_absolute() else work / out_file
        assert out_file.is_file() and "<html" in out_file.read_text(encoding="utf-8").lower()
    if command.argv[:2] == ("digest", "send"):
        sent = smtp_inbox.received[received_before:]
        assert sent, f"`{command.line}` sent no email"
        assert all(r.mail_from == "escucha@example.org" for r in sent)


def test_the_practice_home_is_the_session_demo() -> None:
    """The guides' `escucha demo` line asks for the same window, volume and seed as the session's
    demo home that the guide commands run against."""
    from escucha.cli import build_parser

    args = build_parser().parse_args(shlex.split(PRACTICE)[1:])
    assert args.command == "demo"
    assert (args.start, args.end, args.posts_per_day, args.seed) == (DEMO_START, DEMO_END, DEMO_POSTS_PER_DAY,
                                                                      DEMO_SEED)
