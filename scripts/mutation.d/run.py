"""``mutmut run`` over some modules only: scripts/mutation's entry point.

mutmut reads which files to mutate from pyproject.toml; a run over a few modules
narrows that list (``only_mutate``) for this run instead of editing the file, so the
results of earlier runs over other modules stay in mutants/ and are not redone.
Usage: run.py JOBS [src/kabul_brief/content/dates.py ...]
"""

import sys

from mutmut.configuration import config

jobs, modules = sys.argv[1], sys.argv[2:]
if modules:
    config().only_mutate = modules

from mutmut.__main__ import cli  # noqa: E402  (after the configuration is narrowed)

cli(["run", "--max-children", jobs])
