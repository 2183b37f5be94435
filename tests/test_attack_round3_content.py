"""Third round of content attacks: a place's coordinates and its ``within:`` reported
in one pass with every other error, and dates in years below 1000 shown so that a
month never reads as a day.

Each case drives the CLI on a copy of the good fixture and reads what an editor or a
reader would see: the exit code, the exact ``PATH:LINE:COL: error:`` lines of
``check`` and ``build`` (identical, in one run), and the built files parsed with real
parsers (BeautifulSoup, json, the iCalendar lines unfolded).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import CliResult
from tests.conftest import builds as _builds
from tests.conftest import refused as _refused

Run = Callable[..., CliResult]
FAR = "content/places/far.yaml"
CYCLE = "content/places/badp.yaml"




def _write(relative: str, text: str) -> None:
    path = Path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- 2. both coordinates out of range: both errors, in one pass -------------------------


def test_latitude_and_longitude_out_of_range_are_reported_together(
    good_site: Path, run_cli: Run
) -> None:
    _write(FAR, "id: far\nname: Far\nkind: town\ncoordinates: [95, 200]\n")
    checked = _refused(
        run_cli,
        f"{FAR}:4:15: error: latitude must be between -90 and 90, found 95 [range]",
        f"{FAR}:4:19: error: longitude must be between -180 and 180, found 200 [range]",
    )
    assert "coordinates are [lat, lon]: latitude first." in checked.err


def test_longitude_out_of_range_names_the_longitude(good_site: Path, run_cli: Run) -> None:
    _write(FAR, "id: far\nname: Far\nkind: town\ncoordinates: [-90, -180.5]\n")
    _refused(
        run_cli,
        f"{FAR}:4:20: error: longitude must be between -180 and 180, found -180.5 [range]",
    )


# -- 3. a within: circle through a place with a bad coordinate --------------------------


CYCLE_TEXT = """\
- id: cyc-a
  name: A
  kind: town
  within: cyc-b
  coordinates: [91, 181]
- id: cyc-b
  name: B
  kind: town
  within: cyc-a
"""


def test_within_cycle_is_reported_with_the_bad_coordinates(
    good_site: Path, run_cli: Run
) -> None:
    _write(CYCLE, CYCLE_TEXT)
    _refused(
        run_cli,
        f"{CYCLE}:4:11: error: places are within each other in a circle:"
        " cyc-a -> cyc-b -> cyc-a [place-cycle]",
        f"{CYCLE}:5:17: error: latitude must be between -90 and 90, found 91 [range]",
        f"{CYCLE}:5:21: error: longitude must be between -180 and 180, found 181 [range]",
    )


def test_within_cycle_is_reported_where_it_is_once_the_coordinates_are_fixed(
    good_site: Path, run_cli: Run
) -> None:
    _write(CYCLE, CYCLE_TEXT.replace("[91, 181]", "[90, 180]"))
    _refused(
        run_cli,
        f"{CYCLE}:4:11: error: places are within each other in a circle:"
        " cyc-a -> cyc-b -> cyc-a [place-cycle]",
    )


def test_place_with_errors_within_itself_is_reported(good_site: Path, run_cli: Run) -> None:
    _write(CYCLE, "id: cyc-a\nname: A\nkind: town\nwithin: cyc-a\ncoordinates: [91, 0]\n")
    _refused(
        run_cli,
        f"{CYCLE}:4:9: error: place 'cyc-a' cannot be within itself [place-cycle]",
        f"{CYCLE}:5:15: error: latitude must be between -90 and 90, found 91 [range]",
    )


# -- 4. a month in year 1 reads as a month ----------------------------------------------


def _ics_lines(out: Path) -> list[str]:
    """The calendar's content lines, unfolded (RFC 5545, section 3.1)."""
    text = (out / "timeline.ics").read_bytes().decode("utf-8")
    return text.replace("\r\n ", "").split("\r\n")


def test_month_and_year_below_1000_are_shown_with_four_digits(
    good_site: Path, run_cli: Run
) -> None:
    _write("content/events/early.yaml", """\
- id: ev-month
  title: Month
  date: 0001-01
  kind: other
  sources: [{source: agency-report}]
- id: ev-range
  title: Range
  date: '0001'
  end: '9999'
  circa: true
  kind: other
  sources: [{source: agency-report}]
- id: ev-day
  title: Day
  date: 0999-03-05
  kind: other
  sources: [{source: agency-report}]
""")
    out = _builds(run_cli)

    def shown(event: str) -> str:
        soup = BeautifulSoup((out / "events" / event / "index.html").read_text(
            encoding="utf-8"), "html.parser")
        return " ".join(t.get_text(" ", strip=True) for t in soup.select("main time"))

    assert "January 0001" in shown("ev-month")
    assert "January 1" not in shown("ev-month").replace("January 0001", "")
    assert "0001" in shown("ev-range") and "9999" in shown("ev-range")
    assert "5 March 0999" in shown("ev-day")

    summaries = {line for line in _ics_lines(out) if line.startswith("SUMMARY:")}
    assert "SUMMARY:Day" in summaries  # the day of year 999, in four digits
    # a calendar holds days only: an event known to the month or year is in none
    assert not any(s.startswith(("SUMMARY:Month", "SUMMARY:Range")) for s in summaries)

    timeline = json.loads((out / "data" / "timeline.json").read_text(encoding="utf-8"))
    shown_dates = {e["unique_id"]: e.get("display_date") for e in timeline["events"]}
    assert shown_dates["ev-month"] == "January 0001"
    assert shown_dates["ev-range"] == "c. 0001"

    page = BeautifulSoup((out / "timeline" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    headings = [h.get_text(strip=True) for h in page.select("main h2")]
    assert "0001" in headings and "0999" in headings
