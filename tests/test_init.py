"""``kabul-brief init DIR``: a new site folder that checks without a warning and builds,
with one example of every kind, a ``.gitignore`` git honours, a GitHub Pages workflow
and a pre-commit configuration; a folder that holds anything is refused.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from kabul_brief import __version__
from tests.conftest import CliResult

REPO = Path(__file__).resolve().parents[1]
Run = Callable[..., CliResult]
KINDS = ("actors", "places", "events", "disputes", "relationships", "sources", "articles")


@pytest.fixture
def new_site(tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    made = run_cli("init", "desk/site")  # a folder and its parent, both missing
    assert made.code == 0, made.err
    assert made.err == ""
    site = tmp_path / "desk/site"
    monkeypatch.chdir(site)
    return site


def test_a_new_site_checks_with_no_warning_and_builds(new_site: Path, run_cli: Run) -> None:
    checked = run_cli("check", "--strict")
    assert checked.code == 0, checked.err
    assert checked.err == ""
    assert checked.out.strip() == ("content OK: 1 articles, 1 events, 2 actors, 1 places,"
                                   " 1 disputes, 1 relationships, 1 sources")
    built = run_cli("build", "--quiet", "--jobs", "1")
    assert built.code == 0, built.err
    assert built.err == ""
    out = new_site / "_site"
    for kind in KINDS:
        records = json.loads((out / "data" / f"{kind}.json").read_text("utf-8"))
        assert records, kind
    front = BeautifulSoup((out / "index.html").read_bytes(), "html.parser")
    assert front.title is not None and front.title.get_text().startswith("My Brief")


def test_the_examples_cite_and_link_each_other(new_site: Path, run_cli: Run) -> None:
    assert run_cli("build", "--quiet", "--jobs", "1").code == 0
    out = new_site / "_site"
    article = BeautifulSoup((out / "articles/welcome/index.html").read_bytes(), "html.parser")
    links = {str(a["href"]) for a in article.find_all("a", href=True)}
    for page in ("events/river-talks-2025-03/", "places/river-city/", "disputes/river-water/"):
        assert any(link.endswith(page) for link in links), page
    event = BeautifulSoup((out / "events/river-talks-2025-03/index.html").read_bytes(),
                          "html.parser")
    cited = {str(a["href"]) for a in event.find_all("a", href=True)}
    assert any("articles/welcome/#talks" in link for link in cited), sorted(cited)
    assert any(link.endswith("sources/talks-communique/") for link in cited), sorted(cited)


def test_git_ignores_what_the_build_writes(new_site: Path, run_cli: Run) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed: it is what reads the .gitignore")
    subprocess.run(["git", "init", "-q", str(new_site)], check=True)
    assert run_cli("build", "--quiet", "--jobs", "1").code == 0
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all",
                             "--ignored"], cwd=new_site, capture_output=True, text=True,
                            check=True).stdout.splitlines()
    ignored = {line[3:].split("/", 1)[0] for line in status if line.startswith("!! ")}
    untracked = {line[3:] for line in status if line.startswith("?? ")}
    assert "_site" in ignored
    assert not any(path.startswith("_site/") for path in untracked)
    assert ".github/workflows/site.yml" in untracked
    assert "content/site.yaml" in untracked


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_the_workflow_checks_builds_and_deploys_to_pages(new_site: Path) -> None:
    workflow = yaml.safe_load((new_site / ".github/workflows/site.yml").read_text("utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write",
                                       "id-token": "write"}
    steps = _steps(workflow)
    [checkout] = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0
    runs = [str(s.get("run", "")) for s in steps]
    assert any(re.match(r"python -m pip install \"\$KABUL_BRIEF\"$", run) for run in runs)
    assert workflow["env"]["KABUL_BRIEF"] == f"kabul-brief=={__version__}"
    check = next(i for i, run in enumerate(runs) if run.startswith("kabul-brief check"))
    build = next(i for i, run in enumerate(runs) if run.startswith("kabul-brief build"))
    upload = next(i for i, s in enumerate(steps)
                  if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@"))
    assert check < build < upload
    assert steps[upload]["with"]["path"] == "_site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_pre_commit_runs_the_check_on_content_changes(new_site: Path) -> None:
    config = yaml.safe_load((new_site / ".pre-commit-config.yaml").read_text("utf-8"))
    [hook] = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert hook["entry"] == "kabul-brief check"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "content/events/river-talks-2025-03.yaml")
    assert not re.search(hook["files"], "README.md")


def test_this_repository_publishes_the_check_as_a_pre_commit_hook() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "kabul-brief-check"
    assert hook["language"] == "python"
    assert hook["entry"] == "kabul-brief check"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "content/site.yaml")
    assert not re.search(hook["files"], "templates/base.html")


def test_init_refuses_a_folder_that_holds_anything(tmp_path: Path, run_cli: Run) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("ours\n", encoding="utf-8")
    refused = run_cli("init", str(taken))
    assert refused.code == 2
    assert refused.err.splitlines() == [
        f"kabul-brief init: error: {taken} is not empty; give a new or empty folder"]
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]


def test_init_refuses_a_file(tmp_path: Path, run_cli: Run) -> None:
    file = tmp_path / "site"
    file.write_text("ours\n", encoding="utf-8")
    refused = run_cli("init", str(file))
    assert refused.code == 2
    assert refused.err.splitlines() == [f"kabul-brief init: error: {file} is a file,"
                                        " not a folder"]
    assert file.read_text("utf-8") == "ours\n"


def test_init_fills_an_empty_folder(tmp_path: Path, run_cli: Run) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("init", str(empty)).code == 0
    assert (empty / "content/site.yaml").is_file()
    assert (empty / ".gitignore").read_text("utf-8").splitlines() == [
        "_site/", ".kabul-brief-cache/"]


def test_init_says_so_when_the_package_lacks_its_starter_site(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kabul_brief import newsite

    monkeypatch.setattr(newsite, "STARTER", tmp_path / "missing")
    refused = run_cli("init", str(tmp_path / "site"))
    assert refused.code == 2
    assert refused.err.splitlines() == [
        "kabul-brief init: error: the package's starter site is missing from"
        f" {tmp_path / 'missing'}; reinstall kabul-brief"]
    assert not (tmp_path / "site").exists()
