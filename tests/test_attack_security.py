"""Nothing let in: a hostile base URL (site.yaml or ``--base-url``), hostile titles in
the TimelineJS file, planted cache files and a planted ``pagefind`` module in the
working folder neither run code nor put markup in what the build writes."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import GOOD_SITE, CliResult
from test_site_support import BASIC, REPO, broken_links, tree

from kabul_brief.folders import CACHE_FOLDER, cache_folder

HOSTILE_TEXT = "<img src=x onerror=alert(1)>"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

HOSTILE_BASE_URLS = [
    'https://example.org/"><script>alert(1)</script>/',
    "https://example.org/<img src=x onerror=alert(1)>/",
    "https://example.org/a'onmouseover='alert(1)/",
    'https://example.org"onclick="alert(1)/',
    "https://example.org/a b/",
    "https://example.org/a\tb/",
    "https://example.org/a`b/",
    "https://example.org/a\\b/",
    "https://[::1/",
    "https://[not-ipv6]/",
    "https://example.org/?q=1",
    "https://example.org/?",
    "https://example.org/#top",
    "https://user:pw@example.org/",
    "https://user@example.org/",
    "https://example.org:abc/",
    "https://example.org:99999/",
    "https://example.org:0/",
    "https://example.org//evil.example/",
    "https://example.org/a/../b/",
    "https://exa_mple.org/",
    "https://-example.org/",
    "https://example..org/",
    "https:///path/",
    "javascript:alert(1)//",
    "ftp://example.org/",
    "//example.org/",
    "example.org",
    "",
    " https://example.org/",
    "https://example.org/\n",
    "https://example.org/\u2028/",
]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the basic fixture site; the working folder is its root, so error paths
    read ``content/...``."""
    root = tmp_path / "site"
    shutil.copytree(BASIC, root / "content")
    monkeypatch.chdir(root)
    return root


def _set_site_field(root: Path, name: str, value: str) -> None:
    """Replace one line of site.yaml by ``name: "value"`` (a JSON string is a YAML
    double-quoted scalar), keeping its line number."""
    path = root / "content" / "site.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(n for n, line in enumerate(lines) if line.startswith(f"{name}:"))
    lines[index] = f"{name}: {json.dumps(value)}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- 1. the base URL: one check, for both routes --------------------------------------


@pytest.mark.parametrize("base_url", HOSTILE_BASE_URLS)
def test_a_hostile_base_url_flag_is_a_one_line_usage_error_and_writes_nothing(
        site: Path, run_cli: Callable[..., CliResult], base_url: str) -> None:
    result = run_cli("build", "--content", "content", "--out", "out", "--base-url", base_url)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err + result.out
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kabul-brief build: error: base URL "), lines
    assert not (site / "out").exists()


