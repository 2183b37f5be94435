"""The dependency graph: each record page's view is made from a model that notes what
it reads; a rebuild makes the views of exactly the pages that read something that
changed, keeps the others without making them, and leaves the tree a full build
leaves, byte for byte."""

from __future__ import annotations

import json
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_site_support import REPO, SHIPPED, copy_content, tree

from kabul_brief.kinds import KINDS
from kabul_brief.pipeline import Build, BuildRequest
from kabul_brief.publish.build import BuildReport
from kabul_brief.publish.urls import Urls
from kabul_brief.publish.writer import GRAPH
from tests.conftest import set_main_text

EVENT = "kabul-delegation-2025-04"


def run(content: Path, out: Path, templates: Path | None = None) -> BuildReport:
    """Build; a build with nothing to do (``out`` up to date) reports no page made."""
    outcome = Build(BuildRequest(content=content, out=out, templates=templates)).run()
    if outcome.report is None:
        assert outcome.kept is not None
        return BuildReport(counts=(), total=outcome.kept, base_url="", pages=0, rendered=())
    return outcome.report


def graph(out: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(read -> digest of its value, page -> its reads) of the build in ``out``."""
    data = json.loads((out / GRAPH).read_text(encoding="utf-8"))
    names = data["reads"]
    return (dict(zip(names, data["digests"], strict=True)),
            {path: {names[i] for i in reads} for path, reads in data["pages"].items()})


def full(content: Path, into: Path, templates: Path | None = None) -> dict[str, bytes]:
    if into.exists():
        shutil.rmtree(into)
    run(content, into, templates)
    return tree(into)


def test_a_one_event_edit_makes_the_views_of_exactly_the_pages_that_read_it(
        tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    run(content, out)
    before = tree(out)
    digests_before, reads = graph(out)
    event = content / "events" / f"{EVENT}.yaml"
    event.write_text(set_main_text(event.read_text(encoding="utf-8"), "title",
                                   "Delegation talks in Kabul, revised"), encoding="utf-8")

    report = run(content, out)
    after = tree(out)

    assert after == full(content, tmp_path / "full")
    digests_after, _ = graph(out)
    changed_reads = {read for read in digests_before if digests_after[read] != digests_before[read]}
    # the event, and the lists of the facts citing each source and article, which name it
    assert f"events/{EVENT}" in changed_reads
    assert all(read == f"events/{EVENT}" or read.startswith("backlinks.source_citations/")
               or read.startswith("backlinks.article_citations/")
               or read.startswith("backlinks.paragraph_citations/") for read in changed_reads)
    assert set(report.remade) == {path for path, read in reads.items() if read & changed_reads}
    pages = (".html", f"/{Urls.FEED_PATH}", f"/{Urls.CALENDAR_NAME}")  # not the data files
    changed = {path for path in after if path.endswith(pages) and before.get(path) != after[path]}
    # KIND/ID/index.html and its feed and calendar, not timeline/newest/index.html
    folders = {kind.folder for kind in KINDS.values()}
    languages = ("fa-af/", "ps/", "ur/")

    def in_main(path: str) -> str:
        for language in languages:
            path = path.removeprefix(language)
        return path

    record_pages = {path for path in changed
                    if in_main(path).count("/") == 2 and in_main(path).split("/")[0] in folders}
    assert record_pages <= set(report.remade)
    # each main-language page that read it shows it; a page in another language shows
    # it where the title is not translated (Pashto), and is made again, to the same
    # bytes, where it is (Dari, Urdu)
    assert {path for path in report.remade if not path.startswith(languages)} == {
        path for path in record_pages if not path.startswith(languages)}
    assert any(path.startswith("ps/") for path in record_pages)
    assert not any(path.startswith(("fa-af/", "ur/")) for path in changed if "kabul" in path
                   and path.startswith(tuple(f"{lang}events/" for lang in languages)))
    assert set(report.rendered) == changed
    # the event's own page, its actors', its place's: all read it, and show its title
    for path in (f"events/{EVENT}/index.html", "actors/amir-khan-muttaqi/index.html",
                 "actors/india/index.html", "places/kabul/index.html"):
        assert path in report.remade and path in changed
    assert "events/pahalgam-attack/index.html" not in report.remade
    assert len(report.remade) < report.pages / 4


def test_an_unchanged_model_makes_no_view(tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    first = run(content, out)
    assert len(first.remade) > 50  # every record page, the first time
    (content / "notes.txt").write_text("an editor's note, not content\n", encoding="utf-8")
    again = run(content, out)
    assert again.pages > 0 and again.remade == () and again.rendered == ()


def test_a_template_edit_makes_every_view_again(tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    out = tmp_path / "site"
    first = run(content, out)
    (templates / "partials").mkdir()
    shutil.copy(REPO / "templates" / "base.html", templates / "base.html")
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- x -->\n</body>"),
                    encoding="utf-8")
    again = run(content, out)
    assert set(again.remade) == set(first.remade)
    assert tree(out) == full(content, tmp_path / "full")


def test_a_planted_graph_is_read_as_data_and_a_broken_one_means_a_full_build(
        tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    first = run(content, out)
    for planted in ("{not json", '{"format": 1, "shared": 3}', "[]",
                    '{"format": 1, "shared": "x", "reads": ["a"], "digests": [], "pages": {}}'):
        (out / GRAPH).write_text(planted, encoding="utf-8")
        again = run(content, out)
        assert set(again.remade) == set(first.remade), planted
        assert tree(out) == full(content, tmp_path / "full")


# -- random edits ---------------------------------------------------------------------

Edit = Callable[[random.Random, Path, Path, int], None]


def _files(content: Path, folder: str) -> list[Path]:
    return sorted((content / folder).glob("*.yaml"))


PLAIN = r"([A-Za-z][^'\"#:\n]*)$"
"""A plain YAML scalar that stays one when a word is added to it."""


def _replace_line(path: Path, pattern: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(pattern, new, text, count=1, flags=re.MULTILINE), encoding="utf-8")


def _edit_one(rng: random.Random, paths: list[Path], pattern: str, new: str) -> None:
    """Edit the first match of ``pattern`` in one of ``paths`` that has one."""
    paths = [p for p in paths if re.search(pattern, p.read_text(encoding="utf-8"), re.MULTILINE)]
    _replace_line(rng.choice(paths), pattern, new)


def retitle_record(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    folder = rng.choice(["events", "disputes", "relationships", "sources"])
    # one text (title: ...) or the main language's of a mapping (title: then en: ...)
    _edit_one(rng, _files(content, folder), rf"^(title: |  en: ){PLAIN}",
              rf"\1\2 edit {step}")


def rename_actor(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    """A name is auto-linked in every text that mentions it."""
    _edit_one(rng, _files(content, "actors"), rf"^(name: |  en: ){PLAIN}",
              rf"\1\2 Renamed{step}")


def redate_event(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    """Moves the event in the timeline and in every list of events."""
    path = rng.choice(_files(content, "events"))
    _replace_line(path, r"^date: .*$", f"date: 20{rng.randint(10, 25)}-0{rng.randint(1, 9)}")


def drop_an_actor_of_an_event(rng: random.Random, content: Path, templates: Path,
                              step: int) -> None:
    """Changes the reverse indexes: the actor's page no longer lists the event."""
    path = rng.choice(_files(content, "events"))
    text = path.read_text(encoding="utf-8")
    lines = re.findall(r"(?m)^  - (?:\{id: )?[a-z0-9-]+(?:, role: [^}]*\})?\n", text)
    if len(lines) > 1:
        path.write_text(text.replace(lines[-1], "", 1), encoding="utf-8")


def edit_article_body(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    path = rng.choice(sorted((content / "articles").glob("*.md")))
    path.write_text(path.read_text(encoding="utf-8") + f"\nA closing line, edit {step}.\n",
                    encoding="utf-8")


def add_event(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    actors = [p.stem for p in _files(content, "actors")]
    sources = [p.stem for p in _files(content, "sources")]
    places = [p.stem for p in _files(content, "places")]
    (content / "events" / f"added-{step}.yaml").write_text(
        f"id: added-{step}\ntitle: Added event {step}\ndate: 2024-0{rng.randint(1, 9)}\n"
        f"kind: other\nplace: {rng.choice(places)}\nactors: [{rng.choice(actors)}]\n"
        f"sources: [{{source: {rng.choice(sources)}}}]\n", encoding="utf-8")


def add_actor(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    (content / "actors" / f"added-actor-{step}.yaml").write_text(
        f"id: added-actor-{step}\nname: Added Actor {step}\nkind: person\n"
        f"summary: A person added at step {step}.\n", encoding="utf-8")


def remove_added(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    added = sorted([*content.glob("events/added-*.yaml"), *content.glob("actors/added-*.yaml")])
    if added:
        rng.choice(added).unlink()


def edit_settings(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    _replace_line(content / "site.yaml", r"^  en: (Kabul Brief.*)$", rf"  en: \1 {step}")


def edit_template(rng: random.Random, content: Path, templates: Path, step: int) -> None:
    name = rng.choice(["event.html", "actor.html", "base.html"])
    path = templates / name
    if not path.exists():
        shutil.copy(REPO / "templates" / name, path)
    path.write_text(path.read_text(encoding="utf-8") + f"\n{{# edit {step} #}}<!-- {step} -->\n",
                    encoding="utf-8")


EDITS: list[Edit] = [retitle_record, rename_actor, redate_event, drop_an_actor_of_an_event,
                     edit_article_body, add_event, add_actor, remove_added, edit_settings,
                     edit_template]


@settings(max_examples=4, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.sampled_from(EDITS), min_size=3, max_size=5), seed=st.integers(0, 9999))
def test_random_edits_leave_the_tree_of_a_full_build(
        tmp_path_factory: pytest.TempPathFactory, edits: list[Edit], seed: int) -> None:
    root = tmp_path_factory.mktemp("graph")
    content = copy_content(SHIPPED, root)
    templates = root / "templates"
    templates.mkdir()
    out = root / "site"
    run(content, out, templates)
    rng = random.Random(seed)
    for step, edit in enumerate(edits):
        edit(rng, content, templates, step)
        run(content, out, templates)
        assert tree(out) == full(content, root / "full", templates), f"step {step}: {edit.__name__}"


def test_jobs_2_renders_the_pages_on_several_processes(tmp_path: Path) -> None:
    """Each render notes the process it ran on: with ``--jobs 2`` the 1,671 pages of
    the benchmark's small archive are rendered by two processes other than the
    command's own, and with ``--jobs 1`` by the command itself."""
    import subprocess
    import sys

    from tests.conftest import run_isolated

    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "S", str(corpus)],
                   check=True, capture_output=True, timeout=300)
    for jobs, expected in (("2", 2), ("1", 0)):
        log = tmp_path / f"renders-{jobs}.txt"
        printed = run_isolated(f"""
            import os
            from kabul_brief.cli import main
            from kabul_brief.publish import render
            original = render.Renderer.render
            def noted(self, page):
                with open({str(log)!r}, "a", encoding="utf-8") as out:
                    out.write(f"{{os.getpid()}}\\n")
                return original(self, page)
            render.Renderer.render = noted
            assert main(["build", "--content", {str(corpus)!r}, "--out",
                         {str(tmp_path / ("out" + jobs))!r}, "--jobs", {jobs!r}, "-q"]) == 0
            print(os.getpid())
        """)
        parent = printed.split()[-1]
        pids = log.read_text(encoding="utf-8").split()
        others = set(pids) - {parent}
        assert len(others) == expected, (jobs, sorted(set(pids)), parent)
        assert len(pids) > 1600  # every page was rendered, by someone
