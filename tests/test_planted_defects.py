"""Defects planted by hand in the code that no test used to catch, one test each: the
pictures' labels escaped, a renamed standing page in every footer after a rebuild,
``--jobs`` really forking, ``--strict`` on builds with work to do, warnings as GitHub
annotations, and ``--timings``. docs/testing.md says how each was planted."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag
from conftest import CliResult, mutate, run_isolated
from test_site_support import BASIC, HOSTILE, build, copy_content, one, page, tree

# -- a. the pictures' labels are text, never markup -------------------------------------

BOLD = "<b onmouseover=alert(1)>X</b>"
BREAKOUT = '"><script>alert(1)</script>'
SVG_ELEMENTS = {"svg", "title", "g", "a", "line", "circle", "text", "rect", "path",
                "polyline"}
"""Every element the templates draw pictures with; anything else came from content."""


@pytest.fixture(scope="module")
def hostile_names(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile site with its two connected actors renamed to markup, so both are
    drawn on the network picture, and on their time strips."""
    root = tmp_path_factory.mktemp("names")
    content = copy_content(HOSTILE, root)
    mutate(root, "content/actors/evil.yaml",
           "name: \"Evil </script><script>alert('name')</script>\"", "name: '" + BOLD + "'")
    mutate(root, "content/actors/evil.yaml",
           "name: Other \" onmouseover=\"alert(1)", "name: '" + BREAKOUT + "'")
    out = root / "site"
    assert build(content, out) == 0
    return out


def _assert_only_text(svg: Tag, where: str) -> None:
    for element in [svg, *svg.find_all(True)]:
        assert element.name in SVG_ELEMENTS, (where, str(element)[:200])
        assert not [a for a in element.attrs if a.lower().startswith("on")], (where, element)
    for string in svg.find_all(string=True):
        if "alert" in string:
            assert isinstance(string, NavigableString)
            assert string.parent is not None and string.parent.name in ("text", "title"), (
                where, string)


def test_the_network_draws_markup_in_names_as_text(hostile_names: Path) -> None:
    soup = page(hostile_names, "network/")
    for variant in ("svg.network-wide", "svg.network-narrow"):  # wide screens, phones
        svg = one(soup, variant)
        _assert_only_text(svg, "network/")
        labels = sorted(text.get_text() for text in svg.select("a.node > text"))
        # a long name is cut short in the picture; its mark's title says it whole
        assert all(label == name or (label.endswith("\u2026") and name.startswith(label[:-1]))
                   for label, name in zip(labels, sorted([BOLD, BREAKOUT]), strict=True))
        titles = sorted(title.get_text() for title in svg.select("a.node > title"))
        assert all(title.startswith(name) for title, name in
                   zip(titles, sorted([BOLD, BREAKOUT]), strict=True))
        assert sorted(str(a["data-actor"]) for a in svg.select("a.node")) == ["evil", "other"]


def test_every_picture_shows_markup_in_content_as_text(hostile_names: Path) -> None:
    pictures = 0
    for file in sorted(hostile_names.rglob("*.html")):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for svg in soup.select("svg.chart-svg"):
            pictures += 1
            _assert_only_text(svg, str(file.relative_to(hostile_names)))
    assert pictures >= 3  # the network, the timeline's strip and an actor's strip at least
    strip = one(page(hostile_names, "actors/evil/"), "figure.time-strip svg > title")
    assert BOLD in strip.get_text()


# -- b. a renamed standing page, in every footer after an incremental rebuild -----------