@pytest.fixture(scope="module")
def old_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built from the basic content, to stand as the old --out."""
    from kabul_brief.cli import main

    out = tmp_path_factory.mktemp("old") / "out"
    assert main(["build", "--content", str(BASIC), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.mark.parametrize("base_url", HOSTILE_BASE_URLS)
def test_a_hostile_base_url_in_site_yaml_is_the_same_positioned_error_in_check_and_build(
        site: Path, run_cli: Callable[..., CliResult], old_site: Path, base_url: str) -> None:
    _set_site_field(site, "base_url", base_url)
    shutil.copytree(old_site, site / "out")
    before = tree(site / "out")
    checked = run_cli("check", "--content", "content")
    built = run_cli("build", "--content", "content", "--out", "out")
    for result in (checked, built):
        assert result.code == 1, result.err
        assert "Traceback" not in result.err + result.out
        assert len(result.error_lines) == 1, result.err
        assert result.error_lines[0].startswith("content/site.yaml:3:11: error: "), result.err
        assert result.error_lines[0].endswith(("[base-url]", "[url]", "[empty]")), result.err
    assert checked.error_lines == built.error_lines
    assert tree(site / "out") == before  # the old --out is left as it was


def test_the_base_url_the_issue_names_is_refused_by_check_with_its_position(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    """``https://[::1/`` and a query passed the field check and were refused by the
    build alone, without a position."""
    for base_url in ("https://[::1/", "https://example.org/?q=1"):
        _set_site_field(site, "base_url", base_url)
        result = run_cli("check", "--content", "content")
        assert result.code == 1
        assert result.error_lines[0].startswith("content/site.yaml:3:11: error: base URL ")
        assert result.error_lines[0].endswith("[base-url]")


@pytest.mark.parametrize(("given", "normalized"), [
    ("https://EXAMPLE.org:8443/Kabul%20Brief", "https://example.org:8443/Kabul%20Brief/"),
    ("http://[::1]:8000/brief/", "http://[::1]:8000/brief/"),
    ("https://example.org", "https://example.org/"),
])
def test_what_check_accepts_build_builds_with_the_same_normalized_base(
        site: Path, run_cli: Callable[..., CliResult], given: str, normalized: str) -> None:
    _set_site_field(site, "base_url", given)
    assert run_cli("check", "--content", "content").code == 0
    result = run_cli("build", "--content", "content", "--out", "out")
    assert result.code == 0, result.err
    assert f" for {normalized} in " in result.out
    data = json.loads((site / "out" / "data" / "site.json").read_text(encoding="utf-8"))
    assert data["settings"]["base_url"] == normalized
    flag = run_cli("build", "--content", "content", "--out", "out2", "--base-url", given)
    assert flag.code == 0, flag.err
    built, flagged = tree(site / "out"), tree(site / "out2")
    for files in (built, flagged):  # records what the build was given, flag or not
        del files[".kabul-brief-manifest.json"]
    assert built == flagged


# A valid address whose characters mean something in HTML and XML: written unescaped,
# a parser reads ``a<b`` (or fails on a bare ``&``); escaped, it reads it back as given.
TRICKY_BASE = "https://example.org/r&d&lt;b/"
TRICKY_ROOT = "/r&d&lt;b/"


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("tricky")
    shutil.copytree(BASIC, root / "content")
    _set_site_field(root, "base_url", TRICKY_BASE)
    from kabul_brief.cli import main

    assert main(["build", "--content", str(root / "content"), "--out", str(root / "out"),
                 "--quiet"]) == 0
    yield root / "out"


def _links(fragment: str) -> list[str]:
    return [str(a["href"]) for a in BeautifulSoup(fragment, "html.parser").find_all(
        "a", href=True)]


def _html_fields(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("html"), str):
            yield value["html"]
        for item in value.values():
            yield from _html_fields(item)
    elif isinstance(value, list):
        for item in value:
            yield from _html_fields(item)


def test_pages_carry_the_base_url_escaped(tricky: Path) -> None:
    assert broken_links(tricky, TRICKY_BASE) == []
    files = sorted(p for p in tricky.rglob("*.html") if "pagefind" not in p.parts)
    internal = 0
    for file in files:
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for element in soup.find_all(True):
            assert isinstance(element, Tag)
            for name, value in element.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                assert "r&d<b" not in text, f"{file}: {name}={text!r}"
                if name in ("href", "src") and text.startswith("/"):
                    assert text.startswith(TRICKY_ROOT), f"{file}: {name}={text!r}"
                    internal += 1
        canonical = soup.find("link", rel="canonical")
        if canonical is not None:
            assert str(canonical["href"]).startswith(TRICKY_BASE)
    assert internal > 100
    article = BeautifulSoup((tricky / "articles" / "outreach" / "index.html").read_text(
        encoding="utf-8"), "html.parser")
    record_links = [h for h in _links(str(article.main)) if "/actors/" in h]
    assert record_links and all(h.startswith(TRICKY_ROOT) for h in record_links)


def test_feed_sitemap_and_data_files_carry_the_base_url_escaped(tricky: Path) -> None:
    feed = ElementTree.parse(tricky / "feed.xml").getroot()  # a bare & would not parse
    assert feed.findtext(f"{ATOM}id") == TRICKY_BASE
    entry_links = [link.get("href", "") for link in feed.iter(f"{ATOM}link")]
    assert entry_links and all(h.startswith(TRICKY_BASE) for h in entry_links)
    bodies = [c.text or "" for c in feed.iter(f"{ATOM}content")]
    record_links = [h for body in bodies for h in _links(body) if "/actors/" in h]
    assert record_links and all(h.startswith(TRICKY_BASE) for h in record_links)

    sitemap = ElementTree.parse(tricky / "sitemap.xml").getroot()
    locations = [loc.text or "" for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert locations and all(loc.startswith(TRICKY_BASE) for loc in locations)

    html_links = []
    for file in sorted((tricky / "data").glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        html_links += [h for fragment in _html_fields(data) for h in _links(fragment)]
    assert json.loads((tricky / "data" / "site.json").read_text())["settings"][
        "base_url"] == TRICKY_BASE
    internal = [h for h in html_links if "example.org" in h]
    assert internal and all(h.startswith(TRICKY_BASE) for h in internal), internal

    timeline = json.loads((tricky / "data" / "timeline.json").read_text(encoding="utf-8"))
    event_links = [h for event in timeline["events"] for h in _links(event["text"]["text"])]
    assert event_links and all(h.startswith(TRICKY_BASE) for h in event_links)
    assert [_links(event["text"]["text"])[-1] for event in timeline["events"]] == [
        f"{TRICKY_BASE}events/{event['unique_id']}/" for event in timeline["events"]]
    summary_links = [h for h in event_links if "/places/" in h]
    assert summary_links and all(h.startswith(TRICKY_BASE) for h in summary_links)


# -- 2. TimelineJS renders its texts as HTML ---------------------------------------


def test_timeline_json_holds_plain_text_escaped(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    _set_site_field(site, "title", HOSTILE_TEXT)
    _set_site_field(site, "tagline", HOSTILE_TEXT)
    events = site / "content" / "events" / "events.yaml"
    text = events.read_text(encoding="utf-8")
    assert text.count("title: Taliban take Kabul\n") == 1
    events.write_text(text.replace("title: Taliban take Kabul\n",
                                   f"title: {json.dumps(HOSTILE_TEXT)}\n"), encoding="utf-8")
    result = run_cli("build", "--content", "content", "--out", "out")
    assert result.code == 0, result.err
    timeline = json.loads((site / "out" / "data" / "timeline.json").read_text())
    slides = [timeline["title"], *timeline["events"]]
    shown = []
    for slide in slides:
        fields = [slide["text"]["headline"], slide["text"]["text"],
                  slide.get("display_date", ""), slide.get("group", "")]
        for field in fields:
            soup = BeautifulSoup(field, "html.parser")
            assert soup.find("script") is None, field
            assert soup.find("img") is None, field
            for element in soup.find_all(True):
                assert isinstance(element, Tag)
                assert not any(name.lower().startswith("on") for name in element.attrs), field
                for value in element.attrs.values():
                    assert not str(value).strip().lower().startswith("javascript:"), field
        shown.append(BeautifulSoup(slide["text"]["headline"], "html.parser").get_text())
    assert shown[0] == f"{HOSTILE_TEXT}: timeline"
    assert BeautifulSoup(timeline["title"]["text"]["text"], "html.parser").get_text() == (
        HOSTILE_TEXT)
    takeover = next(e for e in timeline["events"] if e["unique_id"] == "takeover")
    assert BeautifulSoup(takeover["text"]["headline"], "html.parser").get_text() == (
        HOSTILE_TEXT)
    link = BeautifulSoup(takeover["text"]["text"], "html.parser").find_all("a")[-1]
    assert link.get_text() == HOSTILE_TEXT


# -- 3. cache files never run code ------------------------------------------------

CACHE_FILES = ("markdown.pickle", "content.pickle", "file-digests.pickle")


class _Planted:
    """Unpickling this writes the marker file: what a planted cache would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def _cache_files(content: Path, *, default: bool) -> list[Path]:
    folder = content.parent / CACHE_FOLDER if default else cache_folder(content)
    names = {p.name for p in folder.glob("*.pickle")} if folder.is_dir() else set()
    assert set(CACHE_FILES) <= names or not names, names  # the names the build uses
    return [folder / name for name in CACHE_FILES]


