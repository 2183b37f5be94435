"""A scanner for built sites: does anything an editor wrote reach a reader as code?

``scan(out)`` reads EVERY file of a built folder with a real parser for its type and
returns the problems it found, one line each (``path: what``); an empty list means
the folder is safe to publish as far as this scanner can tell. Tests call it on any
built folder (``assert not scan(out).problems``).

- HTML pages, with every HTML parser installed (html.parser, lxml, html5lib): no
  ``<script>`` but the theme's own (by ``src``) and JSON-LD data blocks, which must
  parse strictly and must not hold ``</script`` or ``<!--``; no ``on*`` attribute;
  no ``javascript:``/``vbscript:``/``data:`` URL in any URL attribute; no iframe,
  object, embed, base, frame, applet, math, foreignObject, ``<meta http-equiv>``,
  ``srcdoc``; inline SVG (the charts, the network picture) is scanned like the rest.
- standalone SVG and every XML file (feed, sitemap, corrections feed) parse with
  ``xml.etree`` (and feedparser, bozo 0, where installed); the Atom text constructs
  of type ``html``/``xhtml`` are scanned as HTML.
- JSON and GeoJSON parse strictly; the strings consumers render as HTML (``html``
  fields of ``data/*.json``, TimelineJS ``headline``, ``text`` and ``display_date``)
  are scanned as HTML; GeoJSON is a FeatureCollection of Points in range.
- iCalendar parses with the ``icalendar`` library; each VEVENT has exactly the
  expected properties, once each; lines are CRLF-terminated and folded at 75 octets.
- CSV parses with the csv module, every row as wide as the header; cells that a
  spreadsheet would run as a formula are noted (``Report.notes``), and are problems
  when the caller says the project neutralises them.

``Expected`` counts (events, articles, places with coordinates) let the scanner
check that no structure was forged: as many VEVENTs as events, feed entries as
articles, GeoJSON features as places with coordinates.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning

#: The theme's own scripts, by the end of their ``src``; nothing else may run.
THEME_SCRIPTS = ("/pagefind/pagefind-ui.js", "/static/search.js", "/static/timeline.js")
#: Inline scripts the theme writes itself (exact text); none today.
THEME_INLINE_SCRIPTS: frozenset[str] = frozenset()
URL_ATTRIBUTES = (
    "href", "src", "action", "formaction", "data", "xlink:href", "poster", "background",
    "cite", "longdesc", "usemap", "manifest", "codebase", "ping", "srcset", "dynsrc",
    "lowsrc", "to", "from", "values", "by",
)
DANGEROUS_ELEMENTS = (
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "math",
    "foreignobject", "portal", "template", "noscript", "isindex", "xmp", "plaintext",
    "listing", "noembed", "noframes", "handler", "listener",
)
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.IGNORECASE)
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f"
                                r"\u205f-\u206f\u3000\ufeff]")
_INVISIBLE_IN_URL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
ICS_CALENDAR_PROPERTIES = frozenset({"VERSION", "PRODID", "CALSCALE", "X-WR-CALNAME",
                                     "METHOD", "X-WR-CALDESC", "NAME", "DESCRIPTION",
                                     "URL"})  # RFC 7986's calendar properties
ICS_EVENT_REQUIRED = frozenset({"SUMMARY", "DTSTART", "DTSTAMP", "UID", "URL"})
ICS_EVENT_OPTIONAL = frozenset({"DTEND", "CATEGORIES", "DESCRIPTION", "LOCATION",
                                "SEQUENCE", "CREATED", "LAST-MODIFIED", "TRANSP"})
#: An event ends one way, DTEND, the day after its last (an event lasting to 31 December
#: 9999 has none and is left out of the calendars).
ICS_EVENT_ENDS = frozenset({"DTEND"})
#: TimelineJS renders these strings of ``timeline.json`` as HTML.
TIMELINEJS_HTML_KEYS = frozenset({"headline", "text", "display_date", "caption", "credit"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ATOM = "{http://www.w3.org/2005/Atom}"


def html_parsers() -> list[str]:
    """Every BeautifulSoup tree builder installed: browsers disagree with html.parser
    in corners, html5lib parses as browsers do."""
    parsers = ["html.parser"]
    # The test extra installs both: a scanner that quietly drops a parser finds less.
    parsers.extend(["lxml", "html5lib"])
    return parsers


@dataclass(frozen=True)
class Expected:
    """What the content holds, for the no-forged-structure checks (None: unchecked)."""

    events: int | None = None
    articles: int | None = None
    located_places: int | None = None
    days: int | None = None
    """Events known to the day, which alone are in the calendars (None: ``events``)."""


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0

    def __bool__(self) -> bool:  # a report is "true" when something was found
        return bool(self.problems)


def scan(
    out: Path,
    expected: Expected | None = None,
    *,
    csv_formulas_are_problems: bool = False,
    theme_scripts: tuple[str, ...] = THEME_SCRIPTS,
) -> Report:
    """Scan every file under ``out``; see the module's docstring for what is checked."""
    report = Report()
    expected = expected or Expected()
    for file in sorted(p for p in out.rglob("*") if p.is_file()):
        relative = file.relative_to(out).as_posix()
        if relative.startswith("pagefind/"):
            continue  # the search index: Pagefind's own binary fragments and bundle
        report.files += 1
        problems = report.problems
        suffix = file.suffix.lower()
        try:
            if suffix in (".html", ".htm"):
                problems += scan_html_page(relative, file.read_text("utf-8"), theme_scripts)
            elif suffix == ".svg":
                problems += scan_svg_file(relative, file.read_bytes())
            elif suffix == ".xml":
                problems += scan_xml(relative, file.read_bytes(), expected)
            elif suffix in (".json", ".geojson"):
                problems += scan_json(relative, file.read_bytes(), expected)
            elif suffix == ".ics":
                problems += scan_ics(relative, file.read_bytes(), expected)
            elif suffix == ".csv":
                found, notes = scan_csv(relative, file.read_bytes())
                report.notes += notes
                if csv_formulas_are_problems:
                    problems += notes
                problems += found
        except UnicodeDecodeError as error:
            problems.append(f"{relative}: not UTF-8: {error}")
    return report


