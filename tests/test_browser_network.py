"""The network of actors in a real browser, measured rather than assumed: on the
network page and on each actor's page no two labels' boxes meet, no label covers
another actor's mark, and no line passes within a mark's radius of an actor it does
not join, at 1280, 375 and 320 px; the same on a generated corpus of 200 actors.
Kinds differ by shape and by colour, light and dark; the phone's picture shows the
main actors without sideways scrolling; axe finds nothing.

Boxes and positions are the browser's own (``getBoundingClientRect`` and the SVG's
screen transform), in CSS pixels. Playwright for Python drives Debian's Chromium.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import test_browser_site
from test_site_support import REPO
from validators import tools

# The geometry of the picture(s) shown, as the browser drew them.
MEASURE = """() => {
  const shown = [...document.querySelectorAll('svg.network-svg')]
    .filter(s => s.getBoundingClientRect().width > 0);
  return shown.map(svg => {
    const m = svg.getScreenCTM();
    const pt = (x, y) => { const p = new DOMPoint(x, y).matrixTransform(m); return [p.x, p.y]; };
    const box = r => [r.left, r.top, r.right, r.bottom];
    const nodes = [...svg.querySelectorAll('.node')].map(n => {
      const mark = n.querySelector('.mark');
      const t = mark.transform.baseVal.consolidate().matrix;
      const r = mark.getBoundingClientRect();
      const label = n.querySelector('.node-label');
      return {id: n.dataset.actor, centre: pt(t.e, t.f), radius: Math.max(r.width, r.height) / 2,
              link: n.tagName.toLowerCase() === 'a' ? n.getAttribute('href') : null,
              label: label ? box(label.getBoundingClientRect()) : null,
              text: label ? label.textContent : null,
              fontPx: label ? parseFloat(getComputedStyle(label).fontSize) * m.a : null,
              shape: mark.getAttribute('d'), fill: getComputedStyle(mark).fill};
    });
    const edges = [...svg.querySelectorAll('line.edge')].map(l => ({
      ends: l.dataset.ends.split(' '),
      a: pt(l.x1.baseVal.value, l.y1.baseVal.value),
      b: pt(l.x2.baseVal.value, l.y2.baseVal.value)}));
    return {cls: svg.getAttribute('class'), box: box(svg.getBoundingClientRect()),
            background: getComputedStyle(svg).backgroundColor, nodes, edges};
  });
}"""


@dataclass
class Served:
    root: Path
    base_url: str
    server: ThreadingHTTPServer


site = test_browser_site.site
"""The shipped content built once for the session and served (``tools.shared_site``)."""
browser = test_browser_site.browser


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """bench/generate.py's S corpus (200 actors, 1,000 events), built and served."""
    work = tmp_path_factory.mktemp("corpus")
    content, www = work / "content", work / "www"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "S", str(content)],
                   check=True, capture_output=True)
    handler = functools.partial(tools._QuietHandler, directory=str(www))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    subprocess.run([sys.executable, "-m", "kabul_brief", "build", "--content", str(content),
                    "--out", str(www), "--base-url", base_url, "--quiet"],
                   check=True, capture_output=True, cwd=REPO)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(www, base_url, server)
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _open(browser: Any, **options: Any) -> Any:
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    return context