@pytest.fixture
def clean_build(site: Path, run_cli: Callable[..., CliResult]) -> dict[str, bytes]:
    result = run_cli("build", "--content", "content", "--out", "clean", "--quiet")
    assert result.code == 0, result.err
    return tree(site / "clean")


@pytest.mark.parametrize("default", [False, True], ids=["KABUL_BRIEF_CACHE", "beside"])
@pytest.mark.parametrize("planted", ["pickle", "pickle-in-dict", "forged-header",
                                     "truncated", "garbage", "empty"])
def test_a_planted_or_broken_cache_file_never_runs_and_is_rebuilt(
        site: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch,
        clean_build: dict[str, bytes], default: bool, planted: str) -> None:
    if default:
        monkeypatch.delenv("KABUL_BRIEF_CACHE")
        assert run_cli("build", "--content", "content", "--out", "warm", "-q").code == 0
    content = site / "content"
    marker = site.parent / "marker"
    evil = _Planted(marker)
    for path in _cache_files(content, default=default):
        path.parent.mkdir(parents=True, exist_ok=True)
        real = path.read_bytes() if path.is_file() else b"\x80\x05" + b"x" * 200
        data = {
            "pickle": pickle.dumps(evil),
            "pickle-in-dict": pickle.dumps({"0" * 40: evil}),
            "forged-header": b"kabul-brief cache 1\n" + b"\x00" * 32 + pickle.dumps(evil),
            "truncated": real[: len(real) // 2],
            "garbage": os.urandom(300),
            "empty": b"",
        }[planted]
        path.write_bytes(data)
    for command in (["check", "--content", "content"],
                    ["build", "--content", "content", "--out", "out", "--quiet"]):
        result = run_cli(*command)
        assert result.code == 0, result.err
        assert "Traceback" not in result.out + result.err
    assert not marker.exists()
    assert tree(site / "out") == clean_build
    again = run_cli("build", "--content", "content", "--out", "again", "--quiet")
    assert again.code == 0 and not marker.exists()
    assert tree(site / "again") == clean_build


def test_a_cache_file_copied_from_another_user_or_name_is_not_read(
        site: Path, run_cli: Callable[..., CliResult], clean_build: dict[str, bytes]) -> None:
    """A file this build wrote, renamed to another cache's name, does not pass as it."""
    folder = cache_folder(site / "content")
    markdown = (folder / "markdown.pickle").read_bytes()
    (folder / "content.pickle").write_bytes(markdown)
    result = run_cli("build", "--content", "content", "--out", "out", "--quiet")
    assert result.code == 0, result.err
    assert tree(site / "out") == clean_build


# -- 4. the search indexer does not import from the working folder ------------------

_PLANT = "open({marker!r}, 'w').write('ran')\n"


def _plant_pagefind(folder: Path, marker: Path) -> None:
    """``pagefind`` as a package and a module, and the binary packages it looks in."""
    files = [folder / "pagefind.py"]
    for name in ("pagefind", "pagefind_bin", "pagefind_bin_extended"):
        (folder / name).mkdir(parents=True)
        files += [folder / name / "__init__.py", folder / name / "__main__.py"]
    for file in files:
        file.write_text(_PLANT.format(marker=str(marker)), encoding="utf-8")


def test_a_pagefind_module_in_the_working_folder_does_not_run(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    marker = site.parent / "marker"
    _plant_pagefind(site, marker)
    _plant_pagefind(site / "content", marker)
    result = run_cli("build", "--content", "content", "--out", "out", "--quiet")
    assert result.code == 0, result.err
    assert not marker.exists()
    assert (site / "out" / "pagefind" / "pagefind.js").is_file()
    assert (site / "out" / "pagefind" / "pagefind-entry.json").is_file()


def test_a_pagefind_module_in_the_working_folder_of_python_m_does_not_run(
        site: Path) -> None:
    """As CI runs it: ``python -m kabul_brief build`` from the checkout's root."""
    marker = site.parent / "marker"
    _plant_pagefind(site, marker)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "build", "--content", "content", "--out", "out",
         "--quiet"], cwd=site, env=env, capture_output=True, text=True, check=False,
        timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists()
    assert (site / "out" / "pagefind" / "pagefind.js").is_file()


def test_the_caches_a_build_writes_are_read_back_and_the_key_is_kept_elsewhere(
        site: Path, run_cli: Callable[..., CliResult], clean_build: dict[str, bytes]) -> None:
    """Authentication does not turn the caches off: a second build reads every file
    back and, having nothing new, does not write them again; the key is the user's,
    readable by the user alone, and not in any folder a repository or CI cache holds."""
    from kabul_brief.folders import cache_key_file

    files = _cache_files(site / "content", default=False)
    written = {path.name: path.stat().st_ino for path in files}
    result = run_cli("build", "--content", "content", "--out", "second", "--quiet")
    assert result.code == 0, result.err
    assert {path.name: path.stat().st_ino for path in files} == written
    assert tree(site / "second") == clean_build
    key = cache_key_file()
    assert key.is_file() and key.stat().st_mode & 0o777 == 0o600
    for folder in (site, Path(os.environ["KABUL_BRIEF_CACHE"])):
        assert not key.resolve().is_relative_to(folder.resolve())
    secret = key.read_bytes()
    for path in files:
        assert secret not in path.read_bytes()


@pytest.mark.parametrize("header", ["zeros", "forged-header"])
def test_a_huge_planted_cache_file_is_thrown_away_cheaply(tmp_path: Path, header: str) -> None:
    """The attack: a sparse 2 GB file in the cache folder was read whole, twice (4.2 GB
    of memory); a cache file is authenticated in chunks before anything is kept."""
    site = tmp_path / "site"
    shutil.copytree(GOOD_SITE, site)
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "KABUL_BRIEF_CACHE": str(cache)}
    command = [sys.executable, "-m", "kabul_brief", "build", "--quiet", "--jobs", "1"]
    subprocess.run(command, cwd=site, env=env, check=True, timeout=300)
    folders = [p.parent for p in cache.rglob("markdown.pickle")]
    assert folders
    for name in CACHE_FILES:
        path = folders[0] / name
        with path.open("wb") as stream:
            if header == "forged-header":
                stream.write(b"kabul-brief cache 1\n" + b"\x00" * 32)
            stream.truncate(2 << 30)  # sparse: no disk, 2 GB to read
    (site / "content/site.yaml").write_text(
        (site / "content/site.yaml").read_text(encoding="utf-8") + "# edited\n",
        encoding="utf-8")
    measure = ("import resource, subprocess, sys; "
               "code = subprocess.run(sys.argv[1:]).returncode; "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", measure, *command], cwd=site, env=env,
                            capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    peak_kib = int(result.stdout.split()[-1])
    assert peak_kib < 500 * 1024, f"peak {peak_kib // 1024} MiB"
