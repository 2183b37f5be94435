"""The shipped brief builds, and its key facts show where a reader looks for them."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.test_brief_words import copied_runs

REPO = Path(__file__).resolve().parents[1]
KABUL_MEETING = "kabul-delegation-2025-04"
DUBAI_MEETING = "misri-muttaqi-dubai-2025-01"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kabul_brief.cli import main

    out = tmp_path_factory.mktemp("brief") / "site"
    assert main(["build", "--content", str(REPO / "content"), "--out", str(out)]) == 0
    return out


def page(built: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((built / path / "index.html").read_text("utf-8"), "html.parser")


def links_to_event(soup: BeautifulSoup, event_id: str) -> bool:
    main = soup.select_one("main") or soup
    return any(str(a["href"]).rstrip("/").endswith(f"/events/{event_id}")
               for a in main.select("a[href]"))


@pytest.mark.parametrize(
    ("path", "event_id"),
    [
        ("actors/amir-khan-muttaqi", KABUL_MEETING),
        ("actors/india", KABUL_MEETING),
        ("actors/m-anand-prakash", KABUL_MEETING),
        ("actors/vikram-misri", DUBAI_MEETING),
        ("actors/vikram-misri", KABUL_MEETING),  # his ministry's, under "Through roles"
        ("relationships/india-taliban", KABUL_MEETING),
        ("places/kabul", KABUL_MEETING),
    ],
)
def test_the_kabul_meetings_appear_on_the_pages_they_concern(
    built: Path, path: str, event_id: str
) -> None:
    assert links_to_event(page(built, path), event_id)


def test_the_kabul_meeting_is_on_the_timeline_with_its_date(built: Path) -> None:
    entry = page(built, "timeline").select_one(f"#{KABUL_MEETING}")
    assert entry is not None
    time = entry.select_one("time[datetime]")
    assert time is not None and time["datetime"].startswith("2025-04")
    assert links_to_event(BeautifulSoup(str(entry), "html.parser"), KABUL_MEETING)


def test_the_about_page_is_published(built: Path) -> None:
    soup = page(built, "about")
    heading = soup.select_one("main h1")
    assert heading is not None and heading.get_text(strip=True) == "About this site"


def test_the_brief_has_the_facts_it_promises(built: Path) -> None:
    from tests.conftest import checked_site

    site = checked_site(REPO / "content")
    assert len(site.events) >= 10
    assert len(site.actors) >= 12
    assert len(site.disputes) >= 4
    assert len(site.relationships) >= 3
    for event in site.events.values():
        assert event.sources
        assert all(claim.sources for claim in event.claims)


def test_no_12_word_run_of_the_report_is_in_the_built_site(built: Path) -> None:
    texts = [
        BeautifulSoup(path.read_text("utf-8"), "html.parser").get_text(" ")
        for path in sorted(built.rglob("*.html"))
    ]
    assert len(texts) > 50
    assert copied_runs("\n".join(texts)) == []


def test_a_strip_over_one_year_names_its_quarters(built: Path) -> None:
    svg = page(built, "actors/vikram-misri").select_one("figure.time-strip svg")
    assert svg is not None
    assert [t.get_text() for t in svg.select("text.tick-label")] == ["Jan 2025", "Apr", "Jul",
                                                                     "Oct"]


def test_trend_chart_years_are_labelled_where_they_begin(built: Path) -> None:
    svg = page(built, "relationships/india-taliban").select_one("figure.trend-chart svg")
    assert svg is not None
    ticks = [(float(t["x"]), t.get_text()) for t in svg.select("text.tick-label")]
    years = [int(label) for _, label in ticks if label.isdigit()]
    assert years == list(range(years[0], years[0] + len(years)))
    # The first mark (August 2021) lies between the chart's start and the 2022 tick.
    first_mark = svg.select("path.mark")[0]
    first_mark_x = float(str(first_mark["transform"]).split("(")[1].split()[0])
    x_2022 = next(x for x, label in ticks if label == "2022")
    assert ticks[0][0] < first_mark_x < x_2022


def test_a_ministry_event_shows_on_its_officials_page_as_such(built: Path) -> None:
    section = page(built, "actors/vikram-misri").select_one("#actor_role_events")
    assert section is not None
    block = section.find_parent("section")
    assert block is not None
    assert "Ministry of External Affairs" in block.get_text(" ", strip=True)
    assert links_to_event(BeautifulSoup(str(block), "html.parser"), KABUL_MEETING)
    assert not links_to_event(BeautifulSoup(str(block), "html.parser"), DUBAI_MEETING)
