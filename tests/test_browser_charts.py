"""Trend charts and the timeline in a real browser, measured: where the year lines
fall, whether marks overlap, how big a chart is on a phone, where each mark leads, and
the timeline's filter with JavaScript and its static timelines without.

The site is the shipped content, built once and served (``validators.tools``);
Playwright drives Debian's Chromium.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
import test_browser_site
from validators import tools

PHONE = {"width": 375, "height": 800}
LAPTOP = {"width": 1280, "height": 900}

site = test_browser_site.site
"""The shipped content, built once for every browser test and served."""
browser = test_browser_site.browser


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    made: list[Any] = []

    def open_context(**options: Any) -> Any:
        new = browser.new_context(**options)
        new.set_default_timeout(20_000)
        made.append(new)
        return new

    yield open_context
    for each in made:
        each.close()


def trend_pages(site: tools.Site) -> list[str]:
    """Site paths of the dispute and relationship pages that draw a trend chart."""
    found = []
    for kind in ("disputes", "relationships"):
        for file in sorted((site.root / kind).glob("*/index.html")):
            if 'class="chart trend-chart"' in file.read_text(encoding="utf-8"):
                found.append(f"{kind}/{file.parent.name}/")
    return found


BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map(el => {
  const r = el.getBoundingClientRect();
  return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width, height: r.height,
          cx: r.x + r.width / 2, date: el.getAttribute('data-date'),
          href: el.closest('a') ? el.closest('a').getAttribute('href') : null,
          cls: el.getAttribute('class')};
})"""


def _date_of(anchor: str) -> tuple[dt.date, dt.date]:
    """First and last day of a trend point from its anchor (``#trend_2025-04-23_2``)."""
    iso = anchor.removeprefix("#trend_").split("_")[0]
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return day, day
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["375", "1280"])
def test_trend_chart_years_start_on_1_january_equally_spaced(
    site: tools.Site, context: Any, viewport: dict[str, int]
) -> None:
    page = context(viewport=viewport).new_page()
    measured = 0
    for path in trend_pages(site):
        page.goto(site.base_url + path)
        lines = [b for b in page.evaluate(BOXES, "figure.trend-chart line.gridline")
                 if b["date"] and b["date"].endswith("-01-01")]
        if len(lines) < 3:
            continue  # a chart within one year: its lines are months
        measured += 1
        years = [int(b["date"][:4]) for b in lines]
        assert years == list(range(years[0], years[0] + len(years))), (path, years)
        gaps = [b["cx"] - a["cx"] for a, b in itertools.pairwise(lines)]
        assert min(gaps) > 20, (path, gaps)
        assert max(gaps) - min(gaps) < 0.5, (path, gaps)
        # each mark sits where its date falls within its year
        by_year = {int(b["date"][:4]): b["cx"] for b in lines}
        for mark in page.evaluate(BOXES, "figure.trend-chart path.mark"):
            first, last = _date_of(mark["href"])
            start, end = by_year[first.year], by_year[first.year + 1]
            january = dt.date(first.year, 1, 1).toordinal()
            middle = (first.toordinal() + last.toordinal() + 1) / 2 - january
            days = dt.date(first.year + 1, 1, 1).toordinal() - january
            expected = start + middle / days * (end - start)
            assert abs(mark["cx"] - expected) < 1.5, (path, mark["href"], mark["cx"], expected)
    assert measured >= 2


def test_trend_marks_never_overlap_and_the_chart_is_readable_on_a_phone(
    site: tools.Site, context: Any
) -> None:
    page = context(viewport=PHONE).new_page()
    pages = trend_pages(site)
    assert len(pages) >= 4
    for path in pages:
        page.goto(site.base_url + path)
        svg = page.evaluate(BOXES, "figure.trend-chart svg")[0]
        assert svg["height"] >= 120, (path, svg)
        assert svg["right"] <= PHONE["width"], (path, svg)
        labels = page.evaluate(BOXES, "figure.trend-chart text.tick-label")
        assert labels and min(b["height"] for b in labels) >= 11, (path, labels)
        marks = page.evaluate(BOXES, "figure.trend-chart path.mark")
        for a, b in itertools.combinations(marks, 2):
            apart = (a["right"] <= b["x"] or b["right"] <= a["x"]
                     or a["bottom"] <= b["y"] or b["bottom"] <= a["y"])
            assert apart, (path, a["href"], b["href"])
        for a, b in itertools.combinations(labels, 2):
            apart = a["right"] <= b["x"] or b["right"] <= a["x"] or abs(a["y"] - b["y"]) > 8
            assert apart, (path, a, b)