def _distance(point: list[float], a: list[float], b: list[float]) -> float:
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _meet(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _near(box: list[float], centre: list[float], radius: float) -> bool:
    dx = max(box[0] - centre[0], 0.0, centre[0] - box[2])
    dy = max(box[1] - centre[1], 0.0, centre[1] - box[3])
    return math.hypot(dx, dy) < radius


def problems_of(picture: dict[str, Any]) -> list[str]:
    """What a reader would misread in one drawn picture."""
    found = []
    nodes = picture["nodes"]
    labelled = [n for n in nodes if n["label"]]
    for a, b in itertools.combinations(labelled, 2):
        if _meet(a["label"], b["label"]):
            found.append(f"labels {a['text']!r} and {b['text']!r} meet")
    for label, node in itertools.product(labelled, nodes):
        if node is not label and _near(label["label"], node["centre"], node["radius"]):
            found.append(f"label {label['text']!r} covers the mark of {node['id']}")
    for edge in picture["edges"]:
        for node in nodes:
            if node["id"] in edge["ends"]:
                continue
            d = _distance(node["centre"], edge["a"], edge["b"])
            if d < node["radius"]:
                found.append(f"the line {'-'.join(edge['ends'])} passes {d:.1f}px from "
                             f"{node['id']} (radius {node['radius']:.1f}px)")
    return found


def measure(page: Any, url: str) -> list[dict[str, Any]]:
    page.goto(url)
    page.evaluate("() => document.fonts.ready")
    pictures: list[dict[str, Any]] = page.evaluate(MEASURE)
    return pictures


# -- the network page ------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 375, 320])
def test_network_labels_never_meet_and_lines_pass_only_their_own_actors(
    site: tools.Site, browser: Any, width: int
) -> None:
    context = _open(browser, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        pictures = measure(page, site.base_url + "network/")
        (picture,) = pictures  # one picture shows at a time: wide or narrow
        assert ("network-narrow" if width < 700 else "network-wide") in picture["cls"]
        assert len(picture["nodes"]) >= 10 and len(picture["edges"]) >= 20
        assert all(n["label"] and n["link"] for n in picture["nodes"])
        assert not problems_of(picture)
        # readable on a phone: the picture fits the screen and its labels are 11px or more
        assert picture["box"][0] >= 0 and picture["box"][2] <= width
        assert min(n["fontPx"] for n in picture["nodes"]) >= 11
        assert page.evaluate(tools.SCROLL_WIDTH) <= width
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_corpus_of_200_actors_draws_its_main_actors_as_cleanly(
    corpus: Served, browser: Any, width: int
) -> None:
    context = _open(browser, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        (picture,) = measure(page, corpus.base_url + "network/")
        problems = problems_of(picture)
        assert not problems, "\n".join(problems)
        from kabul_brief.publish import network

        drawn = network.NETWORK_NARROW_DRAWN if width < 700 else network.NETWORK_MAX_DRAWN
        assert len(picture["nodes"]) == drawn
        # the main actors: those with the most ties in the list below the picture
        ties = page.evaluate("""() => [...document.querySelectorAll('ul.network-list > li')]
          .map(li => [li.querySelector('h3 a').getAttribute('href'),
                      li.querySelectorAll('ul.connections > li').length])""")
        most = max(count for _, count in ties)
        shown = {n["link"] for n in picture["nodes"]}
        assert {href for href, count in ties if count == most} <= shown
        least_shown = min(count for href, count in ties if href in shown)
        assert all(count <= least_shown for href, count in ties if href not in shown)
        assert page.evaluate(tools.SCROLL_WIDTH) <= width
    finally:
        context.close()


_RGB = re.compile(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)")


def _luminance(colour: str) -> float:
    match = _RGB.match(colour)
    assert match, colour
    channels = [float(c) / 255 for c in match.groups()]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_kinds_differ_by_shape_and_colour_as_the_key_says(
    site: tools.Site, browser: Any, scheme: str
) -> None:
    context = _open(browser, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        (picture,) = measure(page, site.base_url + "network/")
        kinds = page.evaluate("""() => [...document.querySelectorAll('svg.network-wide .node')]
          .map(n => [n.dataset.actor, [...n.classList].find(c => c.startsWith('kind-'))])""")
        kind_of = dict(kinds)
        looks: dict[str, set[tuple[str, str]]] = {}
        for node in picture["nodes"]:
            looks.setdefault(kind_of[node["id"]], set()).add((node["shape"], node["fill"]))
            assert _contrast(node["fill"], picture["background"]) >= 3, (node, scheme)
        assert len(looks) >= 5  # the shipped content has actors of six kinds
        assert all(len(look) == 1 for look in looks.values()), looks
        shapes = [next(iter(look))[0] for look in looks.values()]
        fills = [next(iter(look))[1] for look in looks.values()]
        assert len(set(shapes)) == len(shapes) and len(set(fills)) == len(fills)
        key = page.evaluate("""() => [...document.querySelectorAll('ul.network-key li')]
          .filter(li => li.querySelector('.mark'))
          .map(li => [[...li.classList].find(c => c.startsWith('kind-')),
                      li.querySelector('.mark').getAttribute('d'),
                      getComputedStyle(li.querySelector('.mark')).fill, li.textContent.trim()])""")
        assert {k: {(d, fill)} for k, d, fill, _ in key} == looks
        assert all(words for *_, words in key)
    finally:
        context.close()


# -- each actor's own ties -------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 320])
def test_every_actors_ties_are_drawn_cleanly_and_listed(
    site: tools.Site, browser: Any, width: int
) -> None:
    context = _open(browser, viewport={"width": width, "height": 900})
    problems = []
    seen = 0
    try:
        page = context.new_page()
        for path in sorted((site.root / "actors").glob("*/index.html")):
            url = site.url(path)
            pictures = measure(page, url)
            listed = page.evaluate("""() => [...document.querySelectorAll(
              'ul.ties-list > li > a:first-child')].map(a => a.getAttribute('href'))""")
            if not pictures:
                assert not listed, url
                continue
            seen += 1
            (picture,) = pictures
            problems += [f"{url}: {p}" for p in problems_of(picture)]
            drawn = [n["link"] for n in picture["nodes"] if n["link"]]
            assert drawn == listed[:len(drawn)], url  # the list starts with what is drawn
            assert picture["box"][2] <= width and page.evaluate(tools.SCROLL_WIDTH) <= width
            assert min(n["fontPx"] for n in picture["nodes"] if n["fontPx"]) >= 11, url
    finally:
        context.close()
    assert seen >= 10
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_network_and_an_actor_page(
    site: tools.Site, browser: Any, scheme: str
) -> None:
    problems = []
    for width in (1280, 375):
        context = _open(browser, color_scheme=scheme, viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            for path in ("network/", "actors/india/", "actors/amir-khan-muttaqi/"):
                page.goto(site.base_url + path)
                problems += [f"{width}px {path}: {p}" for p in tools.axe(page)]
        finally:
            context.close()
    assert not problems, "\n".join(problems)
