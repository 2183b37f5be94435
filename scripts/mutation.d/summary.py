"""Per-module totals of the results kept in mutants/, and the surviving mutants by
name: what docs/testing.md records after a run. Usage: summary.py [MODULE_PATH ...]"""

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

wanted = {  # module paths, or mutant names (kabul_brief.content.dates.x_parse_date__mutmut_8)
    "src/" + a.partition("__mutmut_")[0].rpartition(".")[0].replace(".", "/") + ".py"
    if "__mutmut_" in a else a
    for a in sys.argv[1:]
}
survivors: list[str] = []
for meta in sorted(Path("mutants/src/kabul_brief").glob("*/*.py.meta")):
    source = str(meta.relative_to("mutants"))[: -len(".meta")]
    if wanted and source not in wanted:
        continue
    results = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    if not results:
        continue
    counts = Counter(status_by_exit_code[code] for code in results.values())
    print(f"{source}: {len(results)} mutants: "
          + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    survivors += [name for name, code in sorted(results.items())
                  if status_by_exit_code[code] in ("survived", "no tests", "suspicious")]
print(f"{len(survivors)} not killed:")
for name in survivors:
    print("  " + name)