def test_every_trend_mark_links_to_its_point_and_says_its_direction_once(
    site: tools.Site, context: Any
) -> None:
    page = context(viewport=LAPTOP).new_page()
    for path in trend_pages(site):
        page.goto(site.base_url + path)
        points = page.evaluate("""() => Array.from(document.querySelectorAll('li.trend-point'))
            .map(li => ({id: li.id, text: li.textContent.toLowerCase()}))""")
        marks = page.evaluate(BOXES, "figure.trend-chart path.mark")
        assert sorted(m["href"] for m in marks) == sorted(f"#{p['id']}" for p in points), path
        words = {f"#{p['id']}": p["text"] for p in points}
        for mark in marks:
            direction = mark["cls"].split("mark-")[1]
            assert direction in words[mark["href"]], (path, mark)
        # each direction named once in the chart: the label of its row, no legend
        lanes = page.evaluate("""() => Array.from(document.querySelectorAll(
            'figure.trend-chart .lane-label')).map(t => t.textContent.toLowerCase())""")
        assert lanes == ["improved", "unchanged", "deteriorated"], path
        caption = page.text_content("figure.trend-chart figcaption") or ""
        assert not any(word in caption.lower() for word in lanes), (path, caption)
        assert page.locator("figure.trend-chart ol, figure.trend-chart ul").count() == 0
        first = page.locator("figure.trend-chart a.mark-link").first
        href = first.get_attribute("href")
        first.click()
        assert page.evaluate("() => location.hash") == href


def _entry_links(page: Any, selector: str) -> list[str]:
    return sorted(page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel))
              .filter(li => !li.hidden && li.getClientRects().length > 0)
              .map(li => li.querySelector('.item-title a').href)""", selector))


def _dot_links(page: Any, figure: str = "figure.time-strip") -> list[str]:
    return sorted(page.evaluate(
        """(fig) => Array.from(document.querySelectorAll(fig + ' svg circle'))
              .filter(c => c.getClientRects().length > 0)
              .map(c => { const a = c.closest('a');
                           return a ? new URL(a.getAttribute('href'), location.href).href : null; })
        """, figure))


def test_every_timeline_mark_is_a_link_to_its_event(site: tools.Site, context: Any) -> None:
    page = context(viewport=LAPTOP).new_page()
    checked = 0
    for path in ["timeline/", "timeline/newest/",
                 *(f"{kind}/{file.parent.name}/" for kind in ("actors", "disputes")
                   for file in sorted((site.root / kind).glob("*/index.html")))]:
        page.goto(site.base_url + path)
        if page.locator("figure.time-strip").count() == 0:
            continue
        checked += 1
        section = {"actors": "#actor_events ~ ", "disputes": "#dispute_events ~ "}.get(
            path.split("/")[0], "")
        listed = _entry_links(page, f"{section}ol.event-list > li.event-item")
        dots = _dot_links(page)
        assert None not in dots, path
        assert dots == listed, path
        assert all("/events/" in url for url in dots), path
    assert checked >= 10
    page.goto(site.base_url + "timeline/")
    dot = page.locator("figure.time-strip a.dot").first
    wanted = page.evaluate("(a) => new URL(a.getAttribute('href'), location.href).href",
                           dot.element_handle())
    dot.click()
    page.wait_for_url(wanted)
    assert page.locator("h1").count() == 1


FILTERS = {
    "actor": ("india", "actors/india/", ["#actor_events ~ ol.event-list > li"]),
    "dispute": ("durand-line", "disputes/durand-line/", ["#dispute_events ~ ol.event-list > li"]),
    "place": ("pakistan", "places/pakistan/", ["#place_events ~ ol.event-list > li",
                                               "#place_events_within ~ ol.event-list > li"]),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_the_filter_shows_one_records_events_as_its_own_page_lists_them(
    site: tools.Site, context: Any, name: str
) -> None:
    value, own_path, own_lists = FILTERS[name]
    page = context(viewport=LAPTOP).new_page()
    page.goto(site.base_url + own_path)
    own = sorted(set(itertools.chain.from_iterable(_entry_links(page, s) for s in own_lists)))
    assert own
    page.goto(site.base_url + "timeline/")
    everything = _entry_links(page, "li.event-item")
    assert page.locator("#timeline_filter").is_visible()
    page.select_option(f"#timeline_filter select[name={name}]", value)
    shown = _entry_links(page, "li.event-item")
    assert shown == own != everything
    assert _dot_links(page) == own  # the strip follows the list
    assert f"{name}={value}" in page.url
    assert str(len(own)) in (page.text_content("#timeline_filter output") or "")
    hidden_years = page.evaluate("""() => Array.from(document.querySelectorAll('section.year'))
        .filter(s => s.hidden).map(s => s.querySelectorAll('li:not([hidden])').length)""")
    assert all(count == 0 for count in hidden_years)
    # the address keeps the choice: a reload shows the same events
    page.reload()
    assert _entry_links(page, "li.event-item") == own
    page.click("#timeline_filter button[type=reset]")
    page.wait_for_function("() => !document.querySelector('li.event-item[hidden]')")
    assert _entry_links(page, "li.event-item") == everything


def test_the_filter_by_kind_and_two_filters_at_once(site: tools.Site, context: Any) -> None:
    page = context(viewport=PHONE).new_page()
    page.goto(site.base_url + "timeline/newest/?kind=meeting")
    kinds = page.evaluate("""() => Array.from(document.querySelectorAll('li.event-item'))
        .filter(li => !li.hidden).map(li => li.querySelector('.tag').textContent)""")
    assert kinds and set(kinds) == {"meeting"}
    page.select_option("#timeline_filter select[name=actor]", "pakistan")
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('li.event-item'))
        .filter(li => !li.hidden).map(li => li.textContent)""")
    assert all("Pakistan" in row for row in rows)
    assert len(rows) <= len(kinds)
    assert page.evaluate(tools.SCROLL_WIDTH) <= PHONE["width"]


