"""The topic registry: programmes own their topics, every version is kept, only focal points change them."""
from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from escucha.cli import main
from escucha.home import DataHome
from escucha.topics.query import QueryError, parse
from escucha.topics.registry import (
    DEFAULT_CONFIG,
    ConfigError,
    HistoryError,
    IdentityError,
    InvalidChange,
    PermissionDenied,
    Registry,
    TornLineWarning,
    UnknownTopic,
    identity,
    load_config,
)

ESCUCHA = Path(sys.executable).with_name("escucha")

CONFIG = """\
programmes:
  gobernabilidad:
    label: Gobernabilidad democrática
    focal_points: [Rosa.Huaman@Example.org, diego@example.org]
    recipients: [rosa.huaman@example.org, gob@example.org]
  empleo:
    label: Empleo
    focal_points: [lucia@example.org]
    recipients: [lucia@example.org]
topics:
  congreso:
    label: Congreso
    programme: gobernabilidad
    query: 'congreso OR "pleno del congreso"'
  informalidad:
    label: Informalidad
    programme: empleo
    query: 'informalidad OR ambulantes'
    use_model: true
"""
CONGRESO_V1 = 'congreso OR "pleno del congreso"'


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "programmes.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("ESCUCHA_PROGRAMMES", str(path))
    monkeypatch.delenv("ESCUCHA_USER", raising=False)
    return path


@pytest.fixture
def reg(home: DataHome, config: Path) -> Registry:
    return Registry.open(home)


def history_bytes(home: DataHome) -> bytes:
    return (home.topics / "history.jsonl").read_bytes()


def history_lines(home: DataHome) -> list[dict]:
    return [json.loads(line) for line in history_bytes(home).decode("utf-8").splitlines()]


def cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def just_now(stamp: str) -> bool:
    assert stamp.endswith("Z") and len(stamp) == len("2022-01-16T09:05:00Z")
    at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return abs(datetime.now(timezone.utc) - at) < timedelta(minutes=5)


# ------------------------------------------------------------------------ seeding


def test_config_topics_are_seeded_as_version_1_by_config(reg: Registry, home: DataHome, config: Path):
    assert home.topics == home.root / "topics" and home.topics.is_dir()
    lines = history_lines(home)
    assert [(r["topic_id"], r["version"], r["changed_by"]) for r in lines] == [
        ("congreso", 1, "config"), ("informalidad", 1, "config")]
    first = lines[0]
    assert set(first) == {"topic_id", "version", "programme_id", "label", "query", "use_model", "active",
                          "changed_by", "changed_at", "note"}
    assert first["programme_id"] == "gobernabilidad" and first["label"] == "Congreso"
    assert first["query"] == CONGRESO_V1 and first["use_model"] is False and first["active"] is True
    assert just_now(first["changed_at"]) and str(config) in first["note"]
    assert lines[1]["use_model"] is True

    current = reg.current()
    assert [(t.topic_id, t.version, t.programme_id) for t in current] == [
        ("congreso", 1, "gobernabilidad"), ("informalidad", 1, "empleo")]
    progs = reg.programmes()
    assert progs["gobernabilidad"].focal_points == ("Rosa.Huaman@Example.org", "diego@example.org")
    assert progs["gobernabilidad"].recipients == ("rosa.huaman@example.org", "gob@example.org")
    assert progs["empleo"].label == "Empleo"

    # Opening again seeds nothing more; editing the YAML afterwards changes nothing: the history rules.
    before = history_bytes(home)
    Registry.open(home)
    assert history_bytes(home) == before
    config.write_text(CONFIG.replace(CONGRESO_V1, "congreso OR vacancia")
                      + "  nuevo:\n    label: Nuevo\n    programme: empleo\n    query: nuevo\n",
                      encoding="utf-8")
    again = Registry.open(home)
    assert again.topic("congreso").query == CONGRESO_V1 and again.topic("congreso").version == 1
    assert again.topic("nuevo").version == 1 and again.topic("nuevo").changed_by == "config"
    assert len(history_lines(home)) == 3


