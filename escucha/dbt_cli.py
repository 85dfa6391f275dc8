"""`escucha-dbt`: dbt's own command line (the same arguments, output and exit status), run inside
the data home and ending without Python's last garbage collection
(escucha.processes.skip_final_collection), which took about a second after every build. Dagster
starts dbt through it (orchestration.resources).

Inside the home, the profile names the warehouse by a path relative to it (``warehouse.duckdb``,
see dbt_project/profiles.yml), so dbt's parse of the project is the same in every home: dbt parses
the whole project again whenever the profile changes, and with the home's absolute path in it a
parse made in one home (the project's own, a copied home's) was of no use in another. Relative paths
given on the command line or in dbt's environment variables keep meaning what they meant where
dbt was started: they are made absolute before dbt starts.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from escucha.home import data_home
from escucha.processes import skip_final_collection

#: set by escucha-dbt for dbt once it runs inside the home (read by dbt_project/profiles.yml)
IN_HOME_ENV = "ESCUCHA_DBT_IN_HOME"
#: relative to the project's root whatever the working folder (dbt joins it to the root itself)
_PROJECT_RELATIVE = {"target_path"}


def path_options(args: list[str]) -> list[click.Option]:
    """The options that take a file or folder path of dbt's command line and of the (sub)commands
    these arguments name (`dbt source freshness --output` is a path, `dbt show --output` is not)."""
    from dbt.cli.main import cli

    command: click.Command = cli
    options = list(command.params)
    for arg in args:
        if not isinstance(command, click.Group):
            break
        if arg in command.commands:
            command = command.commands[arg]
            options += command.params
    return [p for p in options if isinstance(p, click.Option) and isinstance(p.type, click.Path)
            and p.name not in _PROJECT_RELATIVE]


def absolute_paths(args: list[str], options: list[click.Option], environ: dict[str, str],
                   cwd: Path) -> list[str]:
    """`args` with every relative path value of these options made absolute against `cwd`; the
    options' environment variables in `environ` likewise (changed in place)."""
    flags = {flag for option in options for flag in option.opts}

    def absolute(value: str) -> str:
        return value if os.path.isabs(value) else str(cwd / value)

    out, take_next = [], False
    for arg in args:
        if take_next:
            out.append(absolute(arg))
            take_next = False
            continue
        name, eq, value = arg.partition("=")
        if name in flags and eq:
            out.append(f"{name}={absolute(value)}")
        else:
            out.append(arg)
            take_next = arg in flags
    for option in options:
        for var in [option.envvar] if isinstance(option.envvar, str) else option.envvar or []:
            if environ.get(var):
                environ[var] = absolute(environ[var])
    return out


def enter_home(args: list[str]) -> list[str]:
    """Make the working folder the data home ($ESCUCHA_HOME or ./data, created when missing) for
    dbt, with the project and profiles folders dbt would have found where it was started."""
    from dbt.cli.resolvers import default_profiles_dir, default_project_dir

    cwd = Path.cwd()
    args = absolute_paths(args, path_options(args), os.environ, cwd)
    os.environ.setdefault("DBT_PROJECT_DIR", str(default_project_dir()))
    os.environ.setdefault("DBT_PROFILES_DIR", str(default_profiles_dir()))
    home = data_home().root
    home.mkdir(parents=True, exist_ok=True)
    os.environ["ESCUCHA_HOME"] = str(home)
    os.chdir(home)
    os.environ[IN_HOME_ENV] = "1"
    return args


def main() -> None:
    skip_final_collection()
    from dbt.cli.main import cli

    sys.exit(cli(args=enter_home(sys.argv[1:]), prog_name="dbt"))


if __name__ == "__main__":
    main()
