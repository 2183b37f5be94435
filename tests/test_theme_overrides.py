"""A site's own ``templates/``, beside its ``content/``, overrides the theme file by file:
a stylesheet, a page template, a partial every page includes; editing or removing an
override rebuilds; ``--templates DIR`` names another folder; the preview takes them too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from kabul_brief.folders import package_theme
from tests.conftest import CliResult
from tests.test_serve import fetch, free_port, wait_for
from tests.test_site_incremental import tree

REPO = Path(__file__).resolve().parents[1]
Run = Callable[..., CliResult]
OWN_CSS = "body { color: rebeccapurple }\n"
OWN_EVENT = ('{% extends "base.html" %}{% block content %}'
             '<p id="own-event">{{ page.title }}</p>{% endblock %}\n')


def _build(run_cli: Run, *args: str) -> CliResult:
    result = run_cli("build", "--jobs", "1", *args)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result


def _page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / "_site" / path / "index.html").read_bytes(), "html.parser")


def _override(site: Path, relative: str, text: str) -> Path:
    path = site / "templates" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sites_stylesheet_replaces_the_themes_and_the_other_static_files_stay(
    good_site: Path, run_cli: Run
) -> None:
    _override(good_site, "static/style.css", OWN_CSS)
    _build(run_cli)
    static = good_site / "_site/static"
    assert (static / "style.css").read_text("utf-8") == OWN_CSS
    assert (static / "search.js").read_bytes() == (package_theme() / "static/search.js"
                                                   ).read_bytes()


def test_a_sites_page_template_replaces_the_themes_for_those_pages_only(
    good_site: Path, run_cli: Run
) -> None:
    _build(run_cli)
    before = tree(good_site / "_site")
    _override(good_site, "event.html", OWN_EVENT)
    _build(run_cli)
    after = tree(good_site / "_site")
    event = _page(good_site, "events/kabul-meeting")
    mark = event.find(id="own-event")
    assert mark is not None and mark.get_text() == "Indian delegation meets Muttaqi in Kabul"
    changed = {path for path in before if before[path] != after.get(path)}
    assert changed, "the override changed nothing"
    assert all(path.startswith("events/") for path in changed
               if path.endswith(".html")), sorted(changed)
    assert after["index.html"] == before["index.html"]


def test_a_sites_partial_is_used_by_the_themes_own_templates(
    good_site: Path, run_cli: Run
) -> None:
    _override(good_site, "partials/footer.html", '<footer id="own-footer">Our desk</footer>\n')
    _build(run_cli)
    for path in ("", "articles/kabul-outreach", "actors/india", "events/kabul-meeting"):
        footer = _page(good_site, path).find(id="own-footer")
        assert footer is not None and footer.get_text() == "Our desk", path


def test_editing_or_removing_an_override_builds_again(good_site: Path, run_cli: Run) -> None:
    _build(run_cli, "--out", "plain")
    css = _override(good_site, "static/style.css", OWN_CSS)
    event = _override(good_site, "event.html", OWN_EVENT)
    _build(run_cli)
    css.write_text("body { color: teal }\n", encoding="utf-8")
    event.write_text(OWN_EVENT.replace("own-event", "edited-event"), encoding="utf-8")
    edited = _build(run_cli)
    assert "up to date" not in edited.out
    assert (good_site / "_site/static/style.css").read_text("utf-8") == "body { color: teal }\n"
    assert _page(good_site, "events/kabul-meeting").find(id="edited-event") is not None
    css.unlink()
    event.unlink()
    removed = _build(run_cli)
    assert "up to date" not in removed.out
    # the manifest records the sources, the folder of overrides too; the graph, the
    # digest of the templates (an empty folder of overrides among them)
    records = {".kabul-brief-manifest.json", ".kabul-brief-graph"}
    assert ({p: b for p, b in tree(good_site / "_site").items() if p not in records}
            == {p: b for p, b in tree(good_site / "plain").items() if p not in records})


def test_templates_option_names_the_sites_templates_folder(
    good_site: Path, run_cli: Run
) -> None:
    _override(good_site, "static/style.css", "body { color: red }\n")  # not the one used
    other = good_site / "desk-theme"
    (other / "static").mkdir(parents=True)
    (other / "static/style.css").write_text(OWN_CSS, encoding="utf-8")
    _build(run_cli, "--templates", "desk-theme")
    assert (good_site / "_site/static/style.css").read_text("utf-8") == OWN_CSS


def test_the_preview_uses_the_overrides_and_rebuilds_when_they_change(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "tests/fixtures/model/good", site)
    css = _override(site, "static/style.css", OWN_CSS)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kabul_brief", "serve", "--port", str(port)],
        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    stylesheet = f"http://127.0.0.1:{port}/static/style.css"
    try:
        wait_for("the override", lambda: fetch(stylesheet) == (200, OWN_CSS))
        css.write_text("body { color: teal }\n", encoding="utf-8")
        wait_for("the edited override", lambda: fetch(stylesheet)[1] == "body { color: teal }\n")
        css.unlink()
        theme = (package_theme() / "static/style.css").read_text("utf-8")
        wait_for("the theme's stylesheet", lambda: fetch(stylesheet)[1] == theme)
    finally:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
