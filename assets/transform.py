"""dbt models (staging, intermediate, marts, internal) as Dagster assets."""

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model

from assets.topics import TRAINED, training_metadata
from escucha.graph.refresh import REFRESH_DAYS_ENV
from escucha.home import DataHome
from escucha.processes import owned_folder, remove_orphans
from escucha.run_window import window_environment
from escucha.warehouse import connect, wait_until_free
from orchestration.resources import EscuchaHome, dbt_project

DBT_PROJECT = dbt_project()


def dbt_build_args(tags: Mapping[str, str], seeds_loaded: bool = False) -> list[str]:
    """`dbt build`, from scratch when the run is tagged escucha/full_refresh=true; without the seeds
    (and their tests) when the warehouse already holds these seed files, loaded by a build that passed."""
    # a test runs in the build that has built all its parents (a test between the two builds'
    # models waits for the second); dbt's unit tests check the SQL, not the data: they run in
    # `make test` (tests/test_pipeline.py), not in every pipeline run. No manifest.json nor
    # run_results.json: Dagster reads dbt's events as they stream and the project's own manifest, so
    # writing them (the manifest twice) only cost seconds a run; the parse is kept all the same
    args = ["build", "--indirect-selection", "buildable", "--exclude-resource-type", "unit_test",
            "--no-write-json"]
    if tags.get("escucha/full_refresh") == "true":
        args.append("--full-refresh")
    elif seeds_loaded:
        args += ["--exclude", "resource_type:seed"]
    return args


