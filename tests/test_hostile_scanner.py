"""Hostile text in every text field of every kind gives a site with nothing executable.

Each payload (script tags, attribute breakers, ``javascript:`` URLs, comment and CDATA
closers, Jinja syntax, line separators, iCalendar CRLF injection, spreadsheet
formulas, XML entities, bidi overrides, control characters, very long tokens) goes
into every text, Markdown and URL field of a site that uses every kind. Where
``check`` refuses a value, the error must be one positioned line naming that field's
line (no traceback); the value is then replaced by a harmless one and the rest is
built. Every output file is then read with real parsers by ``tests.hostile.scan``.

The scanner itself is proved on planted defects: hand-made folders with one defect
each, and a real build with a theme template that marks an actor's name ``|safe``.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from kabul_brief.cli import main
from kabul_brief.content.markup import typeset
from tests.contentgen import Markdown, Slot, write_content
from tests.hostile import Expected, scan
from tests.test_site_support import jsonld

ERROR_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(:(?P<col>\d+))?: error: .+\[[a-z-]+\]$")
SUMMARY_LINE = re.compile(r"^\d+ errors? found; nothing was written\.$")
REPO = Path(__file__).resolve().parents[1]

# name -> (text payload, URL payload)
PAYLOADS: dict[str, tuple[str, str]] = {
    "script": ("<script>alert(1)</script>", "https://example.org/?q=<script>alert(1)</script>"),
    "svg-onload": ('"><svg onload=alert(1)>', 'https://example.org/"><svg/onload=alert(1)>'),
    "close-script": ("</script><script>alert(1)</script><!--",
                     "https://example.org/</script><script>alert(1)</script><!--"),
    "cdata": ("]]><script>alert(1)</script><![CDATA[", "https://example.org/]]><x>"),
    "comment": ("--><script>alert(1)</script><!--", "https://example.org/--><!--"),
    "jinja": ("{{ 7*191 }} {% raw %}{{ self.__init__ }}{{ config }}",
              "https://example.org/{{7*191}}{%raw%}"),
    "line-separators": ("a\u2028b\u2029c\x85d", "https://example.org/a\u2028b"),
    "ics-crlf": ("x\r\nATTENDEE:mailto:evil@example.org\r\nBEGIN:VEVENT\nEND:VEVENT",
                 "https://example.org/x\r\nATTENDEE:mailto:evil@example.org"),
    "csv-formula": ('=HYPERLINK("https://evil.example","click")',
                    'https://example.org/=HYPERLINK("x")'),
    "csv-formula-plus": ("+1+cmd|' /C calc'!A0", "https://example.org/+1"),
    "csv-formula-at": ("@SUM(1+1)*cmd|' /C calc'!A0", "https://example.org/@SUM"),
    "xml-entity": ('&xxe; <!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]> &amp;lt;',
                   "https://example.org/?a=&xxe;&b=&amp;lt;"),
    "attribute-breakers": ("' \" ` onmouseover=alert(1) x=' y=\" z=`",
                           "https://example.org/'\"`onmouseover=alert(1)"),
    "bidi": ("\u202egnp.exe\u202c \u2066x\u2069 \u200f", "https://example.org/\u202egnp.exe"),
    "control": ("a\x00b\x07c\x1b[31md\x7f", "https://example.org/a\x00b"),
    "long-token": ("W" * 20000, "https://example.org/" + "w" * 20000),
    "javascript": ("javascript:alert(1)", "javascript:alert(1)"),
    "javascript-mixed-case": ("JaVaScRiPt:alert(1)", " JaVaScRiPt:alert(1)"),
    "data-url": ("data:text/html,<script>alert(1)</script>",
                 "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    "vbscript": ("vbscript:msgbox(1)", "vbscript:msgbox(1)"),
    "markdown-links": (
        "[a](javascript:alert(1)) ![b](javascript:alert(2)) <javascript:alert(3)>"
        " [c](data:text/html,x) [d](vbscript:x) [e](&#106;avascript:alert(4))",
        "https://example.org/[a](javascript:alert(1))",
    ),
    "raw-html": (
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">a</a>'
        '<iframe src="https://evil.example"></iframe><base href="https://evil.example/">'
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'
        '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x'
        '</button></form><math><mi xlink:href="javascript:alert(1)">m</mi></math>'
        '<svg><a xlink:href="javascript:alert(1)"><text>t</text></a>'
        '<animate attributeName="href" to="javascript:alert(1)"/></svg>'
        '<object data="x"></object><embed src="x"><style>*{x:expression(alert(1))}</style>'
        '<div style="background:url(javascript:alert(1))">s</div>',
        "https://example.org/<img/src=x/onerror=alert(1)>",
    ),
}


def hostile_files() -> dict[str, Any]:
    """A site that uses every kind and every text field; each text is a Slot."""

    def t(key: str, template: str = "{p}") -> Slot:
        return Slot(key, template)

    def url(key: str) -> Slot:
        return Slot(key, "{u}")

    cite_all = [
        {"url": url("citation.url"), "title": t("citation.title"),
         "publisher": t("citation.publisher"), "date": "2025-05"},
        {"source": "src", "locator": t("citation.locator")},
        {"article": "art", "anchor": "named"},
    ]
    return {
        "site.yaml": {
            "title": t("site.title"), "tagline": t("site.tagline"),
            "base_url": "https://example.org/brief/", "language": "en",
            "description": t("site.description"),
        },
        "actors/a.yaml": [
            {"id": "a", "name": t("actor.name"), "kind": "person",
             "aliases": [t("actor.alias", "{p}"), t("actor.alias2", "Alias two {p}")],
             "roles": [{"title": t("role.title"), "of": "b", "from": "2021-09", "to": None}],
             "country": "p1", "summary": t("actor.summary"),
             "links": [{"url": url("link.url"), "title": t("link.title")}]},
            {"id": "b", "name": t("actor-b.name", "Bravo {p}"), "kind": "government"},
        ],
        "places/p.yaml": [
            {"id": "p1", "name": t("place.name"), "kind": "country", "coordinates": [90, 180],
             "summary": t("place.summary")},
            {"id": "p2", "name": t("place2.name", "Second {p}"), "kind": "city", "within": "p1",
             "coordinates": [-90, -180]},
        ],
        "events/e.yaml": [
            {"id": "e1", "title": t("event.title"), "date": "2025-04-28",
             "as_reported": t("event.as_reported"), "kind": "meeting", "place": "p1",
             "actors": [{"id": "a", "role": t("event.role")}, "b"],
             "disputes": ["dis"], "relationships": ["rel"], "summary": t("event.summary"),
             "claims": [{"by": "a", "text": t("claim.text"),
                         "sources": [{"article": "art", "anchor": "p1"}]}],
             "sources": cite_all},
            {"id": "e2", "title": t("event2.title", "Range {p}"), "date": "2024", "end": "2025-02",
             "circa": True, "kind": "other", "place": "p2", "actors": ["a"],
             "sources": ["src"]},
        ],
        "disputes/d.yaml": {
            "id": "dis", "title": t("dispute.title"), "parties": ["a", "b"], "involves": [],
            "status": "active", "since": "2021-08", "summary": t("dispute.summary"),
            "positions": [{"actor": "a", "position": t("position.position"),
                           "sources": cite_all}],
            "trend": [{"date": "2025-05", "as_reported": t("trend.as_reported"),
                       "direction": "deteriorated", "note": t("trend.note"),
                       "sources": [{"source": "src", "locator": t("trend.locator")}]}],
        },
        "relationships/r.yaml": {
            "id": "rel", "title": t("relationship.title"), "parties": ["a", "b"],
            "summary": t("relationship.summary"),
            "trend": [
                {"date": "2021", "circa": True, "direction": "improved",
                 "note": t("rtrend.note"), "sources": ["src"]},
                {"date": "2025-04-01", "direction": "unchanged",
                 "as_reported": t("rtrend.as_reported"), "sources": ["src"]},
            ],
        },
        "sources/s.yaml": {
            "id": "src", "title": t("source.title"), "publisher": t("source.publisher"),
            "date": "2025", "url": url("source.url"), "note": t("source.note"),
        },
        "articles/art.md": Markdown(
            front={"title": t("article.title"), "date": "2025-05-03", "updated": "2025-05-04",
                   "kind": "news",
                   "authors": [t("article.author"), t("article.author2", "Desk {p}")],
                   "summary": t("article.summary"), "actors": ["a"], "disputes": ["dis"],
                   "sources": ["src"]},
            body=[
                Slot("body.p1", "First paragraph {p} with [the actor](actor:a)."),
                Slot("body.p2", "Second {p} paragraph. {{#named}}"),
                Slot("body.link", "A link [{p}](https://example.org/ \"{p}\") and {p}"),
                Slot("body.block", "{p}"),
            ],
        ),
        "pages/about.md": Markdown(
            front={"title": t("page.title"), "summary": t("page.summary")},
            body=[Slot("page.body", "About {p}.")],
        ),
    }


def fill(value: Any, payload: tuple[str, str], refused: set[str]) -> Any:
    text, link = payload
    if isinstance(value, Slot):
        if value.key in refused:
            return Slot(value.key, value.format(p="harmless", u="https://example.org/ok"))
        return Slot(value.key, value.format(p=text, u=link))
    if isinstance(value, Markdown):
        return Markdown(fill(value.front, payload, refused),
                        [fill(b, payload, refused) for b in value.body])
    if isinstance(value, dict):
        return {k: fill(v, payload, refused) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, payload, refused) for v in value]
    return value


def run(*args: str) -> tuple[int, str]:
    """The CLI in-process; returns its exit status and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue() + err.getvalue()