# -- HTML --------------------------------------------------------------------


def _attribute_text(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def dangerous_url(value: str) -> bool:
    """A URL a browser would run or load as a document: ``javascript:`` and friends,
    also when hidden by white space, control or invisible characters."""
    return bool(_BAD_SCHEME.match(_IGNORED_IN_SCHEME.sub("", value)))


def scan_element(where: str, element: Tag) -> list[str]:
    """Problems of one element, whatever document it is in."""
    problems = []
    name = element.name.lower()
    local = name.rsplit(":", 1)[-1]
    attributes = {str(k).lower(): _attribute_text(v) for k, v in element.attrs.items()}
    if local in DANGEROUS_ELEMENTS:
        problems.append(f"{where}: <{name}> element")
    if local == "meta" and "http-equiv" in attributes:
        problems.append(f"{where}: <meta http-equiv={attributes['http-equiv']!r}>")
    for attribute, value in attributes.items():
        bare = attribute.rsplit(":", 1)[-1]
        if bare.startswith("on"):
            problems.append(f"{where}: event handler {attribute}={value[:60]!r} on <{name}>")
        if bare == "srcdoc":
            problems.append(f"{where}: srcdoc on <{name}>")
        if attribute in URL_ATTRIBUTES or bare in ("href", "src", "action", "formaction"):
            candidates = [value]
            if bare in ("srcset", "values"):
                candidates = re.split(r"[,;]", value)
            if any(dangerous_url(c.strip().split(" ")[0] if c.strip() else c)
                   for c in candidates):
                problems.append(f"{where}: {attribute}={value[:80]!r} on <{name}>")
            elif bare in ("href", "src", "action", "formaction") and (
                _INVISIBLE_IN_URL.search(value)
            ):
                problems.append(
                    f"{where}: control, line-separator or bidi character in"
                    f" {attribute}={value[:80]!r} on <{name}>"
                )
        if bare == "style" and re.search(r"expression\s*\(|javascript:|url\s*\(", value, re.I):
            problems.append(f"{where}: style={value[:80]!r} on <{name}>")
    if local in ("animate", "set", "animatetransform", "animatemotion"):
        target = attributes.get("attributename", "").lower()
        if target.startswith("on") or target.endswith("href"):
            problems.append(f"{where}: <{name} attributeName={target!r}> rewrites a link")
    return problems


def _soup(html: str, parser: str) -> BeautifulSoup:
    """Parsed quietly: a fragment that looks like a URL or like XML is still HTML here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, parser)


def scan_html_fragment(where: str, html: str) -> list[str]:
    """A piece of HTML a consumer inserts into a page (feed content, JSON ``html``,
    TimelineJS text): nothing in it may run, not even a theme script."""
    problems = []
    for parser in html_parsers():
        soup = _soup(html, parser)
        label = f"{where} [{parser}]"
        for element in soup.find_all(True):
            if element.name.lower() in ("script", "style"):
                problems.append(f"{label}: <{element.name}> in HTML text: {str(element)[:80]!r}")
            problems += scan_element(label, element)
    return _unique(problems)


def scan_html_page(
    where: str, html: str, theme_scripts: tuple[str, ...] = THEME_SCRIPTS
) -> list[str]:
    """A whole page, parsed by every parser installed."""
    problems = []
    raw_blocks = re.findall(r"<script\b[^>]*>(.*?)</script", html, re.IGNORECASE | re.DOTALL)
    for block in raw_blocks:
        if re.search(r"<!--|<script", block, re.IGNORECASE):
            problems.append(f"{where}: a script block holds '<!--' or '<script': {block[:80]!r}")
    for parser in html_parsers():
        soup = _soup(html, parser)
        label = f"{where} [{parser}]"
        for structural in ("html", "head", "body", "title"):
            count = len(soup.find_all(structural))
            if count != 1 and not (structural == "title" and count > 1 and _svg_titles(soup)):
                problems.append(f"{label}: {count} <{structural}> elements")
        for element in soup.find_all(True):
            problems += scan_element(label, element)
            if element.name.lower() == "script":
                problems += _scan_script(label, element, theme_scripts)
            if element.name.lower() == "style" and element.find_parent("head") is None:
                problems.append(f"{label}: <style> in the body: {str(element)[:80]!r}")
            if element.name.lower() == "form" and not _is_theme_form(element):
                problems.append(f"{label}: a form that is not the theme's search form")
    return _unique(problems)


def _svg_titles(soup: BeautifulSoup) -> bool:
    """Titles beyond the page's own are SVG ``<title>``s (accessible names)."""
    titles = soup.find_all("title")
    return len([t for t in titles if t.find_parent("svg") is None]) == 1


def _is_theme_form(form: Tag) -> bool:
    """The header's search form, or the timeline's filter (hidden, no action: its
    script shows it and filters in place)."""
    if form.get("id") == "timeline_filter":
        return ("timeline-filter" in (form.get("class") or []) and form.has_attr("hidden")
                and not form.has_attr("action"))
    return "site-search" in (form.get("class") or []) and form.get("role") == "search" and (
        str(form.get("method", "get")).lower() == "get"
    )


def _scan_script(where: str, script: Tag, theme_scripts: tuple[str, ...]) -> list[str]:
    kind = str(script.get("type") or "").lower()
    source = script.get("src")
    text = script.string or script.get_text()
    if kind == "application/ld+json" and source is None:
        if re.search(r"</script|<!--", text, re.IGNORECASE):
            return [f"{where}: JSON-LD holds '</script' or '<!--'"]
        try:
            json.loads(text, strict=True)
        except json.JSONDecodeError as error:
            return [f"{where}: JSON-LD does not parse strictly: {error}: {text[:120]!r}"]
        return []
    if source is not None:
        if isinstance(source, str) and source.endswith(theme_scripts) and not text.strip() and (
            not dangerous_url(source)
        ):
            return []
        return [f"{where}: script src={source!r} is not one of the theme's scripts"]
    if text in THEME_INLINE_SCRIPTS:
        return []
    return [f"{where}: inline script: {text[:80]!r}"]


def _unique(problems: list[str]) -> list[str]:
    return list(dict.fromkeys(problems))


# -- SVG and XML -------------------------------------------------------------


def _xml_problems(where: str, root: ElementTree.Element) -> list[str]:
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1].lower()
        if local in ("script", *DANGEROUS_ELEMENTS):
            problems.append(f"{where}: <{local}> element in XML")
        for attribute, value in element.attrib.items():
            bare = attribute.rsplit("}", 1)[-1].lower()
            if bare.startswith("on"):
                problems.append(f"{where}: event handler {bare}={value[:60]!r} on <{local}>")
            if bare in ("href", "src") and dangerous_url(value):
                problems.append(f"{where}: {bare}={value[:80]!r} on <{local}>")
    return problems


