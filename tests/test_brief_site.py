"""The shipped brief builds, and its key facts show where a reader looks for them."""

from __future__ import annotations

import datetime as dt
import itertools
import json
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


def test_a_strip_within_one_year_marks_and_names_its_months(built: Path) -> None:
    svg = page(built, "actors/vikram-misri").select_one("figure.time-strip svg")
    assert svg is not None
    lines = [str(line["data-date"]) for line in svg.select("line.gridline[data-date]")]
    assert lines[0] == "2025-01-01" and len(lines) >= 3
    assert all(day.startswith("2025-") and day.endswith("-01") for day in lines)
    months = [int(day[5:7]) for day in lines]
    assert months == list(range(1, len(months) + 1))
    labels = [t.get_text() for t in svg.select("text.tick-label")]
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert labels == [*names[: len(months)], "2025"]


def test_trend_chart_years_begin_on_1_january_and_are_equally_wide(built: Path) -> None:
    svg = page(built, "relationships/india-taliban").select_one("figure.trend-chart svg")
    assert svg is not None
    lines = [(float(line["x1"]), str(line["data-date"]))
             for line in svg.select("line.gridline[data-date]")]
    years = [int(day[:4]) for _, day in lines]
    assert all(day.endswith("-01-01") for _, day in lines)
    assert years == list(range(years[0], years[0] + len(years)))
    gaps = {round(b - a, 1) for (a, _), (b, _) in itertools.pairwise(lines)}
    assert len(gaps) == 1, gaps
    # each year's name sits in the middle of its year
    x_of = {int(day[:4]): x for x, day in lines}
    for label in svg.select("text.tick-label"):
        year = int(label.get_text())
        assert float(label["x"]) == pytest.approx((x_of[year] + x_of[year + 1]) / 2, abs=0.1)
    # The first mark (17 August 2021) lies in 2021, 63% of the way through it.
    first_mark = svg.select("path.mark")[0]
    first_mark_x = float(str(first_mark["transform"]).split("(")[1].split()[0])
    share = (first_mark_x - x_of[2021]) / (x_of[2022] - x_of[2021])
    assert share == pytest.approx((dt.date(2021, 8, 17).timetuple().tm_yday - 0.5) / 365,
                                  abs=0.005)


def test_a_ministry_event_shows_on_its_officials_page_as_such(built: Path) -> None:
    section = page(built, "actors/vikram-misri").select_one("#actor_role_events")
    assert section is not None
    block = section.find_parent("section")
    assert block is not None
    assert "Ministry of External Affairs" in block.get_text(" ", strip=True)
    assert links_to_event(BeautifulSoup(str(block), "html.parser"), KABUL_MEETING)
    assert not links_to_event(BeautifulSoup(str(block), "html.parser"), DUBAI_MEETING)


def test_pages_show_typographic_titles_and_data_keeps_them_as_written(built: Path) -> None:
    page = (built / "articles" / "india-kabul-outreach-after-pahalgam"
            / "index.html").read_text()
    assert "<title>India\u2019s Kabul outreach after Pahalgam" in page
    assert ">India\u2019s Kabul outreach after Pahalgam, and what it means" in page
    body = BeautifulSoup(page, "html.parser").body
    assert body is not None
    for script in body.find_all("script"):
        script.decompose()
    assert "India's" not in body.get_text()
    data = json.loads((built / "data" / "articles.json").read_text())
    titles = [item["title"] for item in data["items"]]
    assert "India's Kabul outreach after Pahalgam, and what it means for Pakistan" in titles
