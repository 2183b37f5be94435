"""The resident preview: `serve` keeps the model and what each page read, shows an
edit's record pages before its build has done the rest, tells only the browsers
showing a changed page to reload, and serves, once the build is done, exactly the
tree a full build of the same content writes."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_site_graph import EDITS, Edit, add_event, edit_article_body, redate_event, rename_actor
from test_site_support import SHIPPED, copy_content, tree

from kabul_brief.cli import main
from kabul_brief.pipeline import Build, BuildRequest, Resident
from kabul_brief.serve import RELOAD_SCRIPT
from tests.conftest import main_text, set_main_text
from tests.test_serve import REPO, WAIT, fetch, free_port, wait_for

EVENT = "kabul-delegation-2025-04"


class Serving:
    """A real `kabul-brief serve`, its output read as it comes."""

    def __init__(self, content: Path, templates: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kabul_brief", "serve", "--content", str(content),
             "--templates", str(templates), "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")})
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def rebuilds(self) -> int:
        return sum(line.startswith("rebuilt") for line in list(self.lines))

    def get(self, path: str) -> bytes | None:
        import urllib.error
        import urllib.request
        try:
            with urllib.request.urlopen(self.base + "/" + path, timeout=10) as answer:
                return bytes(answer.read())
        except urllib.error.HTTPError as error:
            return None if error.code == 404 else bytes(error.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reader.join(timeout=WAIT)
        if self.process.stdout is not None:
            self.process.stdout.close()


def served_equals_full_build(serving: Serving, content: Path, templates: Path,
                             full: Path) -> None:
    """Every file a full build of the same content writes is served with its bytes (the
    pages with the reload script the preview adds); a page the build no longer writes
    is not found."""
    if full.exists():
        shutil.rmtree(full)
    assert main(["build", "--content", str(content), "--templates", str(templates),
                 "--out", str(full), "--drafts", "--base-url", serving.base + "/", "-q"]) == 0
    expected = tree(full)
    for path, data in expected.items():
        if path.endswith(".html"):
            data = data.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
        assert serving.get(path) == data, path


@pytest.fixture
def serving(tmp_path: Path) -> tuple[Serving, Path, Path]:
    content = copy_content(SHIPPED, tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    running = Serving(content, templates)
    wait_for("the first build", lambda: running.rebuilds() == 1)
    yield running, content, templates  # type: ignore[misc]
    running.stop()


def _edit_and_wait(running: Serving, edit: Edit, rng: random.Random, content: Path,
                   templates: Path, step: int) -> None:
    """Edit, then wait until the preview has rebuilt and said nothing more for a second
    (one save can be two changes, and so two rebuilds)."""
    done = running.rebuilds()
    edit(rng, content, templates, step)
    deadline = time.monotonic() + 120
    wait_for("a rebuild", lambda: running.rebuilds() > done)
    quiet_since, said = time.monotonic(), len(running.lines)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if len(running.lines) != said:
            quiet_since, said = time.monotonic(), len(running.lines)
        elif (time.monotonic() - quiet_since > 1.0
              and running.lines[-1].startswith("rebuilt")):
            return
    raise AssertionError("the preview did not settle")


def test_after_random_edits_the_preview_serves_the_tree_of_a_full_build(
        serving: tuple[Serving, Path, Path], tmp_path: Path) -> None:
    running, content, templates = serving
    rng = random.Random(int(os.environ.get("KABUL_BRIEF_TEST_SEED", "20261202")))
    for step in range(6):
        edit = rng.choice(EDITS)
        _edit_and_wait(running, edit, rng, content, templates, step)
        assert "Traceback" not in "".join(running.lines)
        served_equals_full_build(running, content, templates, tmp_path / "full")


def _version(running: Serving, page: str) -> str:
    return fetch(f"{running.base}/__kabul-brief/version?page={page}")[1]


def test_only_the_browsers_showing_a_changed_page_reload(
        serving: tuple[Serving, Path, Path]) -> None:
    running, content, _ = serving
    shown, other = f"/events/{EVENT}/", "/events/pahalgam-attack/"
    before = {page: _version(running, page) for page in (shown, other)}
    event = content / "events" / f"{EVENT}.yaml"
    event.write_text(set_main_text(event.read_text(encoding="utf-8"), "title",
                                   "Delegation talks in Kabul"), encoding="utf-8")
    wait_for("the edited page", lambda: b"Delegation talks in Kabul" in (running.get(
        shown.lstrip("/")) or b""))
    wait_for("its new version", lambda: _version(running, shown) != before[shown])
    wait_for("the rebuild", lambda: running.rebuilds() >= 2)
    assert _version(running, other) == before[other]


def test_an_edit_shows_before_its_build_with_the_bytes_the_build_writes(
        tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    resident = Resident(content)
    request = BuildRequest(content=content, out=out, drafts=True, resident=resident)
    Build(request).run()
    rng = random.Random(7)
    for step, edit in enumerate([rename_actor, redate_event, edit_article_body, add_event,
                                 rename_actor]):
        edit(rng, content, tmp_path, step)
        shown = resident.show_edit(request)
        early = {path: (out / path).read_bytes() for path in shown}
        Build(request).run()
        assert shown, edit.__name__
        assert early == {path: (out / path).read_bytes() for path in shown}, edit.__name__
        assert tree(out) == _full(content, tmp_path / "full")


def test_an_edit_undone_before_its_build_is_not_taken_for_no_change(tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    resident = Resident(content)
    request = BuildRequest(content=content, out=out, drafts=True, resident=resident)
    Build(request).run()
    before = tree(out)
    event = content / "events" / f"{EVENT}.yaml"
    original = event.read_text(encoding="utf-8")
    # the same length: the pages it touches keep their sizes, all the "up to date" check reads
    event.write_text(_indien(original), encoding="utf-8")
    assert resident.show_edit(request)
    event.write_text(original, encoding="utf-8")  # undone before the build ran
    Build(request).run()
    assert tree(out) == before


def _full(content: Path, into: Path) -> dict[str, bytes]:
    if into.exists():
        shutil.rmtree(into)
    Build(BuildRequest(content=content, out=into, drafts=True)).run()
    return tree(into)





def test_an_edit_keeping_size_and_modification_time_is_still_seen(tmp_path: Path) -> None:
    """The preview trusts a file's stat to skip reading it again only with its change
    time, which no edit can set back (``cp -p``, ``rsync -a``, ``touch -r``)."""
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    resident = Resident(content)
    request = BuildRequest(content=content, out=out, drafts=True, resident=resident)
    Build(request).run()
    time.sleep(2.1)  # the files have settled: the next load remembers their stat
    resident.show_edit(request)
    Build(request).run()
    event = content / "events" / f"{EVENT}.yaml"
    status = event.stat()
    text = event.read_text(encoding="utf-8")
    event.write_text(_indien(text), encoding="utf-8")
    os.utime(event, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert event.stat().st_size == status.st_size
    shown = resident.show_edit(request)
    assert f"events/{EVENT}/index.html" in shown
    Build(request).run()
    assert b"Indien delegation" in (out / "events" / EVENT / "index.html").read_bytes()
    assert tree(out) == _full(content, tmp_path / "full")


@pytest.mark.parametrize("seed", range(6))
def test_relinking_an_edit_gives_the_model_a_whole_link_gives(tmp_path: Path, seed: int) -> None:
    """An edit of events, sources, disputes or relationships is linked again record by
    record (the preview's fast way); the model must be the one linking everything gives,
    reverse indexes and all."""
    from test_site_graph import drop_an_actor_of_an_event, retitle_record

    from kabul_brief.content.linker import link_keeping, relink
    from kabul_brief.content.loader import LoadCache, load_content
    from kabul_brief.errors import ErrorSink

    content = copy_content(SHIPPED, tmp_path)
    files = LoadCache(None)  # in memory: unchanged files give the same record objects

    def loaded() -> Any:
        files.begin()  # as the preview does before each load
        return load_content(content, str(content), ErrorSink(), 1, files)

    site, state = link_keeping(loaded(), ErrorSink(), drafts=True)
    assert site is not None and state is not None
    rng = random.Random(seed)
    for step in range(4):
        edit = rng.choice([retitle_record, redate_event, drop_an_actor_of_an_event])
        edit(rng, content, tmp_path, step)
        again = loaded()
        quick = relink(state, again, ErrorSink())
        whole, whole_state = link_keeping(again, ErrorSink(), drafts=True)
        assert quick is not None, edit.__name__  # the fast way was taken
        assert quick[0] == whole, edit.__name__
        assert whole_state is not None
        state = whole_state


def test_an_edit_relink_cannot_take_links_everything(tmp_path: Path) -> None:
    from kabul_brief.content.linker import link_keeping, relink
    from kabul_brief.content.loader import LoadCache, load_content
    from kabul_brief.errors import ErrorSink

    content = copy_content(SHIPPED, tmp_path)
    files = LoadCache(None)
    _, state = link_keeping(load_content(content, str(content), ErrorSink(), 1, files),
                            ErrorSink(), drafts=True)
    assert state is not None
    rename_actor(random.Random(1), content, tmp_path, 0)  # auto-links change everywhere
    files.begin()
    assert relink(state, load_content(content, str(content), ErrorSink(), 1, files),
                  ErrorSink()) is None


def test_a_missing_page_polls_the_version_of_the_404_page(
        serving: tuple[Serving, Path, Path]) -> None:
    """A browser left on a missing page is shown ``404.html``: it reloads when that does."""
    running, content, _ = serving
    assert _version(running, "/no/such/") == _version(running, "/404.html")
    settings = content / "site.yaml"
    settings.write_text(settings.read_text("utf-8").replace(
        "tagline: Tracking the diplomacy around Afghanistan", "tagline: Observing"), "utf-8")
    wait_for("the rebuild", lambda: running.rebuilds() >= 2)
    assert _version(running, "/no/such/") == _version(running, "/404.html")
    assert _version(running, "/no/such/").split(".")[1] != "0"


def test_a_template_syntax_error_in_serve_is_one_line(
        serving: tuple[Serving, Path, Path]) -> None:
    running, _, templates = serving
    (templates / "partials").mkdir(exist_ok=True)
    footer = templates / "partials" / "footer.html"
    footer.write_text("{% if %}\n", encoding="utf-8")
    wait_for("the failed build", lambda: any("the build failed" in line
                                             for line in list(running.lines)))
    said = "".join(running.lines)
    assert "Traceback" not in said
    assert "partials/footer.html:1: error: template: " in said


def _indien(text: str) -> str:
    """The event's English title with one letter changed: the file keeps its size."""
    title = main_text(text, "title")
    assert title.startswith("Indian")
    return set_main_text(text, "title", "Indien" + title.removeprefix("Indian"))