def refused_slots(output: str, slots: dict[str, dict[int, str]]) -> set[str]:
    """The slots the error lines name; every error line must name one, and every line
    printed is an error, a hint or the count (a value cannot forge a line)."""
    assert "Traceback" not in output, output
    refused = set()
    for line in output.split("\n"):
        if line.startswith("    ") or SUMMARY_LINE.match(line) or line == "":
            continue  # a hint, or the count at the end
        if ": warning: " in line:
            continue
        match = ERROR_LINE.match(line)
        assert match, f"not a positioned one-line error: {line!r}"
        relative = match["path"].rsplit("content/", 1)[-1]
        number = int(match["line"])
        assert number in slots.get(relative, {}), f"error names no hostile field: {line!r}"
        refused.add(slots[relative][number])
    return refused


def build_hostile(payload: tuple[str, str], site: Path) -> tuple[Path, set[str]]:
    """Write, check (moving refused values out), build; returns the out folder and the
    refused slots."""
    refused: set[str] = set()
    content = site / "content"
    for _ in range(12):
        if content.exists():
            shutil.rmtree(content)
        slots = write_content(content, fill(hostile_files(), payload, refused))
        code, output = run("check", "--content", str(content))
        assert code in (0, 1), output
        if code == 0:
            break
        newly = refused_slots(output, slots)
        assert newly - refused, f"the same errors again after moving the values: {output}"
        refused |= newly
    else:
        pytest.fail(f"check still fails: {output}")
    out = site / "_site"
    code, output = run("build", "--content", str(content), "--out", str(out), "--jobs", "1",
                       "--quiet")
    assert "Traceback" not in output
    assert code == 0, f"check passed but build failed:\n{output}"
    return out, refused


