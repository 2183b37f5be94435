"""What reading the content's git history costs a build, at the benchmark's sizes.

Usage (from the repository root):

    python3 bench/history.py                 # size L, 3 pairs of cold builds, HEAD
    python3 bench/history.py --size S --runs 5 --out-md bench/history-s.md

The corpus of bench/generate.py is committed into a fresh git repository on tmpfs
in ``--commits`` commits (most add a slice of the files, the last fifth each revise a
hundred records, so that files have several revisions), each with its own fixed
``GIT_COMMITTER_DATE``. The same bytes are copied to a folder outside any git work
tree. Cold builds of the two then alternate (in git, outside git, in git, ...), each in
a fresh process, with the cache and output removed first, so that machine noise hits
both alike; the report gives the median wall and CPU time of each and their ratio.
The build in git does all the history costs: the one ``git log`` and the dates it
puts on every page, in JSON-LD, the sitemap, the feeds and the calendars.

Ours runs from ``git archive REF src templates`` (``--ref``, HEAD by default), so
edits in the working tree meanwhile cannot leak into the numbers.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import SIZES, generate
from run import Sample, measure, snapshot

EPOCH = 1_735_689_600  # 2025-01-01T00:00:00Z: the first commit's date


def _git(repo: Path, *args: str, when: int | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Desk", "GIT_AUTHOR_EMAIL": "desk@example.org",
           "GIT_COMMITTER_NAME": "Desk", "GIT_COMMITTER_EMAIL": "desk@example.org"}
    if when is not None:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = f"{when} +0000"
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def committed_corpus(corpus: Path, repo: Path, commits: int, seed: int) -> int:
    """Commit ``corpus`` into ``repo/content`` in ``commits`` commits; return the number
    of file revisions written."""
    rng = random.Random(seed)
    content = repo / "content"
    _git(repo.parent, "init", "-q", repo.name)
    files = sorted(p.relative_to(corpus) for p in corpus.rglob("*") if p.is_file())
    adding = max(1, commits - commits // 5)
    revisions = 0
    for n in range(adding):
        for relative in files[n::adding]:
            target = content / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(corpus / relative, target)
            revisions += 1
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"add {n}", when=EPOCH + n * 86_400)
    records = [p for p in files if p.suffix == ".yaml"]
    for n in range(adding, commits):
        for relative in rng.sample(records, min(100, len(records))):
            with (content / relative).open("a", encoding="utf-8") as out:
                out.write(f"# revised in commit {n}\n")
            revisions += 1
        _git(repo, "commit", "-q", "-am", f"revise {n}", when=EPOCH + n * 86_400 + 3_600)
    return revisions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="L")
    parser.add_argument("--runs", type=int, default=3, help="cold builds of each")
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--ref", default="HEAD")
    parser.add_argument("--out-md", type=Path)
    args = parser.parse_args()

    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="kb-history-", dir=base) as folder:
        root = Path(folder)
        env = snapshot(args.ref, root / "code")
        env["KABUL_BRIEF_CACHE"] = str(root / "cache")
        env["GIT_CEILING_DIRECTORIES"] = str(root)  # "outside" is outside any work tree
        generate(SIZES[args.size], root / "corpus", 2025)
        started = time.perf_counter()
        revisions = committed_corpus(root / "corpus", root / "repo", args.commits, 2025)
        made = time.perf_counter() - started
        outside = root / "outside" / "content"
        shutil.copytree(root / "repo" / "content", outside)

        started = time.perf_counter()
        log = subprocess.run(["git", "-C", str(root / "repo" / "content"), "log",
                              "--format=%x1e%ct", "--name-only", "--no-renames",
                              "--relative", "-z", "HEAD", "--", "."],
                             capture_output=True, check=True).stdout
        log_seconds = time.perf_counter() - started

        samples: dict[str, list[Sample]] = {"in git": [], "outside git": []}
        for _ in range(args.runs):
            for name, content in (("in git", root / "repo" / "content"),
                                  ("outside git", outside)):
                shutil.rmtree(root / "cache", ignore_errors=True)
                shutil.rmtree(root / "out", ignore_errors=True)
                command = [sys.executable, "-m", "kabul_brief", "build", "--content",
                           str(content), "--out", str(root / "out"), "--quiet"]
                samples[name].append(measure(command, root, env))
                print(f"{name}: {samples[name][-1].wall:.1f} s", file=sys.stderr)
        in_git = samples["in git"]
        # the last pair built the outside copy last; check the history showed in git
        shutil.rmtree(root / "out", ignore_errors=True)
        measure([sys.executable, "-m", "kabul_brief", "build", "--content",
                 str(root / "repo" / "content"), "--out", str(root / "out"), "--quiet"],
                root, env)
        dated = "Published" in next((root / "out" / "events").rglob("index.html")
                                    ).read_text(encoding="utf-8")

    def median(name: str, what: str) -> float:
        return statistics.median(getattr(s, what) for s in samples[name])

    lines = [
        f"# The cost of the git history, size {args.size}",
        "",
        f"{args.commits} commits, {revisions} file revisions (made in {made:.0f} s);"
        f" `git log` alone took {log_seconds:.2f} s for {len(log):,} bytes."
        f" Pages in git show the dates: {'yes' if dated else 'NO'}.",
        "",
        "| build | runs (wall, s) | median wall | median CPU | peak RSS |",
        "|---|---|---|---|---|",
    ]
    for name, runs in samples.items():
        lines.append(f"| {name} | {', '.join(f'{s.wall:.1f}' for s in runs)} |"
                     f" {median(name, 'wall'):.1f} s | {median(name, 'cpu'):.1f} s |"
                     f" {max(s.rss_kib for s in runs) / 1024:.0f} MiB |")
    wall = median("in git", "wall") / median("outside git", "wall")
    cpu = median("in git", "cpu") / median("outside git", "cpu")
    pairs = ", ".join(f"{a.wall / b.wall:.3f}"
                      for a, b in zip(in_git, samples["outside git"], strict=True))
    lines += ["", f"In git / outside git: wall {wall:.3f}x, CPU {cpu:.3f}x (pairs: {pairs})."]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out_md:
        args.out_md.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