def test_renaming_a_standing_page_renders_every_footer_again(tmp_path: Path) -> None:
    content = copy_content(BASIC, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    about = content / "pages" / "about.md"
    about.write_text(about.read_text("utf-8").replace(
        "title: About this site", "title: Who we are"), "utf-8")
    assert build(content, out) == 0
    footers = 0
    for file in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        links = soup.select("footer.site-footer ul.footer-links a")
        if not links:
            assert file.relative_to(out).parts[0] == "pagefind", file
            continue
        footers += 1
        texts = [a.get_text() for a in links]
        assert "Who we are" in texts and "About this site" not in texts, file
    assert footers > 20
    assert one(page(out, "about/"), "h1").get_text() == "Who we are"
    shutil.rmtree(tmp_path / "full", ignore_errors=True)
    assert build(content, tmp_path / "full") == 0
    assert tree(out) == tree(tmp_path / "full")


# -- c. --jobs N renders on N processes ----------------------------------------------------

RENDERERS = """
import os, time
from kabul_brief import workers
from kabul_brief.cli import main
from kabul_brief.publish import render

workers.MIN_ITEMS_PER_WORKER = 1  # the small fixture has too few pages to fork for
workers.CHUNK = 1
assert workers.can_fork()
original = render.Renderer.render
first = True

def recording(self, page):
    global first
    with open({log!r}, "a", encoding="utf-8") as log:
        log.write(f"{{os.getpid()}}\\n")
    if {jobs} > 1 and first:  # each process's first page waits for another to start
        first = False
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with open({log!r}, encoding="utf-8") as log:
                if len(set(log.read().split())) > 1:
                    break
            time.sleep(0.01)
    return original(self, page)

render.Renderer.render = recording
assert main(["build", "--content", {content!r}, "--out", {out!r}, "--jobs", "{jobs}",
             "--quiet"]) == 0
print(os.getpid())
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_jobs_is_the_number_of_processes_that_render(tmp_path: Path, jobs: int) -> None:
    log = tmp_path / "renderers.txt"
    parent = run_isolated(RENDERERS.format(log=str(log), content=str(BASIC),
                                           out=str(tmp_path / "site"), jobs=jobs))
    renderers = log.read_text("utf-8").split()  # one line per page or XML file rendered
    assert len(renderers) > 20
    if jobs == 1:
        assert set(renderers) == {parent.strip()}
    else:
        assert len(set(renderers)) == jobs and parent.strip() not in renderers


# -- d. build --strict stops at a warning, whatever there is to do --------------------------

WARNING = ("content/events/kabul-meeting.yaml:1:1: {} event 'kabul-meeting' has no place"
           " [event-without-place]")


def _strict_build(run_cli: Callable[..., CliResult], out: Path) -> CliResult:
    result = run_cli("build", "--out", str(out), "--strict")
    assert result.code == 1
    assert result.error_lines == [WARNING.format("error:")]
    assert result.err.splitlines()[-1] == (
        "1 error found (warnings, with --strict); nothing was written.")
    assert "Traceback" not in result.err and result.out == ""
    return result


def test_build_strict_writes_nothing_on_a_first_build_a_rebuild_and_an_up_to_date_one(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/events/kabul-meeting.yaml", "place: kabul\n", "")
    out = good_site / "out"
    _strict_build(run_cli, out)
    assert not out.exists()
    built = run_cli("build", "--out", str(out))
    assert built.code == 0 and WARNING.format("warning:") in built.err.splitlines()
    before = tree(out)
    mutate(good_site, "content/events/kabul-meeting.yaml", "title: ", "title: Revised ")
    _strict_build(run_cli, out)  # a rebuild with work to do
    assert tree(out) == before
    assert run_cli("build", "--out", str(out)).code == 0
    before = tree(out)
    assert run_cli("build", "--out", str(out)).out.startswith("up to date")
    _strict_build(run_cli, out)  # nothing to do
    assert tree(out) == before


# -- e. warnings as GitHub annotations -------------------------------------------------------


def test_check_github_format_prints_warnings_and_errors_as_annotations(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/events/kabul-meeting.yaml", "place: kabul\n", "")
    (good_site / "content/sources/unread.yaml").write_text(
        "id: unread\ntitle: Unread report\n", encoding="utf-8")
    warnings = [
        "::{} file=content/events/kabul-meeting.yaml,line=1,col=1,title=event-without-place"
        "::event 'kabul-meeting' has no place%0AAdd place: PLACE-ID so the event shows on its"
        " place's page.",
        "::{} file=content/sources/unread.yaml,line=1,col=1,title=unused-source"
        "::source 'unread' is not cited by any fact or article%0ACite it with"
        " {{source: unread}}, or remove it.",
    ]
    result = run_cli("check", "--format", "github")
    assert result.code == 0
    assert result.out.splitlines()[:2] == [line.format("warning") for line in warnings]
    assert result.err == ""
    strict = run_cli("check", "--format", "github", "--strict")
    assert strict.code == 1
    assert strict.out.splitlines() == [line.format("error") for line in warnings]


# -- f. build --timings ------------------------------------------------------------------------

TIMING = re.compile(r"^  +(?P<seconds>\d+\.\d\d) s  (?P<phase>[a-z ]+)$")
PHASES = ["check for changes", "load and link", "warnings", "plan", "what changed",
          "render and write", "search index", "manifest", "swap"]


def test_build_timings_prints_each_phase_with_its_time(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("build", "--out", str(good_site / "out"), "--timings")
    assert result.code == 0
    lines = result.out.splitlines()
    timings = [match for line in lines if (match := TIMING.match(line))]
    assert [m["phase"] for m in timings] == PHASES
    seconds = [float(m["seconds"]) for m in timings]
    total = float(re.search(r" in (\d+\.\d\d) s:$", lines[0])[1])  # type: ignore[index]
    assert all(s >= 0 for s in seconds) and sum(seconds) <= total + 0.01 * len(seconds)
    assert "Traceback" not in result.err
    quiet = run_cli("build", "--out", str(good_site / "out"))
    assert not [line for line in quiet.out.splitlines() if TIMING.match(line)]