EXPECTED = Expected(events=2, articles=1, located_places=2, days=1)  # the other: a year


URL_SLOTS = {"citation.url", "link.url", "source.url"}
MARKDOWN_SLOTS = {
    "actor.summary", "article.summary", "body.block", "body.link", "body.p1", "body.p2",
    "claim.text", "dispute.summary", "event.summary", "page.body", "page.summary",
    "place.summary", "position.position", "relationship.summary", "rtrend.note",
    "source.note", "trend.note",
}
#: What check must refuse, by payload: an editor sees an error, not a quiet drop.
MUST_REFUSE = {
    "javascript": URL_SLOTS, "javascript-mixed-case": URL_SLOTS, "data-url": URL_SLOTS,
    "vbscript": URL_SLOTS, "markdown-links": MARKDOWN_SLOTS,
}


#: Payloads a page shows exactly as written (no white space to normalise).
SHOWN_AS_WRITTEN = ("script", "svg-onload", "close-script", "cdata", "comment", "jinja",
                    "csv-formula", "xml-entity", "attribute-breakers", "javascript",
                    "raw-html", "long-token")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Path, set[str]]]:
    """The hostile site of a payload, built once for the tests of this module."""
    cache: dict[str, tuple[Path, set[str]]] = {}

    def get(name: str) -> tuple[Path, set[str]]:
        if name not in cache:
            cache[name] = build_hostile(PAYLOADS[name], tmp_path_factory.mktemp(name))
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_hostile_payload_in_every_field_yields_nothing_executable(
    name: str, built: Callable[[str], tuple[Path, set[str]]]
) -> None:
    out, refused = built(name)
    assert MUST_REFUSE.get(name, set()) <= refused, "check let these through"
    report = scan(out, EXPECTED)
    assert report.files > 20
    problems = report.problems
    assert not problems, "\n".join(_one_per_parser(problems)[:30])
    text_files = [p for p in out.rglob("*") if p.is_file() and "pagefind" not in p.parts]
    if name == "jinja":
        assert not [p for p in text_files if b"1337" in p.read_bytes()], "Jinja ran content"
    if "actor.name" not in refused:
        soup = BeautifulSoup((out / "actors/a/index.html").read_text(), "html.parser")
        assert soup.h1 is not None
        assert soup.h1.get_text().strip(), "the actor's name vanished"
        if name in SHOWN_AS_WRITTEN:  # text, as the editor wrote it, quotes set as in print
            assert soup.h1.get_text() == typeset(PAYLOADS[name][0])
            assert jsonld(soup)[0]["name"] == PAYLOADS[name][0]