def run_window_of(tags: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The run's window of UTC days (first, last) from its partition tags; (None, None): every day."""
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or tags.get("dagster/partition")
    return (start, end) if start and end else (None, None)


@contextmanager
def graph_cadence_of(tags: Mapping[str, str]) -> Iterator[None]:
    """A run tagged escucha/refresh_graphs=true computes the running period's graphs again whatever
    their age (ESCUCHA_GRAPH_REFRESH_DAYS=1 for its dbt process; escucha.graph.refresh); other runs
    follow the environment's cadence."""
    forced = {REFRESH_DAYS_ENV: "1"} if tags.get("escucha/refresh_graphs") == "true" else {}
    with mock.patch.dict(os.environ, forced):
        yield


#: set to 1 for a dbt build whose tests may check only the rows of the run's window
#: (dbt_project/macros/tests_in_window.sql)
TESTS_IN_WINDOW_ENV = "ESCUCHA_TESTS_IN_WINDOW"


def manifest_nodes(manifest_path: Path, resource_type: str) -> list[dict[str, Any]]:
    """The nodes of the dbt manifest of this resource type (model, seed, test...)."""
    nodes = json.loads(Path(manifest_path).read_text(encoding="utf-8"))["nodes"].values()
    return [n for n in nodes if n["resource_type"] == resource_type]


def incremental_tables(manifest_path: Path) -> frozenset[tuple[str, str]]:
    """(schema, table) of every incremental model in the dbt manifest."""
    return frozenset((n["schema"], n["alias"]) for n in manifest_nodes(manifest_path, "model")
                     if n["config"].get("materialized") == "incremental")


def holds_tables(warehouse: Path, tables: frozenset[tuple[str, str]]) -> bool:
    """True when the warehouse already holds a table for each of these (schema, table): for the
    incremental models, a build over a window then writes only the window's rows."""
    if not warehouse.is_file():
        return False
    con = connect(warehouse, read_only=True)
    try:
        existing = set(con.execute("select table_schema, table_name from information_schema.tables "
                                   "where table_type = 'BASE TABLE'").fetchall())
    finally:
        con.close()
    return tables <= existing


#: read once per process, from the manifest the dbt assets below are made from
INCREMENTAL_TABLES = incremental_tables(DBT_PROJECT.manifest_path)
SEED_NODES = manifest_nodes(DBT_PROJECT.manifest_path, "seed")

#: in the home's dbt target: the fingerprint of the seed files the warehouse holds, written by a build
#: that loaded them and passed
SEEDS_FILE = "seeds.loaded"


def seeds_fingerprint(project_dir: Path) -> str:
    """sha256 of the project's seed files (CSV and their YAML) and dbt_project.yml (seed configs)."""
    digest = hashlib.sha256()
    files = [p for p in (project_dir / "seeds").rglob("*") if p.is_file()] + [project_dir / "dbt_project.yml"]
    for path in sorted(files):
        digest.update(f"{path.relative_to(project_dir).as_posix()}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def seeds_loaded(target: Path, warehouse: Path, fingerprint: str) -> bool:
    """True when a build that passed loaded seed files with this fingerprint (SEEDS_FILE) and the
    warehouse still holds every seed's table: the build may leave the seeds and their tests out."""
    recorded = target / SEEDS_FILE
    return (recorded.is_file() and recorded.read_text(encoding="utf-8").strip() == fingerprint
            and holds_tables(warehouse, frozenset((n["schema"], n["alias"]) for n in SEED_NODES)))


def seed_keys(assets_def: dg.AssetsDefinition) -> set[dg.AssetKey]:
    """The Dagster asset keys of the project's seeds."""
    return {get_asset_key_for_model([assets_def], n["name"]) for n in SEED_NODES}


@contextmanager
def scope_tests_to_window(tags: Mapping[str, str], warehouse: Path, previous_passed: bool) -> Iterator[None]:
    """Let the tests that name the run's window check only its rows (ESCUCHA_TESTS_IN_WINDOW=1 for
    the dbt process) when the run has a window, is not a full refresh, every incremental model
    already has its table and the previous build of the same models passed all its tests;
    otherwise every row is tested (so a failure stays visible until a build passes)."""
    scoped = (previous_passed and run_window_of(tags) != (None, None)
              and tags.get("escucha/full_refresh") != "true"
              and holds_tables(warehouse, INCREMENTAL_TABLES))
    with mock.patch.dict(os.environ):
        os.environ.pop(TESTS_IN_WINDOW_ENV, None)
        if scoped:
            os.environ[TESTS_IN_WINDOW_ENV] = "1"
        yield


PARSE_FILE = "partial_parse.msgpack"
#: beside the kept parse: the project folder it was made from
PARSE_PROJECT_FILE = "partial_parse.project"


@contextmanager
def dbt_target_of(home: DataHome) -> Iterator[Path]:
    """Give dbt this home's target folder (DBT_TARGET_PATH) while the block starts dbt.

    Each home keeps dbt's parse, carried from run to run (dagster-dbt copies it into each run's
    folder). A home without one starts from the project's own (made when Dagster loads the
    project): escucha-dbt runs dbt inside the home, so the parse does not depend on the home
    (escucha/dbt_cli.py), and no run parses the whole project again while its files are unchanged."""
    target = home.dbt_target
    target.mkdir(parents=True, exist_ok=True)
    forget_parse_of_another_project(target)
    if not (target / PARSE_FILE).is_file():
        start_from_project_parse(target)
    with mock.patch.dict(os.environ, {"DBT_TARGET_PATH": str(target)}):
        yield target


def forget_parse_of_another_project(home_target: Path) -> None:
    """Drop a kept parse made from another copy of the project (a moved checkout, a second
    worktree): dbt reuses it when no file changed, with the old folder's paths in it (seeds were
    loaded from a folder that no longer existed), so the next run parses the project again."""
    recorded = home_target / PARSE_PROJECT_FILE
    made_from = recorded.read_text(encoding="utf-8") if recorded.is_file() else None
    if made_from != str(DBT_PROJECT.project_dir):
        (home_target / PARSE_FILE).unlink(missing_ok=True)
        recorded.unlink(missing_ok=True)


def start_from_project_parse(target: Path) -> None:
    """Put the project's own parse (made when Dagster loads the project) in this dbt target folder,
    for a dbt command there to parse only what changed since (nothing, usually)."""
    keep_parse(DBT_PROJECT.project_dir / DBT_PROJECT.target_path, target)


def keep_parse(run_target: Path, home_target: Path) -> None:
    """Keep the parse a run made (or updated) for the home's next run, with the project folder it
    was made from."""
    made = run_target / PARSE_FILE
    if made.is_file():
        tmp = home_target / f".{PARSE_FILE}.tmp"
        shutil.copyfile(made, tmp)
        os.replace(tmp, home_target / PARSE_FILE)
        (home_target / PARSE_PROJECT_FILE).write_text(str(DBT_PROJECT.project_dir), encoding="utf-8")


def build_passed_marker(target: Path, step: str) -> Path:
    """The file in the home's dbt target that says the step's last dbt build passed every test
    (removed when a build starts, written when it ends well)."""
    return target / f"tests-passed.{step}"


def run_folder(context: dg.AssetExecutionContext, target: Path) -> Path:
    """This invocation's own folder under the home's dbt target, named after the step, the run and
    the process that drives dbt (escucha.processes: a folder whose process is gone is removed)."""
    return owned_folder(target, f"{context.op_execution_context.op.name}-{context.run.run_id[:7]}")


def build(context: dg.AssetExecutionContext, dbt: DbtCliResource, home: DataHome) -> Iterator[Any]:
    """`dbt build` of the context's selection over the run's window (handed to dbt in its
    environment, see escucha.run_window, with the graphs' cadence; an incremental build tests the
    window's rows where a test says so, see scope_tests_to_window), in the home's dbt target; keeps
    the run's parse for the next run and removes the run's own folder.

    dbt starts once the warehouse is free: while another process holds it (another run, an
    analyst's session) the step waits, up to ESCUCHA_LOCK_TIMEOUT seconds, then fails saying who
    holds it (escucha.warehouse). The profile's `retries` covers the seconds between that wait and
    dbt's own open, and `keep_open` keeps the warehouse dbt's until the build ends."""
    tags = context.run.tags
    with window_environment(*run_window_of(tags)), graph_cadence_of(tags), dbt_target_of(home) as target:
        remove_orphans(target.iterdir())  # left by a run killed in the middle of dbt
        wait_until_free(home.warehouse, on_wait=context.log.warning)
        passed = build_passed_marker(target, context.op_execution_context.op.name)
        previous_passed = passed.is_file()
        passed.unlink(missing_ok=True)
        fingerprint, seeds = seeds_fingerprint(DBT_PROJECT.project_dir), seed_keys(context.assets_def)
        keep_seeds = (tags.get("escucha/full_refresh") != "true" and not context.selected_asset_keys <= seeds
                      and seeds_loaded(target, home.warehouse, fingerprint))  # seeds asked for alone: loaded
        if not keep_seeds:  # until this build passes, the warehouse's seeds are not known to be these
            (target / SEEDS_FILE).unlink(missing_ok=True)
        with scope_tests_to_window(tags, home.warehouse, previous_passed):
            invocation = dbt.cli(dbt_build_args(tags, seeds_loaded=keep_seeds), context=context,
                                 target_path=run_folder(context, target))
    for event in invocation.stream():  # raises when a model or a test failed: no marker then
        yield with_training_metadata(context, event, home)
    passed.touch()
    if not keep_seeds and seeds <= context.selected_asset_keys:
        (target / SEEDS_FILE).write_text(fingerprint, encoding="utf-8")
    keep_parse(Path(invocation.target_path), target)
    shutil.rmtree(invocation.target_path, ignore_errors=True)


def with_training_metadata(context: dg.AssetExecutionContext, event: Any, home: DataHome) -> Any:
    """The event, with the topic models' evaluation added when it is the training model's output."""
    if (isinstance(event, dg.Output) and TRAINED in context.selected_asset_keys
            and event.output_name == context.assets_def.get_output_name_for_asset_key(TRAINED)):
        return event.with_metadata({**event.metadata, **training_metadata(home)})
    return event


@dbt_assets(manifest=DBT_PROJECT.manifest_path, pool="warehouse_writer")
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                     escucha_home: EscuchaHome) -> Iterator[Any]:
    """Build and test the dbt models in one dbt process: staging, intermediate (the topic models are
    trained between the models they read and the scores that use them: int_topic_models_trained),
    marts. Runs over a window of days (every run the CLI, the sensor or a backfill launches) rebuild
    only those days of the incremental models; a run without a window rebuilds every day, and the tag
    escucha/full_refresh=true rebuilds the tables from scratch."""
    yield from build(context, dbt, escucha_home.home())
