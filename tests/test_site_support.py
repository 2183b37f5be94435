"""Helpers shared by the ``test_site_*`` modules: building fixture sites, reading pages,
checking links. Holds no tests itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from kabul_brief.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "site"
BASIC = FIXTURES / "basic" / "content"
HOSTILE = FIXTURES / "hostile" / "content"
SHIPPED = REPO / "content"


def build(content: Path, out: Path, base_url: str | None = None) -> int:
    args = ["build", "--content", str(content), "--out", str(out)]
    if base_url is not None:
        args += ["--base-url", base_url]
    return main(args)


def copy_content(source: Path, into: Path) -> Path:
    target = into / "content"
    shutil.copytree(source, target)
    return target


def page(out: Path, path: str) -> BeautifulSoup:
    """Parse a built page by its site path (``actors/india/``, ``''``, ``404.html``)."""
    file = out / path / "index.html" if path == "" or path.endswith("/") else out / path
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def one(soup: BeautifulSoup | Tag, selector: str) -> Tag:
    found = soup.select(selector)
    assert len(found) == 1, f"{selector!r} matched {len(found)} elements"
    return found[0]


def jsonld(soup: BeautifulSoup) -> list[dict[str, object]]:
    """Every JSON-LD block, parsed strictly."""
    return [
        json.loads(script.string or "", strict=True)
        for script in soup.find_all("script", attrs={"type": "application/ld+json"})
    ]


def tree(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*")) if path.is_file()
    }


def hrefs(soup: BeautifulSoup | Tag) -> list[str]:
    return [str(a["href"]) for a in soup.find_all("a", href=True)]


def heading_levels(soup: BeautifulSoup) -> list[int]:
    return [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]


def broken_links(out: Path, base_url: str) -> list[str]:
    """Every internal href/src that names no written file, or a #fragment no element has."""
    parts = urlsplit(base_url)
    origin, root = f"{parts.scheme}://{parts.netloc}", parts.path
    ids: dict[Path, set[str]] = {}

    def ids_of(file: Path) -> set[str]:
        if file not in ids:
            soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
            ids[file] = {str(el["id"]) for el in soup.find_all(id=True)}
        return ids[file]

    problems = []
    for file in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        page_url = root + file.relative_to(out).as_posix().removesuffix("index.html")
        for element in soup.find_all(href=True) + soup.find_all(src=True):
            url = str(element.get("href") or element.get("src"))
            if not url.startswith(("#", "/")) and not urlsplit(url).scheme:
                url = urljoin(page_url, url)  # relative to the page, as a browser reads it
            if url.startswith(origin + root):
                url = url[len(origin):]
            target = urlsplit(url)
            if target.scheme or target.netloc:
                continue  # external
            where = f"{file.relative_to(out)}: {url}"
            if not target.path:
                resolved = file
            elif not target.path.startswith(root):
                problems.append(f"{where} (outside {root})")
                continue
            else:
                relative = target.path[len(root):]
                resolved = out / relative
                if relative == "" or relative.endswith("/"):
                    resolved = resolved / "index.html"
            if not resolved.is_file():
                problems.append(f"{where} (no such file)")
            elif target.fragment and resolved.suffix == ".html" and (
                target.fragment not in ids_of(resolved)
            ):
                problems.append(f"{where} (no element with that id)")
    return problems