def _parse_xml(where: str, data: bytes) -> tuple[ElementTree.Element | None, list[str]]:
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        return None, [f"{where}: a DOCTYPE or ENTITY declaration"]
    try:
        return ElementTree.fromstring(data), []
    except ElementTree.ParseError as error:
        return None, [f"{where}: not well-formed XML: {error}"]


def scan_svg_file(where: str, data: bytes) -> list[str]:
    root, problems = _parse_xml(where, data)
    if root is not None:
        problems += _xml_problems(where, root)
    return problems


def scan_xml(where: str, data: bytes, expected: Expected) -> list[str]:
    root, problems = _parse_xml(where, data)
    if root is None:
        return problems
    problems += _xml_problems(where, root)
    if root.tag == f"{ATOM}feed":
        problems += _scan_atom(where, root, data, expected)
    elif root.tag.endswith("}urlset"):
        locations = [loc.text or "" for loc in root.iter() if loc.tag.endswith("}loc")]
        if len(set(locations)) != len(locations):
            problems.append(f"{where}: a location is listed twice")
        for location in locations:
            if not location.startswith(("https://", "http://")) or _INVISIBLE_IN_URL.search(
                location
            ):
                problems.append(f"{where}: odd location {location[:80]!r}")
    return problems


def _scan_atom(
    where: str, root: ElementTree.Element, data: bytes, expected: Expected
) -> list[str]:
    problems = []
    entries = root.findall(f"{ATOM}entry")
    if where == "feed.xml" and expected.articles is not None and (
        len(entries) != expected.articles
    ):
        problems.append(f"{where}: {len(entries)} entries for {expected.articles} articles")
    for number, element in enumerate(root.iter()):
        kind = element.get("type")
        local = element.tag.rsplit("}", 1)[-1]
        if kind == "html":
            problems += scan_html_fragment(f"{where} <{local}> #{number}", element.text or "")
        elif kind == "xhtml":
            inner = "".join(ElementTree.tostring(child, "unicode") for child in element)
            problems += scan_html_fragment(f"{where} <{local}> #{number}", inner)
        if local == "link" and dangerous_url(element.get("href", "")):
            problems.append(f"{where}: link href={element.get('href')!r}")
    parsed = feedparser.parse(data)
    if parsed.bozo:
        problems.append(f"{where}: feedparser: {parsed.bozo_exception}")
    return problems