def _one_per_parser(problems: list[str]) -> list[str]:
    """The problems without the repeats that differ only by the parser that saw them."""
    return list(dict.fromkeys(re.sub(r" \[[a-z0-9.]+\]", "", p) for p in problems))


def test_a_refused_value_gives_one_positioned_error_per_field(site: Path) -> None:
    """The javascript: payload: check names each URL field's own line, and nothing
    is written."""
    slots = write_content(site / "content", fill(hostile_files(), PAYLOADS["javascript"], set()))
    code, output = run("build", "--content", "content", "--out", "_site", "--jobs", "1")
    assert code == 1
    assert refused_slots(output, slots) == URL_SLOTS
    assert not (site / "_site").exists()


# -- the scanner finds planted defects ---------------------------------------

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>T</title>
<script type="application/ld+json">{{"@type": "Thing"}}</script></head>
<body><h1>Planted</h1>{body}</body></html>"""
GOOD_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
    "SUMMARY:s\r\nDTSTART;VALUE=DATE:20250101\r\nDTEND;VALUE=DATE:20250102\r\n"
    "DTSTAMP:20250101T000000Z\r\n"
    "UID:e@x\r\n{extra}URL:https://example.org/e/\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
PLANTED: dict[str, tuple[str, str, str]] = {
    # name: (file, content, what the problem says)
    "svg-label-onload": ("network/index.html", PAGE.format(
        body='<figure class="chart"><svg class="chart-svg"><g class="nodes"><a href="/a/">'
        '<text onload="alert(1)">A</text></a></g></svg></figure>'), "event handler onload"),
    "svg-title-script": ("timeline/index.html", PAGE.format(
        body='<svg class="chart-svg"><title>x</title><script>alert(1)</script></svg>'),
        "inline script"),
    "svg-xlink-javascript": ("x/index.html", PAGE.format(
        body='<svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>'),
        "xlink:href='javascript:alert(1)'"),
    "svg-animate-href": ("x/index.html", PAGE.format(
        body='<svg><a href="/"><animate attributeName="href" to="javascript:alert(1)"/>'
        "</a></svg>"), "to='javascript:alert(1)'"),
    "actor-name-unescaped": ("actors/a/index.html", PAGE.format(
        body='<h1>"><svg onload=alert(1)></h1>'), "event handler onload"),
    "inline-script": ("index.html", PAGE.format(body="<script>alert(1)</script>"),
                      "inline script"),
    "foreign-script-src": ("index.html", PAGE.format(
        body='<script src="https://evil.example/x.js"></script>'), "not one of the theme"),
    "javascript-href": ("index.html", PAGE.format(body='<a href=" java\tscript:alert(1)">x</a>'),
                        "href="),
    "entity-javascript-href": ("index.html", PAGE.format(
        body='<a href="&#106;avascript:alert(1)">x</a>'), "href="),
    "data-src": ("index.html", PAGE.format(body='<img src="data:text/html,x" alt="">'), "src="),
    "iframe": ("index.html", PAGE.format(body='<iframe src="https://x.example/"></iframe>'),
               "<iframe> element"),
    "base": ("index.html", PAGE.format(body='<base href="https://evil.example/">'),
             "<base> element"),
    "meta-refresh": ("index.html", PAGE.format(
        body='<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
        "http-equiv"),
    "form": ("index.html", PAGE.format(body='<form action="https://evil.example/"></form>'),
             "not the theme's search form"),
    "json-ld-breakout": ("index.html", PAGE.replace(
        '{{"@type": "Thing"}}', '{{"name": "<!--<script>"}}').format(body=""), "'<!--'"),
    "json-ld-invalid": ("index.html", PAGE.replace(
        '{{"@type": "Thing"}}', "{{'a': 1}}").format(body=""), "does not parse strictly"),
    "standalone-svg": ("pic.svg", '<svg xmlns="http://www.w3.org/2000/svg">'
                       '<circle onclick="alert(1)"/></svg>', "event handler onclick"),
    "feed-not-xml": ("feed.xml", "<feed xmlns='http://www.w3.org/2005/Atom'><title>a &xxe;"
                     "</title></feed>", "not well-formed"),
    "feed-entity": ("feed.xml", '<!DOCTYPE f [<!ENTITY x "y">]><feed/>', "ENTITY"),
    "feed-html-content": ("feed.xml", "<feed xmlns='http://www.w3.org/2005/Atom'><entry>"
                          "<content type='html'>&lt;img src=x onerror=alert(1)&gt;</content>"
                          "</entry></feed>", "event handler onerror"),
    "feed-forged-entry": ("feed.xml", "<feed xmlns='http://www.w3.org/2005/Atom'><entry/>"
                          "<entry/></feed>", "2 entries for 1 articles"),
    "json-html-field": ("data/actors.json", '{"items": [{"summary": {"html":'
                        ' "<img src=x onerror=alert(1)>"}}]}', "event handler onerror"),
    "timelinejs-headline": ("data/timeline.json", '{"events": [{"text": {"headline":'
                            ' "<script>alert(1)</script>"}}]}', "<script> in HTML text"),
    "json-not-strict": ("data/x.json", '{"a": NaN}', "not strict JSON"),
    "json-control-char": ("data/x.json", '{"a": "x\ty"}', "not strict JSON"),
    "geojson-range": ("data/places.geojson", '{"type": "FeatureCollection", "features": [{"type":'
                      ' "Feature", "geometry": {"type": "Point", "coordinates": [200, 0]},'
                      ' "properties": {}}]}', "coordinates"),
    "ics-forged-property": ("timeline.ics", GOOD_ICS.format(
        extra="ATTENDEE:mailto:evil@example.org\r\n"), "unexpected ['ATTENDEE']"),
    "ics-two-ends": ("timeline.ics", GOOD_ICS.format(extra="DURATION:P1D\r\n"),
                     "unexpected ['DURATION']"),
    "ics-no-end": ("timeline.ics", GOOD_ICS.format(extra="").replace(
        "DTEND;VALUE=DATE:20250102\r\n", ""), "DTEND, once"),
    "ics-forged-event": ("timeline.ics", GOOD_ICS.format(
        extra="END:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:forged\r\n"), "2 VEVENTs for 1 events"),
    "ics-unfolded": ("timeline.ics", GOOD_ICS.format(extra="DESCRIPTION:" + "d" * 90 + "\r\n"),
                     "not folded at 75"),
    "ics-bare-lf": ("timeline.ics", GOOD_ICS.format(extra="DESCRIPTION:a\nb\r\n"),
                    "bare CR or LF"),
    "csv-ragged": ("data/events.csv", "id,title\r\na,b,c\r\n", "3 cells, the header has 2"),
}


@pytest.mark.parametrize("name", list(PLANTED))
def test_the_scanner_finds_a_planted_defect(name: str, tmp_path: Path) -> None:
    relative, content, expected = PLANTED[name]
    (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / relative).write_text(content, encoding="utf-8", newline="")
    report = scan(tmp_path, Expected(events=1, articles=1))
    assert any(expected in problem for problem in report.problems), report.problems


def test_the_scanner_passes_a_clean_hand_made_folder(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE.format(
        body='<svg class="chart-svg"><title>t</title><a href="/a/"><text>A</text></a></svg>'
        '<a href="https://example.org/">x</a> &lt;script&gt;'), encoding="utf-8")
    (tmp_path / "timeline.ics").write_text(GOOD_ICS.format(extra=""), newline="")
    (tmp_path / "events.csv").write_text("id,title\r\na,=1+1\r\n", newline="")
    report = scan(tmp_path, Expected(events=1))
    assert report.problems == []
    assert [n for n in report.notes if "a cell a spreadsheet runs" in n]
    strict = scan(tmp_path, Expected(events=1), csv_formulas_are_problems=True)
    assert strict.problems == report.notes


def test_the_scanner_catches_a_theme_template_that_marks_a_name_safe(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real build whose actor template says ``|safe``: the scanner must object."""
    templates = site / "templates"
    shutil.copytree(REPO / "templates", templates)
    actor = templates / "actor.html"
    text = actor.read_text(encoding="utf-8")
    heading = '<h1 data-pagefind-meta="title" data-pagefind-weight="10">{{ view.name }}</h1>'
    assert text.count(heading) == 1
    actor.write_text(text.replace(heading, heading.replace("view.name", "view.name|safe")))
    out, _ = build_hostile(PAYLOADS["svg-onload"], site)
    problems = scan(out, EXPECTED).problems
    assert [p for p in problems if p.startswith("actors/a/index.html") and "onload" in p]