def test_the_filter_says_what_it_shows_in_the_pages_language(
        site: tools.Site, context: Any) -> None:
    """The count of events shown is the page's sentence, in its digits: Dari on the
    Dari timeline (found by an outside test: it was English everywhere)."""
    page = context(viewport=PHONE).new_page()
    page.goto(site.base_url + "fa-af/timeline/?kind=meeting")
    said = page.text_content("#timeline_filter output") or ""
    assert "Showing" not in said and "نمایش" in said, said
    assert re.search("[\u06f0-\u06f9]", said) and not re.search("[0-9]", said), said
    page.goto(site.base_url + "timeline/")
    assert re.fullmatch(r"Showing all \d+ events", page.text_content("#timeline_filter output")
                        or "")


def _dates(page: Any) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('li.event-item'))
        .map(li => li.querySelector('time').getAttribute('datetime'))""")


def test_without_javascript_the_timeline_links_to_each_records_own_timeline(
    site: tools.Site, context: Any
) -> None:
    page = context(viewport=LAPTOP, java_script_enabled=False).new_page()
    page.goto(site.base_url + "timeline/")
    assert not page.locator("#timeline_filter").is_visible()
    oldest = _dates(page)
    ids = sorted(page.evaluate("() => Array.from(document.querySelectorAll('li.event-item'))"
                               ".map(li => li.id)"))
    # newest first: a page of its own, the same events the other way round
    page.click("a.other-order")
    assert page.url.endswith("/timeline/newest/")
    newest = _dates(page)
    assert newest != oldest
    assert sorted(page.evaluate("() => Array.from(document.querySelectorAll('li.event-item'))"
                                ".map(li => li.id)")) == ids
    starts = [d[:4] for d in newest]
    assert starts == sorted(starts, reverse=True)
    for label, section in (("Actors", "actor_events"), ("Disputes", "dispute_events"),
                           ("Places", "place_events")):
        page.goto(site.base_url + "timeline/")
        page.click("details.timeline-pick summary")
        link = page.locator(f"details.timeline-pick h2:text-is('{label}') + ul a").first
        href = link.get_attribute("href") or ""
        assert href.endswith(f"#{section}"), href
        link.click()
        page.wait_for_url(f"**#{section}")
        listed = _entry_links(page, f"#{section} ~ ol.event-list > li")
        assert listed
        if section != "place_events":  # a place's page lists its events, unpictured
            assert _dot_links(page) == listed


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_trend_and_timeline_pages(
    site: tools.Site, context: Any, scheme: str
) -> None:
    page = context(viewport=PHONE, color_scheme=scheme).new_page()
    problems = []
    for path in [*trend_pages(site), "timeline/", "timeline/newest/?actor=india",
                 "actors/india/"]:
        page.goto(site.base_url + path)
        problems += [f"{path}: {p}" for p in tools.axe(page)]
    assert not problems, "\n".join(problems)
