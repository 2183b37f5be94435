"""``mutmut run`` over some modules or mutants only: scripts/mutation's entry point.

mutmut reads which files to mutate from pyproject.toml; a run over a few modules
narrows that list (``only_mutate``) for this run instead of editing the file, so the
results of earlier runs over other modules stay in mutants/ and are not redone.
mutmut leaves the files it does not mutate in this run as plain copies; a file left
so by an earlier run is removed here, so that it is mutated again (its results are
kept: mutmut redoes only the functions whose code changed).
Usage: run.py JOBS [src/kabul_brief/content/dates.py | MUTANT_NAME ...]
"""

import sys
from pathlib import Path

from mutmut.configuration import config

jobs, arguments = sys.argv[1], sys.argv[2:]
names = [a for a in arguments if "__mutmut_" in a]
modules = [a for a in arguments if a not in names]
for name in names:  # kabul_brief.content.dates.x_parse_date__mutmut_8
    module = name.partition("__mutmut_")[0].rpartition(".")[0]
    modules.append("src/" + module.replace(".", "/") + ".py")
if modules:
    config().only_mutate = sorted(set(modules))
for pattern in config().only_mutate:
    for source in Path(".").glob(pattern):
        copy = Path("mutants") / source
        if copy.is_file() and copy.read_bytes() == source.read_bytes():
            copy.unlink()

from mutmut.__main__ import cli  # noqa: E402  (after the configuration is narrowed)

cli(["run", "--max-children", jobs, *names])