# -- JSON --------------------------------------------------------------------


def _strings(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, str(index)))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def scan_json(where: str, data: bytes, expected: Expected) -> list[str]:
    try:
        value = json.loads(data.decode("utf-8"), strict=True, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError) as error:
        return [f"{where}: not strict JSON: {error}"]
    problems = []
    is_timelinejs = where.endswith("timeline.json")
    for path, text in _strings(value):
        key = path[-1] if path else ""
        if key == "html" or (is_timelinejs and key in TIMELINEJS_HTML_KEYS):
            problems += scan_html_fragment(f"{where} {'.'.join(path)}", text)
        if key in ("url", "permalink", "href") and dangerous_url(text):
            problems.append(f"{where} {'.'.join(path)}: {text[:80]!r}")
    if where.endswith(".geojson") or (isinstance(value, dict) and value.get("type") == (
        "FeatureCollection"
    )):
        problems += _scan_geojson(where, value, expected)
    if is_timelinejs and isinstance(value, dict) and expected.events is not None:
        count = len(value.get("events", []))
        if count != expected.events:
            problems.append(f"{where}: {count} TimelineJS events for {expected.events} events")
    return problems


def _scan_geojson(where: str, value: Any, expected: Expected) -> list[str]:
    if not isinstance(value, dict) or value.get("type") != "FeatureCollection":
        return [f"{where}: not a GeoJSON FeatureCollection"]
    features = value.get("features")
    if not isinstance(features, list):
        return [f"{where}: features is not a list"]
    problems = []
    if expected.located_places is not None and len(features) != expected.located_places:
        problems.append(
            f"{where}: {len(features)} features for {expected.located_places} located places"
        )
    for index, feature in enumerate(features):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            # popupContent is what map tools insert as HTML (Leaflet's bindPopup): it must
            # be safe HTML; name is plain text, and must read as written inside it.
            popup = properties.get("popupContent")
            if not isinstance(popup, str):
                problems.append(f"{where}: feature {index} has no popupContent")
            else:
                problems += scan_html_fragment(f"{where} feature {index} popupContent", popup)
                shown = BeautifulSoup(popup, "html.parser").get_text()
                if shown != properties.get("name"):
                    problems.append(f"{where}: feature {index} popupContent shows {shown!r},"
                                    f" not its name {properties.get('name')!r}")
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(feature, dict) or feature.get("type") != "Feature" or not (
            isinstance(geometry, dict) and geometry.get("type") == "Point"
        ):
            problems.append(f"{where}: feature {index} is not a Point Feature")
            continue
        if not (
            isinstance(coordinates, list) and len(coordinates) == 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
            and -180 <= coordinates[0] <= 180 and -90 <= coordinates[1] <= 90
        ):
            problems.append(f"{where}: feature {index} coordinates {coordinates!r}")
        if not isinstance(feature.get("properties"), dict):
            problems.append(f"{where}: feature {index} has no properties object")
    return problems