def test_the_repository_config_loads_and_all_its_queries_parse(home: DataHome, monkeypatch):
    monkeypatch.delenv("ESCUCHA_PROGRAMMES", raising=False)
    programmes, topics = load_config(DEFAULT_CONFIG)
    assert topics and programmes
    for tid, spec in topics.items():
        parse(spec["query"])  # raises on a malformed query
        assert spec["programme_id"] in programmes, tid
    for p in programmes.values():
        assert p.focal_points and all("@" in fp for fp in p.focal_points)
    reg = Registry.open(home)
    assert reg.config == DEFAULT_CONFIG.resolve()
    assert {t.topic_id: (t.version, t.changed_by) for t in reg.current()} == {
        tid: (1, "config") for tid in topics}


# -------------------------------------------------------------------- permissions


def test_an_edit_by_someone_who_is_not_a_focal_point_is_refused_and_changes_nothing(
        reg: Registry, home: DataHome, capsys):
    before = history_bytes(home)
    with pytest.raises(PermissionDenied, match="intruso@example.org is not a focal point of programme gobernabilidad"):
        reg.set("congreso", by="intruso@example.org", query="congreso OR vacancia")
    assert history_bytes(home) == before

    code, out, err = cli(capsys, "topics", "set", "congreso", "--query", "congreso OR vacancia",
                         "--as", "intruso@example.org")
    assert code == 3 and out == ""
    assert "permission denied" in err and "rosa.huaman@example.org".lower() in err.lower()
    assert history_bytes(home) == before
    assert Registry.open(home).topic("congreso").query == CONGRESO_V1

    with pytest.raises(PermissionDenied):
        reg.retire("congreso", by="intruso@example.org")
    assert history_bytes(home) == before


def test_a_focal_point_of_another_programme_is_refused(reg: Registry, home: DataHome, capsys):
    before = history_bytes(home)
    with pytest.raises(PermissionDenied, match="lucia@example.org is not a focal point of programme gobernabilidad"):
        reg.set("congreso", by="lucia@example.org", query="congreso OR vacancia")
    # Moving a topic needs a focal point of both programmes.
    with pytest.raises(PermissionDenied, match="where congreso would move"):
        reg.set("congreso", by="rosa.huaman@example.org", programme="empleo")
    with pytest.raises(PermissionDenied, match="which owns congreso"):
        reg.set("congreso", by="lucia@example.org", programme="empleo")
    code, _, err = cli(capsys, "topics", "retire", "congreso", "--as", "lucia@example.org")
    assert code == 3 and "not a focal point" in err
    assert history_bytes(home) == before
    assert reg.topic("congreso").version == 1


def test_accepted_edits_record_who_what_when_and_bump_the_version(
        reg: Registry, home: DataHome, capsys, monkeypatch):
    # Identity from $ESCUCHA_USER, any case and spacing; recorded as the config spells it.
    monkeypatch.setenv("ESCUCHA_USER", "  ROSA.huaman@example.ORG ")
    code, out, err = cli(capsys, "topics", "set", "congreso", "--query", "congreso OR vacancia",
                         "--note", "añadir vacancia")
    assert code == 0, err
    assert "congreso: version 2 recorded" in out and "Rosa.Huaman@Example.org" in out
    assert "whole year on the next pipeline run" in out and "escucha run" in out

    # Identity from --as wins over $ESCUCHA_USER.
    code, out, err = cli(capsys, "topics", "set", "congreso", "--label", "Congreso de la República",
                         "--use-model", "--as", "diego@example.org")
    assert code == 0, err
    assert "version 3" in out

    lines = history_lines(home)
    assert len(lines) == 4
    v2, v3 = lines[2], lines[3]
    assert (v2["topic_id"], v2["version"], v2["changed_by"], v2["query"], v2["note"]) == (
        "congreso", 2, "Rosa.Huaman@Example.org", "congreso OR vacancia", "añadir vacancia")
    assert (v2["label"], v2["use_model"], v2["active"]) == ("Congreso", False, True)
    assert (v3["version"], v3["changed_by"], v3["query"], v3["label"], v3["use_model"]) == (
        3, "diego@example.org", "congreso OR vacancia", "Congreso de la República", True)
    assert just_now(v2["changed_at"]) and just_now(v3["changed_at"])

    reg.reload()
    assert reg.topic("congreso").version == 3
    assert [v.version for v in reg.history("congreso")] == [1, 2, 3]
    assert [v.topic_id for v in reg.history()] == ["congreso", "informalidad", "congreso", "congreso"]

    code, out, _ = cli(capsys, "topics", "history", "congreso")
    assert code == 0
    rows = [[c.strip() for c in line.split("|")] for line in out.splitlines()[2:-1]]
    assert [r[:3] for r in rows] == [["1", lines[0]["changed_at"], "config"],
                                     ["2", v2["changed_at"], "Rosa.Huaman@Example.org"],
                                     ["3", v3["changed_at"], "diego@example.org"]]
    assert rows[1][3] == "query 'congreso OR vacancia'" and rows[1][4] == "añadir vacancia"
    assert "use_model false -> true" in rows[2][3] and "label 'Congreso' -> 'Congreso de la República'" in rows[2][3]

    code, out, _ = cli(capsys, "topics", "show", "congreso")
    assert code == 0
    assert out.splitlines()[0] == "topic:        congreso (version 3, active)"
    assert "query:        congreso OR vacancia" in out and "focal points: Rosa.Huaman@Example.org" in out


