"""The built site in a real browser: accessibility (axe-core, light and dark),
320 px screens, keyboard-only navigation and the search page.

The site is built once from the shipped content under a sub-path
(``http://127.0.0.1:PORT/kabul-brief/``) and served by a local http.server;
Playwright for Python drives Debian's Chromium. scripts/test installs both.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from test_site_support import REPO
from validators import tools

from kabul_brief.cli import main
from kabul_brief.publish import search


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tools.Site]:
    yield tools.shared_site(tmp_path_factory.mktemp("www"))
    tools.stop_shared_site()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    yield tools.shared_browser()
    tools.stop_shared_browser()


def _open(browser: Any, **options: Any) -> Any:
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    return context


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violations_on_any_page_kind(
    site: tools.Site, browser: Any, scheme: str
) -> None:
    context = _open(browser, color_scheme=scheme)
    page = context.new_page()
    problems = []
    try:
        for kind, path in sorted(site.one_page_per_kind().items()):
            url = site.url(path)
            searching = kind.endswith("search index")
            if searching:  # check the page with its results rendered
                url += "?q=Muttaqi" if kind == "search index" else "?q=طالبان"
            page.goto(url)
            if searching:
                page.wait_for_selector(".pagefind-ui__result-link")
            assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") is (
                scheme == "dark"
            )
            problems += [f"{kind} {url}: {problem}" for problem in tools.axe(page)]
    finally:
        context.close()
    assert not problems, f"{len(problems)} axe violation(s) in {scheme} mode:\n" + "\n".join(
        problems
    )


def test_no_page_scrolls_horizontally_at_320_px(site: tools.Site, browser: Any) -> None:
    context = _open(browser, viewport={"width": 320, "height": 640})
    page = context.new_page()
    problems = []
    try:
        for path in site.html_files():
            url = site.url(path)
            page.goto(url)
            width = page.evaluate(tools.SCROLL_WIDTH)
            if width > 320:
                wide = page.evaluate(tools.WIDE_ELEMENTS, 320)
                problems.append(f"{url}: scrollWidth {width}; too wide: {', '.join(wide)}")
    finally:
        context.close()
    assert not problems, "pages wider than 320 px:\n" + "\n".join(problems)


def test_keyboard_reaches_skip_link_search_main_and_every_timeline_link(
    site: tools.Site, browser: Any
) -> None:
    context = _open(browser)
    page = context.new_page()
    try:
        page.goto(site.base_url + "timeline/")
        links = page.evaluate(tools.RENDERED_LINKS)
        main_id = page.evaluate("() => document.querySelector('main')?.id ?? null")
        stops: list[dict[str, Any]] = []
        for _ in range(len(links) + 40):
            page.keyboard.press("Tab")
            focused = page.evaluate(tools.FOCUSED)
            if focused is None:  # past the last stop: focus left the document
                break
            if stops and focused == stops[0]:
                break
            stops.append(focused)
        # the skip link, activated from the keyboard, moves focus into the main content
        page.goto(site.base_url + "timeline/")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        after_skip = page.evaluate(tools.FOCUSED)
    finally:
        context.close()

    failures = []
    if not stops:
        failures.append("Tab never moved the focus")
    elif not (main_id and stops[0]["tag"] == "a" and stops[0]["href"] == f"#{main_id}"):
        failures.append(f"the first Tab stop is not the skip link to #{main_id}: {stops[0]}")
    if not any(stop["id"] == "site-search" for stop in stops):
        failures.append(
            "Tab never reaches the header search box #site-search "
            "(<input type=search id=site-search name=q> in a <form role=search>)"
        )
    if not any(stop["inMain"] for stop in stops):
        failures.append("Tab never reaches anything inside <main>")
    if after_skip is None or not (after_skip["isMain"] or after_skip["inMain"]):
        failures.append(f"Enter on the skip link does not move focus into <main>: {after_skip}")
    reached = {stop["link"] for stop in stops}
    missed = [link for link in links if link["rendered"] and link["i"] not in reached]
    if missed:
        failures.append(
            f"{len(missed)} of {len(links)} timeline links are never reached by Tab: "
            + "; ".join(f"{link['href']} ({link['text']})" for link in missed[:10])
        )
    assert not failures, "\n".join(failures)


def test_search_for_muttaqi_links_to_his_actor_page(site: tools.Site, browser: Any) -> None:
    search_page = site.root / "search" / "index.html"
    assert search_page.exists(), (
        "the build writes no /search/ page: the search feature (Pagefind UI rendering "
        "into #search) has not landed"
    )
    context = _open(browser)
    page = context.new_page()
    try:
        response = page.goto(site.base_url + "search/?q=Muttaqi")
        assert response is not None and response.ok, f"/search/ answered {response}"
        page.wait_for_selector(".pagefind-ui__result-link", timeout=20_000)
        hrefs = page.eval_on_selector_all(
            ".pagefind-ui__result-link", "links => links.map(a => a.href)"
        )
    finally:
        context.close()
    assert any(href.endswith("/kabul-brief/actors/amir-khan-muttaqi/") for href in hrefs), hrefs


def test_every_page_kind_tabs_to_the_skip_link_first_then_the_search_box(
    site: tools.Site, browser: Any
) -> None:
    context = _open(browser)
    page = context.new_page()
    failures = []
    try:
        for kind, path in sorted(site.one_page_per_kind().items()):
            url = site.url(path)
            page.goto(url)
            main_id = page.evaluate("() => document.querySelector('main')?.id ?? null")
            # The search page focuses its own search field on load (Pagefind UI); a
            # keyboard user starting from the top starts from the document instead.
            page.evaluate(tools.FOCUS_TOP)
            stops = []
            for _ in range(12):  # the header holds a handful of stops before the search box
                page.keyboard.press("Tab")
                focused = page.evaluate(tools.FOCUSED)
                if focused is None:
                    break
                stops.append(focused)
                if focused["id"] == "site-search":
                    break
            if not stops or stops[0]["href"] != f"#{main_id}":
                failures.append(
                    f"{kind} {url}: the first Tab stop is not the skip link: {stops[:1]}"
                )
            if not any(stop["id"] == "site-search" for stop in stops):
                failures.append(f"{kind} {url}: 12 Tabs from the top never reach #site-search")
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_search_merges_the_shards_of_a_large_index(
    tmp_path: Path, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten pages a shard: the results for Muttaqi come from several shards."""
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 10)
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    base_url = f"http://127.0.0.1:{server.server_address[1]}/brief/"
    assert main(["build", "--content", str(REPO / "content"), "--out", str(tmp_path / "brief"),
                 "--base-url", base_url, "--quiet"]) == 0
    shards = len(list((tmp_path / "brief" / "pagefind").glob("shard-*"))) + 1
    assert shards > 2
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = _open(browser)
    page = context.new_page()
    try:
        page.goto(base_url + "search/?q=Muttaqi")
        page.wait_for_selector(".pagefind-ui__result-link", timeout=20_000)
        hrefs = page.eval_on_selector_all(
            ".pagefind-ui__result-link", "links => links.map(a => a.href)")
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    paths = [href.removeprefix(base_url) for href in hrefs]
    assert "actors/amir-khan-muttaqi/" in paths, paths
    assert len({search.shard_of(path, shards) for path in paths}) > 1, paths