# -- iCalendar ---------------------------------------------------------------


def scan_ics(where: str, data: bytes, expected: Expected) -> list[str]:
    from icalendar import Calendar

    problems = []
    text = data.decode("utf-8")
    if not text.endswith("\r\n"):
        problems.append(f"{where}: does not end with CRLF")
    physical = text.split("\r\n")[:-1]
    for number, line in enumerate(physical, 1):
        if "\r" in line or "\n" in line:
            problems.append(f"{where}:{number}: a bare CR or LF inside a line")
        if len(line.encode("utf-8")) > 75:
            problems.append(f"{where}:{number}: {len(line.encode())} octets, not folded at 75")
        if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line):
            problems.append(f"{where}:{number}: a control character")
    begins = [line for line in physical if line == "BEGIN:VEVENT"]
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as error:
        return [*problems, f"{where}: icalendar cannot parse it: {error}"]
    events = calendar.walk("VEVENT")
    in_calendar = expected.days if expected.days is not None else expected.events
    if in_calendar is not None and len(events) != in_calendar:
        problems.append(f"{where}: {len(events)} VEVENTs for {in_calendar} events of known days")
    if len(begins) != len(events):
        problems.append(f"{where}: {len(begins)} BEGIN:VEVENT lines, {len(events)} parsed")
    extra = {str(k) for k in calendar} - ICS_CALENDAR_PROPERTIES
    if extra:
        problems.append(f"{where}: unexpected calendar properties {sorted(extra)}")
    others = [c for c in calendar.subcomponents if c.name != "VEVENT"]
    # A calendar with no event holds one UTC time zone (RFC 5545 wants a component),
    # and nothing else: no component an editor's text could have smuggled in.
    empty_form = (not events and len(others) == 1 and others[0].name == "VTIMEZONE"
                  and str(others[0].get("TZID")) == "UTC"
                  and [c.name for c in others[0].subcomponents] == ["STANDARD"])
    if others and not empty_form:
        problems.append(f"{where}: components other than VEVENT")
    for index, names in enumerate(_vevent_property_names(text)):
        counted = {n: names.count(n) for n in names}
        missing = ICS_EVENT_REQUIRED - set(names)
        unexpected = set(names) - ICS_EVENT_REQUIRED - ICS_EVENT_OPTIONAL
        twice = sorted(n for n, c in counted.items() if c > 1)
        if len(ICS_EVENT_ENDS & set(names)) != 1:
            missing = missing | {"DTEND, once"}
        if missing or unexpected or twice:
            problems.append(
                f"{where}: VEVENT {index} forged or broken: missing {sorted(missing)},"
                f" unexpected {sorted(unexpected)}, twice {twice}"
            )
    for index, event in enumerate(events):
        if event.subcomponents:
            problems.append(f"{where}: VEVENT {index} holds components")
        url = str(event.get("URL", ""))
        if dangerous_url(url):
            problems.append(f"{where}: VEVENT {index} URL {url!r}")
    return problems


def _vevent_property_names(text: str) -> list[list[str]]:
    """The property names of each VEVENT, read from the unfolded content lines."""
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    events: list[list[str]] = []
    current: list[str] | None = None
    for line in unfolded.split("\r\n"):
        name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT" and current is not None:
            events.append(current)
            current = None
        elif current is not None:
            current.append(name)
    return events


# -- CSV ---------------------------------------------------------------------


def scan_csv(where: str, data: bytes) -> tuple[list[str], list[str]]:
    """(problems, notes): rows that do not parse or are not as wide as the header;
    notes on cells a spreadsheet would run as a formula."""
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True))
    except csv.Error as error:
        return [f"{where}: not valid CSV: {error}"], []
    if not rows:
        return [f"{where}: empty"], []
    problems, notes = [], []
    width = len(rows[0])
    for number, row in enumerate(rows[1:], 2):
        if len(row) != width:
            problems.append(f"{where}:{number}: {len(row)} cells, the header has {width}")
        for cell in row:
            if cell.startswith(_FORMULA_START) and not _is_number(cell):
                notes.append(f"{where}:{number}: a cell a spreadsheet runs: {cell[:60]!r}")
    return problems, notes


def _is_number(cell: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?", cell))


#: For tests that want one call: assert the folder is clean.
def assert_clean(out: Path, expected: Expected | None = None,
                 check: Callable[[Report], None] | None = None) -> Report:
    report = scan(out, expected)
    assert report.files > 0, f"nothing to scan in {out}"
    assert not report.problems, "\n".join(report.problems[:40])
    if check is not None:
        check(report)
    return report