def test_the_scanner_catches_markdown_left_unsanitized(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real build with nh3's cleaning turned into a no-op: the scanner must object."""
    import threading

    from kabul_brief.content import markup

    class NoCleaning:
        def __init__(self, **_: Any) -> None:
            pass

        def clean(self, html: str) -> str:
            return html

    monkeypatch.setattr(markup.nh3, "Cleaner", NoCleaning)
    monkeypatch.setattr(markup, "_LOCAL", threading.local())
    out, _ = build_hostile(PAYLOADS["raw-html"], site)
    problems = scan(out, EXPECTED).problems
    assert [p for p in problems if p.startswith("events/e1/index.html") and "onerror" in p]
    assert [p for p in problems if p.startswith("data/events.json") and "onerror" in p]


@pytest.mark.parametrize(
    "base_url",
    ["javascript:alert(1)//",
     'https://example.org/"><svg/onload=alert(1)>/',
     "https://example.org/</script><script>alert(1)</script>/",
     "https://example.org/{{7*191}}/", "https://example.org/\u202e/", "data:text/html,x"],
)
def test_a_hostile_base_url_is_refused_or_harmless(base_url: str, site: Path) -> None:
    """site.yaml's base_url reaches every link, the feed, the sitemap and the calendar."""
    files = fill(hostile_files(), ("plain", "https://example.org/ok"), set())
    files["site.yaml"]["base_url"] = Slot("site.base_url", base_url)
    slots = write_content(site / "content", files)
    out = site / "_site"
    code, output = run("build", "--content", "content", "--out", str(out), "--jobs", "1", "-q")
    assert code in (0, 1) and "Traceback" not in output, output
    if code == 1:
        assert refused_slots(output, slots) == {"site.base_url"}
        return
    problems = scan(out, EXPECTED).problems
    assert not problems, "\n".join(_one_per_parser(problems)[:20])
    assert not [p for p in out.rglob("*.html") if "1337" in p.read_text()]


def test_the_shipped_site_scans_clean(tmp_path: Path) -> None:
    """The scanner's allow-lists fit the theme: the project's own site passes."""
    out = tmp_path / "_site"
    code, output = run("build", "--content", str(REPO / "content"), "--out", str(out),
                       "--jobs", "1", "--quiet")
    assert code == 0, output
    report = scan(out)
    assert report.files > 50
    assert not report.problems, "\n".join(_one_per_parser(report.problems)[:20])


def test_a_hostile_file_name_cannot_forge_an_error_line(site: Path) -> None:
    content = site / "content"
    write_content(content, fill(hostile_files(), ("plain", "https://example.org/ok"), set()))
    (content / "actors" / "x\nforged.yaml:1:1: error: forged [x].yaml").write_text(
        "id: bad\nname: X\nkind: nope\n", encoding="utf-8")
    code, output = run("check", "--content", "content")
    assert code == 1 and "Traceback" not in output
    lines = [line for line in output.split("\n") if ": error: " in line]
    assert len(lines) == 1, lines
    assert lines[0].startswith("content/actors/x")
