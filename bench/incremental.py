"""How much an edit costs: rebuild after editing one event (or one actor).

Copies a content folder (default: the shipped ``content/``), builds it once, then
rebuilds after no change, after editing one event's title and after editing one
actor's summary, each time printing how many pages were rendered again (the rest
are reused unchanged), which ones, and the time taken end to end (load, validate,
plan, render, write, search index). Each rebuilt tree is compared with a full build
of the same content: they must be byte-identical.

    python bench/incremental.py [--content DIR] [--event ID] [--actor ID]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from kabul_brief.pipeline import Build, BuildRequest  # noqa: E402
from kabul_brief.publish.build import BuildReport  # noqa: E402


def built(content: Path, out: Path) -> BuildReport | None:
    """A build as ``kabul-brief build`` runs it (caches, freshness check and all); None
    when ``out`` was up to date."""
    return Build(BuildRequest(content=content, out=out)).run().report


def timed_build(content: Path, out: Path) -> tuple[BuildReport | None, float]:
    started = time.perf_counter()
    report = built(content, out)
    return report, time.perf_counter() - started


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def record_file(content: Path, kind: str, record_id: str) -> Path:
    for path in sorted((content / kind).rglob("*.yaml")):
        if re.search(rf"(?m)^-?\s*id: {re.escape(record_id)}\s*$", path.read_text("utf-8")):
            return path
    raise SystemExit(f"no {kind} record {record_id!r} under {content / kind}")


def edit_field(path: Path, field: str, suffix: str) -> None:
    """Append to the first line of the text of the first ``field:`` of the file."""
    text = path.read_text(encoding="utf-8")
    plain = rf"(?m)^({field}: [^'\"|>\n][^\n]*)$"
    block = rf"(?m)^({field}: [|>][-+]?\n[ \t]+[^\n]*)$"  # a block scalar's first line
    for pattern in (plain, block):
        changed, count = re.subn(pattern, rf"\1 {suffix}", text, count=1)
        if count:
            path.write_text(changed, encoding="utf-8")
            return
    raise SystemExit(f"{path} has no {field}: to edit")


def step(name: str, content: Path, out: Path, scratch: Path, show: int) -> None:
    report, seconds = timed_build(content, out)
    full = scratch / "full"
    shutil.rmtree(full, ignore_errors=True)
    built(content, full)
    same = tree(out) == tree(full)
    if report is None:
        print(f"{name:<22} up to date, nothing rendered  {seconds:6.2f} s"
              f"  identical to a full build: {'yes' if same else 'NO'}")
        if not same:
            raise SystemExit("the folder called up to date differs from a full build")
        return
    print(f"{name:<22} rendered {len(report.rendered):>5} of {report.pages:>5} pages"
          f"  {seconds:6.2f} s  identical to a full build: {'yes' if same else 'NO'}")
    for path in report.rendered[:show]:
        print(f"{'':<24}{path}")
    if 0 < show < len(report.rendered):
        print(f"{'':<24}... and {len(report.rendered) - show} more")
    if not same:
        raise SystemExit("incremental and full builds differ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, default=REPO / "content")
    parser.add_argument("--event", default="kabul-delegation-2025-04")
    parser.add_argument("--actor", default="vikram-misri")
    parser.add_argument("--show", type=int, default=30, help="list at most this many pages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kabul-brief-bench-") as tmp:
        scratch = Path(tmp)
        content = scratch / "content"
        shutil.copytree(args.content, content)
        out = scratch / "site"
        step("cold build", content, out, scratch, 0)
        step("no change", content, out, scratch, args.show)
        edit_field(record_file(content, "events", args.event), "title", "(edited)")
        step(f"edit event {args.event}", content, out, scratch, args.show)
        edit_field(record_file(content, "actors", args.actor), "summary", "Edited.")
        step(f"edit actor {args.actor}", content, out, scratch, args.show)


if __name__ == "__main__":
    main()
