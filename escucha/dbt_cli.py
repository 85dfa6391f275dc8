"""`escucha-dbt`: dbt's own command line (the same arguments, output and exit status), ending
without Python's last garbage collection (escucha.processes.skip_final_collection), which took
about a second after every build. Dagster starts dbt through it (orchestration.resources)."""
from __future__ import annotations

import sys

from escucha.processes import skip_final_collection


def main() -> None:
    skip_final_collection()
    from dbt.cli.main import cli

    sys.exit(cli())


if __name__ == "__main__":
    main()