def test_a_second_registry_sees_the_first_ones_change_before_writing(reg: Registry, home: DataHome):
    other = Registry.open(home)
    reg.set("congreso", by="diego@example.org", query="congreso OR pleno")
    v = other.set("congreso", by="diego@example.org", query="congreso OR vacancia")
    assert v.version == 3
    assert [r["version"] for r in history_lines(home) if r["topic_id"] == "congreso"] == [1, 2, 3]


def _hammer(home_root: str, worker: int) -> None:
    reg = Registry.open(DataHome(Path(home_root)))
    for i in range(5):
        reg.set("congreso", by="diego@example.org", query=f"congreso OR w{worker}x{i}")


def test_concurrent_writers_never_lose_or_duplicate_a_version(reg: Registry, home: DataHome):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_hammer, args=(str(home.root), w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    versions = [r["version"] for r in history_lines(home) if r["topic_id"] == "congreso"]
    assert versions == list(range(1, 22))
    assert len({r["query"] for r in history_lines(home) if r["topic_id"] == "congreso"}) == 21


def test_creating_a_topic_needs_a_programme_and_a_focal_point_of_it(reg: Registry, home: DataHome, capsys):
    before = history_bytes(home)
    with pytest.raises(InvalidChange, match="new topic: give its programme"):
        reg.set("paro", by="lucia@example.org", query="paro OR huelga")
    with pytest.raises(PermissionDenied):
        reg.set("paro", by="diego@example.org", query="paro OR huelga", programme="empleo")
    with pytest.raises(InvalidChange, match="must match"):
        reg.set("Paro-Nacional", by="lucia@example.org", query="paro", programme="empleo")
    with pytest.raises(InvalidChange, match="unknown programme 'salud'"):
        reg.set("paro", by="lucia@example.org", query="paro", programme="salud")
    assert history_bytes(home) == before

    code, out, err = cli(capsys, "topics", "set", "paro", "--query", "paro OR huelga", "--programme", "empleo",
                         "--label", "Paro", "--as", "LUCIA@example.org")
    assert code == 0, err
    t = Registry.open(home).topic("paro")
    assert (t.version, t.programme_id, t.label, t.query, t.use_model, t.active, t.changed_by) == (
        1, "empleo", "Paro", "paro OR huelga", False, True, "lucia@example.org")


def test_nothing_changed_is_refused_and_writes_nothing(reg: Registry, home: DataHome, capsys):
    before = history_bytes(home)
    with pytest.raises(InvalidChange, match="nothing changed"):
        reg.set("congreso", by="diego@example.org", query=CONGRESO_V1, label="Congreso")
    code, _, err = cli(capsys, "topics", "set", "congreso", "--query", CONGRESO_V1, "--use-rules",
                       "--as", "diego@example.org")
    assert code == 1 and "nothing changed" in err
    assert history_bytes(home) == before


def test_without_an_identity_a_change_is_refused(reg: Registry, home: DataHome, capsys):
    before = history_bytes(home)
    code, _, err = cli(capsys, "topics", "set", "congreso", "--query", "congreso")
    assert code == 2 and "--as" in err and "ESCUCHA_USER" in err
    assert history_bytes(home) == before


def test_identity_comes_from_the_flag_then_the_environment(monkeypatch):
    monkeypatch.setenv("ESCUCHA_USER", " env@example.org ")
    assert identity(" flag@example.org ") == "flag@example.org"
    assert identity(None) == "env@example.org"
    with pytest.raises(IdentityError):
        identity("   ")
    monkeypatch.delenv("ESCUCHA_USER")
    with pytest.raises(IdentityError, match="ESCUCHA_USER"):
        identity(None)


# ------------------------------------------------------------------------ queries


def test_a_malformed_query_is_refused_with_its_position_and_changes_nothing(
        reg: Registry, home: DataHome, capsys):
    before = history_bytes(home)
    with pytest.raises(QueryError) as caught:
        reg.set("congreso", by="diego@example.org", query="congreso AND")
    assert caught.value.position == 10 and str(caught.value) == "position 10: AND needs a term on its right"
    assert history_bytes(home) == before

    code, out, err = cli(capsys, "topics", "set", "congreso", "--query", "congreso OR (vacancia",
                         "--as", "diego@example.org")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[1] == "  congreso OR (vacancia"
    assert lines[2] == "  " + " " * 12 + "^"
    assert lines[3] == "position 13: unbalanced parenthesis"
    assert history_bytes(home) == before
    assert Registry.open(home).topic("congreso").query == CONGRESO_V1


def test_validate_prints_a_caret_under_the_position(home: DataHome, config: Path, capsys):
    code, out, err = cli(capsys, "topics", "validate", "derrame NEAR/3 #")
    assert code == 1 and out == ""
    assert err.splitlines() == ["malformed query", "  derrame NEAR/3 #", "                 ^",
                                "position 16: hashtag needs a name"]
    assert err.splitlines()[2].index("^") == 2 + 16 - 1

    code, out, err = cli(capsys, "topics", "validate", 'petróleo AND "pleno')
    caret = err.splitlines()[2]
    assert code == 1 and caret.index("^") == 2 + len("petróleo AND ")

    code, out, err = cli(capsys, "topics", "validate", "(derrame OR fuga) NEAR/5 ventanilla")
    assert code == 0 and out == "ok: (derrame OR fuga) NEAR/5 ventanilla\n" and err == ""

    code, out, err = cli(capsys, "topics", "validate", "--all")
    assert code == 0 and out.splitlines() == ["ok: congreso (version 1)", "ok: informalidad (version 1)"]


def test_validate_all_reports_a_stored_query_the_parser_now_refuses(home: DataHome, config: Path, capsys):
    Registry.open(home)
    path = home.topics / "history.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec.update(version=2, query="congreso NEAR/500 pleno", changed_by="diego@example.org")
    path.write_text("\n".join(lines + [json.dumps(rec)]) + "\n", encoding="utf-8")
    code, out, err = cli(capsys, "topics", "validate", "--all")
    assert code == 1
    assert out.splitlines() == ["ok: informalidad (version 1)"]
    assert err.splitlines() == ["congreso (version 2): malformed query", "  congreso NEAR/500 pleno",
                                "           ^", "position 10: NEAR/n allows at most n = 100"]


# ------------------------------------------------------------------------ retiring


def test_retire_hides_a_topic_from_current_and_keeps_its_history(reg: Registry, home: DataHome, capsys):
    v = reg.retire("congreso", by="diego@example.org", note="fin de legislatura")
    assert (v.version, v.active, v.query, v.changed_by, v.note) == (
        2, False, CONGRESO_V1, "diego@example.org", "fin de legislatura")
    assert [t.topic_id for t in reg.current()] == ["informalidad"]
    assert [t.topic_id for t in reg.current(include_retired=True)] == ["congreso", "informalidad"]
    assert reg.topic("congreso").active is False
    with pytest.raises(InvalidChange, match="already retired"):
        reg.retire("congreso", by="diego@example.org")

    code, out, _ = cli(capsys, "topics", "list")
    assert code == 0 and [line.split("|")[0].strip() for line in out.splitlines()[2:-1]] == ["informalidad"]
    code, out, _ = cli(capsys, "topics", "list", "--all")
    rows = [[c.strip() for c in line.split("|")] for line in out.splitlines()[2:-1]]
    assert rows == [["congreso", "gobernabilidad", "2", "false", "false", CONGRESO_V1],
                    ["informalidad", "empleo", "1", "true", "true", "informalidad OR ambulantes"]]
    code, out, _ = cli(capsys, "topics", "list", "--programme", "gobernabilidad")
    assert out.splitlines()[-1] == "(0 rows)"

    # Setting a retired topic brings it back as a new version.
    back = reg.set("congreso", by="rosa.huaman@example.org", query="congreso")
    assert (back.version, back.active) == (3, True)
    assert [t.topic_id for t in reg.current()] == ["congreso", "informalidad"]

    with pytest.raises(UnknownTopic, match="unknown topic 'nada'"):
        reg.retire("nada", by="diego@example.org")
    with pytest.raises(KeyError):
        reg.topic("nada")
    code, _, err = cli(capsys, "topics", "show", "nada")
    assert code == 1 and "unknown topic 'nada'" in err


# ------------------------------------------------------------------------ export


def test_export_writes_every_version_and_the_programmes_as_parquet(reg: Registry, home: DataHome, tmp_path):
    reg.set("congreso", by="diego@example.org", query="congreso OR vacancia", note="n1")
    reg.retire("informalidad", by="lucia@example.org")
    out = tmp_path / "export"
    written = reg.export(out)
    assert written == [out / "topic_versions.parquet", out / "programmes.parquet"]
    assert sorted(p.name for p in out.iterdir()) == ["programmes.parquet", "topic_versions.parquet"]

    versions = pq.read_table(out / "topic_versions.parquet")
    assert versions.schema == pa.schema([
        ("topic_id", pa.string()), ("version", pa.int64()), ("programme_id", pa.string()),
        ("label", pa.string()), ("query", pa.string()), ("use_model", pa.bool_()), ("active", pa.bool_()),
        ("changed_by", pa.string()), ("changed_at", pa.timestamp("us")), ("note", pa.string()),
        ("is_current", pa.bool_())])
    rows = versions.to_pylist()
    assert [(r["topic_id"], r["version"], r["active"], r["is_current"], r["changed_by"]) for r in rows] == [
        ("congreso", 1, True, False, "config"),
        ("informalidad", 1, True, False, "config"),
        ("congreso", 2, True, True, "diego@example.org"),
        ("informalidad", 2, False, True, "lucia@example.org"),
    ]
    assert rows[2]["query"] == "congreso OR vacancia" and rows[2]["note"] == "n1"
    assert rows[3]["use_model"] is True and rows[3]["programme_id"] == "empleo"
    recorded = history_lines(home)[2]["changed_at"]
    assert rows[2]["changed_at"] == datetime.strptime(recorded, "%Y-%m-%dT%H:%M:%SZ")

    programmes = pq.read_table(out / "programmes.parquet")
    assert programmes.schema.field("focal_points").type == pa.list_(pa.string())
    assert programmes.schema.field("recipients").type == pa.list_(pa.string())
    assert programmes.to_pylist() == [
        {"programme_id": "gobernabilidad", "label": "Gobernabilidad democrática",
         "focal_points": ["Rosa.Huaman@Example.org", "diego@example.org"],
         "recipients": ["rosa.huaman@example.org", "gob@example.org"]},
        {"programme_id": "empleo", "label": "Empleo", "focal_points": ["lucia@example.org"],
         "recipients": ["lucia@example.org"]},
    ]
    # Exporting again replaces the files in place, leaving no temporary file behind.
    reg.export(out)
    assert sorted(p.name for p in out.iterdir()) == ["programmes.parquet", "topic_versions.parquet"]


# ----------------------------------------------------------------- corrupt history


def test_a_corrupt_history_line_is_an_error_naming_file_and_line(reg: Registry, home: DataHome, capsys):
    path = home.topics / "history.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], '{"topic_id": "congreso", "vers', lines[1]]) + "\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(HistoryError) as caught:
        Registry.open(home)
    assert f"{path}, line 2" in str(caught.value) and "not JSON" in str(caught.value)

    code, _, err = cli(capsys, "topics", "set", "congreso", "--query", "x", "--as", "diego@example.org")
    assert code == 1 and f"{path}, line 2" in err
    assert path.read_bytes() == before

    # A complete line with a wrong field, or a version out of sequence, is corrupt too.
    bad = json.loads(lines[0])
    bad["use_model"] = "no"
    path.write_text("\n".join([lines[0], lines[1], json.dumps(bad)]) + "\n", encoding="utf-8")
    with pytest.raises(HistoryError, match=r"line 3: .*'use_model' must be bool"):
        Registry.open(home)
    path.write_text("\n".join([lines[1], lines[0], lines[0]]) + "\n", encoding="utf-8")
    with pytest.raises(HistoryError, match=r"line 3: .*version 1 where version 2 was expected"):
        Registry.open(home)


def test_a_torn_last_line_is_ignored_then_cut_by_the_next_write(reg: Registry, home: DataHome):
    path = home.topics / "history.jsonl"
    good = path.read_bytes()
    path.write_bytes(good + b'{"topic_id": "congreso", "version": 2, "progr')
    with pytest.warns(TornLineWarning, match=r"line 3: incomplete last line"):
        again = Registry.open(home)
    assert again.topic("congreso").version == 1
    with pytest.warns(TornLineWarning):
        v = again.set("congreso", by="diego@example.org", query="congreso OR vacancia")
    assert v.version == 2
    assert path.read_bytes().startswith(good)
    assert [r["version"] for r in history_lines(home)] == [1, 1, 2]


# ------------------------------------------------------------------------- config


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.replace("programme: empleo", "programme: salud"),
     "topics.informalidad.programme: unknown programme 'salud'"),
    (lambda c: c.replace("  congreso:", "  Congreso-2:"), "topics.Congreso-2: id 'Congreso-2' must match"),
    (lambda c: c.replace("  empleo:\n", "  2empleo:\n"), "programmes.2empleo: id '2empleo' must match"),
    (lambda c: c.replace("query: 'informalidad OR ambulantes'", "query: 'informalidad OR'"),
     "topics.informalidad.query: malformed query\n  informalidad OR\n               ^\nposition 14: OR needs"),
    (lambda c: c.replace("focal_points: [lucia@example.org]", "focal_points: lucia@example.org"),
     "programmes.empleo.focal_points: must be a list"),
    (lambda c: c.replace("focal_points: [lucia@example.org]", "focal_points: []"),
     "programmes.empleo.focal_points: must list at least one identity"),
    (lambda c: c.replace("    use_model: true", "    use_model: maybe"),
     "topics.informalidad.use_model: must be true or false"),
    (lambda c: c.replace("    use_model: true", "    use-model: true"), "topics.informalidad: unknown key(s)"),
    (lambda c: c + "  congreso:\n    label: X\n    programme: empleo\n    query: x\n", "duplicate key 'congreso'"),
    (lambda c: c.replace("topics:", "topic:"), "unknown top-level key(s) ['topic']"),
    (lambda c: c.replace("label: Empleo", "label: ''"), "programmes.empleo.label: must be non-empty text"),
    (lambda c: c.replace("    query: 'informalidad OR ambulantes'\n", ""), "topics.informalidad.query: must be text"),
])
def test_a_malformed_config_is_refused_clearly(home: DataHome, config: Path, edit, message):
    config.write_text(edit(CONFIG), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Registry.open(home)
    assert str(caught.value).startswith(f"{config}: ")
    assert message in str(caught.value)
    assert not (home.topics / "history.jsonl").exists()


def test_a_missing_config_names_the_file(home: DataHome, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ESCUCHA_PROGRAMMES", str(tmp_path / "nope.yaml"))
    code, _, err = cli(capsys, "topics", "list")
    assert code == 1 and f"no programmes file at {tmp_path / 'nope.yaml'}" in err


# --------------------------------------------------------------------- installed CLI


@pytest.mark.skipif(not ESCUCHA.exists(), reason="the escucha console script is not installed")
def test_the_installed_command_changes_and_lists_topics(tmp_path: Path, config: Path):
    home = tmp_path / "h"
    env = {**os.environ, "ESCUCHA_PROGRAMMES": str(config), "ESCUCHA_USER": "lucia@example.org"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ESCUCHA), "--home", str(home), "topics", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    done = run("set", "informalidad", "--query", "informalidad OR ambulantes OR \"comercio informal\"",
               "--use-rules", "--note", "frase")
    assert done.returncode == 0, done.stderr
    assert "informalidad: version 2 recorded" in done.stdout and "escucha run" in done.stdout
    refused = run("set", "congreso", "--query", "congreso OR vacancia")
    assert refused.returncode == 3 and "not a focal point" in refused.stderr
    listed = run("list")
    rows = [[c.strip() for c in line.split("|")] for line in listed.stdout.splitlines()[2:-1]]
    assert rows == [["congreso", "gobernabilidad", "1", "false", CONGRESO_V1],
                    ["informalidad", "empleo", "2", "false", 'informalidad OR ambulantes OR "comercio informal"']]
    help_ = run("--help")
    assert help_.returncode == 0 and help_.stdout.startswith("usage: escucha topics")
