"""The command line and the Dagster UI, run as a user runs them."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
ESCUCHA = str(Path(sys.executable).with_name("escucha"))


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ESCUCHA, "--home", str(home), *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("command", ["generate", "demo", "run", "ingest", "query", "ui"])
def test_every_command_has_help(command, tmp_path):
    out = run_cli(command, "--help", home=tmp_path)
    assert out.returncode == 0
    assert out.stdout.startswith(f"usage: escucha {command}")


def test_query_prints_a_table_and_csv_and_refuses_writes(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_topic_daily as select * from (values "
                    "('2022-01-16'::date, 'derrame_petroleo', 'x', 42), "
                    "('2022-01-17'::date, 'congreso', 'facebook', 7)) t(day, topic_id, network, posts)")
    out = run_cli("query", "select topic_id, posts from marts.fct_topic_daily order by posts desc", home=home)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split("|")[0].strip() == "topic_id"
    assert lines[2].split("|")[0].strip() == "derrame_petroleo" and lines[2].split("|")[1].strip() == "42"
    assert lines[-1] == "(2 rows)"
    out = run_cli("query", "--csv", "select topic_id, posts from marts.fct_topic_daily order by 1", home=home)
    assert out.stdout.splitlines() == ["topic_id,posts", "congreso,7", "derrame_petroleo,42"]
    before = (home / "warehouse.duckdb").read_bytes()
    outside = tmp_path / "outside"
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n", encoding="utf-8")
    writes = [
        "delete from marts.fct_topic_daily",
        "create table marts.mine as select 1 as a",
        "drop table marts.fct_topic_daily",
        f"copy marts.fct_topic_daily to '{outside}.csv'",
        f"export database '{outside}'",
        f"attach '{outside}.duckdb' as other",
        "install httpfs",
        "set enable_external_access = true",
        f"select * from read_csv('{secret}')",
    ]
    for sql in writes:
        out = run_cli("query", sql, home=home)
        assert out.returncode == 1 and out.stdout == "", sql
        assert out.stderr.startswith("query refused: `escucha query` is read-only") or \
            "cannot enable external access" in out.stderr.lower(), (sql, out.stderr)
    assert not list(tmp_path.glob("outside*"))
    assert (home / "warehouse.duckdb").read_bytes() == before
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_topic_daily").fetchone()[0] == 2


def test_query_without_a_warehouse_says_what_to_do(tmp_path):
    out = run_cli("query", "select 1", home=tmp_path)
    assert out.returncode == 1
    assert "escucha demo" in out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ui_serves_the_assets_and_their_lineage(tmp_path):
    port = _free_port()
    env = dict(os.environ, ESCUCHA_HOME=str(tmp_path / "home"), DAGSTER_HOME=str(tmp_path / "dh"))
    (tmp_path / "dh").mkdir()
    (tmp_path / "dh" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    webserver = str(Path(sys.executable).with_name("dagster-webserver"))
    proc = subprocess.Popen([webserver, "-w", str(REPO / "workspace.yaml"), "-h", "127.0.0.1",
                             "-p", str(port)], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    try:
        query = {"query": "{ assetNodes { assetKey { path } dependencyKeys { path } } }"}
        nodes = None
        deadline = time.time() + 120
        while time.time() < deadline and nodes is None:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql",
                                             data=json.dumps(query).encode(),
                                             headers={"Content-Type": "application/json"})
                body = json.loads(urllib.request.urlopen(req, timeout=5).read())
                nodes = body["data"]["assetNodes"] or None
            except Exception:
                time.sleep(1)
        assert nodes, "the UI did not answer with assets"
        deps = {"/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]}
                for n in nodes}
        assert "lake/x/posts" in deps["staging/stg_x__posts"]
        assert "marts/fct_posts" in deps["marts/fct_topic_daily"]
        assert "marts/fct_topic_daily" in deps["overview_report"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
