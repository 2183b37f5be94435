"""Content that tries to slip past the checks: every case either builds everywhere or
is refused by ``check`` and ``build`` alike, with the line an editor can act on, and
never a traceback, a hang or a silently dropped file.

Each test drives the CLI on a copy of the good fixture and reads what an editor or a
reader would see: the exit code, the ``PATH:LINE:COL: error:`` line, the built pages
(parsed with BeautifulSoup), the feed (xml.etree) and the calendar (icalendar).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from bs4 import BeautifulSoup

import kabul_brief
from tests.conftest import GOOD_SITE, CliResult, mutate
from tests.hostile import Expected, scan_ics

EVENT = "content/events/kabul-meeting.yaml"
EVENTS = "content/events/more.yaml"
PLACE = "content/places/kabul.yaml"
ARTICLE = "content/articles/analysis/kabul-outreach.md"
DISPUTE = "content/disputes/ttp-sanctuary.yaml"
RELATIONSHIP = "content/relationships/india-taliban.yaml"
SITE = "content/site.yaml"
PEOPLE = "content/actors/people.yaml"
SRC = Path(kabul_brief.__file__).resolve().parents[1]
"""The code under test, for the commands run in a process of their own."""

Run = Callable[..., CliResult]


def _character(code_point: str) -> str:
    value = int(code_point[2:], 16)
    what = ("half of a surrogate pair" if 0xD800 <= value <= 0xDFFF else
            "a control character" if value < 0xA0 else "a noncharacter")
    return (f"the text holds {code_point}, {what}, which pages and feeds cannot carry"
            " [control-character]")


def _refused(run_cli: Run, *expected: str) -> CliResult:
    """``check`` and ``build`` both exit 1 with exactly ``expected`` error lines
    (``build`` writes nothing)."""
    checked = run_cli("check")
    assert "Traceback" not in checked.err
    assert checked.error_lines == list(expected), checked.err
    assert checked.code == 1
    built = run_cli("build", "--out", "_site", "--quiet")
    assert "Traceback" not in built.err
    assert built.error_lines == list(expected), built.err
    assert built.code == 1
    assert not Path("_site").exists()
    return checked


def _builds(run_cli: Run) -> Path:
    checked = run_cli("check")
    assert checked.code == 0, checked.err
    built = run_cli("build", "--out", "_site", "--quiet", "--jobs", "1")
    assert built.code == 0, built.err
    assert "Traceback" not in built.err
    return Path("_site")


def _page(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def _visible(element: object) -> str:
    """Text as a sighted reader sees it: without the screen-reader-only parts."""
    assert element is not None
    soup = BeautifulSoup(str(element), "html.parser")
    for hidden in soup.select(".visually-hidden"):
        hidden.decompose()
    return soup.get_text()


def _calendar_events(out: Path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def _read_by_clients(out: Path) -> dict[str, icalendar.Event]:
    """The timeline's events as recurring-ical-events reads them over years 2 to 9999:
    a calendar that this client cannot read fails here."""
    calendar = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
    found = recurring_ical_events.of(calendar).between(dt.date(2, 1, 1), dt.date(9999, 12, 30))
    return {str(e["UID"]).split("@")[0]: e for e in found}


# -- 1. the whole range of years: 0001 to 9999 -----------------------------------------


def test_an_event_on_the_last_day_of_9999_builds_everywhere(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, EVENT, "date: 2025-04-28", "date: 9999-12-31")
    out = _builds(run_cli)
    when = _page(out, "events/kabul-meeting").select_one(".event-when time")
    assert when is not None
    assert (when["datetime"], when.get_text()) == ("9999-12-31", "31 December 9999")
    timeline = [li["id"] for li in _page(out, "timeline").select("ol.timeline > li")]
    assert timeline[-1] == "kabul-meeting"
    # No calendar has the day after it, which a reader reckons: left out, and said so.
    assert "kabul-meeting" not in _calendar_events(out)
    assert "kabul-meeting" not in _read_by_clients(out)
    calendar = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
    assert "1 lasting to 31 December 9999" in str(calendar["DESCRIPTION"])


def test_a_range_ending_in_9999_builds_and_the_calendars_stay_readable(
    good_site: Path, run_cli: Run
) -> None:
    # calendars hold only events known to the day (a year is no day): days, then
    mutate(good_site, EVENTS, "  date: 2025\n  end: 2025\n",
           "  date: 2025-01-01\n  end: 9999-12-31\n")
    out = _builds(run_cli)
    times = _page(out, "events/ttp-attacks").select(".event-when time")
    assert [t["datetime"] for t in times] == ["2025-01-01", "9999-12-31"]
    assert "ttp-attacks" not in _read_by_clients(out)  # and the others still are
    assert set(_read_by_clients(out)) == set(_calendar_events(out)) != set()
    # the calendar is well formed: every event ends by DTEND, the day after its last
    calendar = (out / "timeline.ics").read_bytes()
    assert scan_ics("timeline.ics", calendar, Expected()) == []
    both = calendar.replace(b"DTEND;", b"DURATION:P1D\r\nDTEND;", 1)
    assert both != calendar
    assert scan_ics("timeline.ics", both, Expected()) != []


def test_an_article_dated_9999_gives_a_feed_date_a_parser_reads(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, ARTICLE, "updated: 2025-05-04", "updated: 9999-12-31")
    out = _builds(run_cli)
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(out / "feed.xml").getroot()
    updated = feed.findtext(f"{atom}entry/{atom}updated")
    assert updated == "9999-12-31T00:00:00Z"
    assert dt.datetime.fromisoformat(updated.replace("Z", "+00:00")).year == 9999


@pytest.mark.parametrize(("month", "shown"), [
    ("0001-01", "January 0001"), ("0050-06", "June 0050"), ("0100-12", "December 0100"),
    ("9999-12", "December 9999"),
])
def test_a_trend_point_in_an_early_or_late_year_draws_a_chart(
    good_site: Path, run_cli: Run, month: str, shown: str
) -> None:
    mutate(good_site, DISPUTE, "  - date: 2025-05\n", f"  - date: {month}\n")
    out = _builds(run_cli)
    dispute = _page(out, "disputes/ttp-sanctuary")
    chart = dispute.select_one("figure.trend-chart")
    assert chart is not None
    data = [(t["datetime"], t.get_text()) for t in dispute.select("ol.trend .trend-head time")]
    assert data == [(month, shown)]
    labels = [t.get_text() for t in chart.select("text.tick-label")]
    assert 1 <= len(labels) <= 12, labels


@pytest.mark.parametrize("month", ["0001-08", "0050-08", "0100-08"])
def test_a_trend_from_an_early_year_to_now_draws_a_chart_with_few_labels(
    good_site: Path, run_cli: Run, month: str
) -> None:
    mutate(good_site, RELATIONSHIP, "  - date: 2021-08\n", f"  - date: {month}\n")
    out = _builds(run_cli)
    relationship = _page(out, "relationships/india-taliban")
    chart = relationship.select_one("figure.trend-chart")
    assert chart is not None
    data = [t["datetime"] for t in relationship.select("ol.trend .trend-head time")]
    assert data == [month, "2025-04"]
    labels = [t.get_text() for t in chart.select("text.tick-label")]
    assert 2 <= len(labels) <= 12, labels


def test_a_timeline_from_year_1_to_9999_is_drawn_with_few_labels(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, EVENT, "date: 2025-04-28", "date: 0001-01-01")
    mutate(good_site, EVENTS, "  end: 2025\n", "  end: 9999\n")
    mutate(good_site, EVENTS, '  date: "2021-08-15"', '  date: "9999-12-31"')
    out = _builds(run_cli)
    strip = _page(out, "timeline").select_one("figure.time-strip")
    assert strip is not None
    labels = [t.get_text() for t in strip.select("text.tick-label")]
    assert 2 <= len(labels) <= 12, labels
    rows = [r["data-period"] for r in strip.select("tr[data-period]")]
    assert rows == ["0001-01", "2025", "9999-12"]
    relationship = _page(out, "relationships/india-taliban")
    assert relationship.select_one("figure.trend-chart") is not None


# -- 2. ids and languages match as a whole ----------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("id: kabul-meeting\n", 'id: "kabul-meeting\\n"\n', "'kabul-meeting\\n'"),
        ("id: kabul-meeting\n", "id: |\n  kabul-meeting\n", "'kabul-meeting\\n'"),
    ],
    ids=["escaped-newline", "block-scalar"],
)
def test_an_id_ending_in_a_newline_is_refused(
    good_site: Path, run_cli: Run, old: str, new: str, shown: str
) -> None:
    mutate(good_site, EVENT, old, new)
    result = _refused(run_cli, f"{EVENT}:1:5: error: {shown} is not a valid id [pattern]")
    assert "lowercase ASCII letters" in result.err


def test_a_reference_ending_in_a_newline_is_refused(good_site: Path, run_cli: Run) -> None:
    mutate(good_site, EVENT, "place: kabul\n", 'place: "kabul\\n"\n')
    _refused(run_cli, f"{EVENT}:6:8: error: 'kabul\\n' is not a valid place id [pattern]")


def test_a_language_ending_in_a_newline_is_refused(good_site: Path, run_cli: Run) -> None:
    mutate(good_site, SITE, "language: en\n", "language: |\n  en\n")
    _refused(run_cli, f"{SITE}:4:11: error: 'en\\n' is not a valid language tag [pattern]")


def test_an_article_file_name_ending_in_a_newline_gives_no_id(
    good_site: Path, run_cli: Run
) -> None:
    articles = good_site / "content/articles/analysis"
    (articles / "kabul-outreach.md").rename(articles / "kabul-outreach\n.md")
    result = run_cli("check")
    assert result.code == 1
    assert "Traceback" not in result.err
    # the newline in the path is printed escaped, so the error stays on one line
    assert ("content/articles/analysis/kabul-outreach\\n.md:1:1: error: the file name"
            " 'kabul-outreach\\n.md' does not give a valid article id [pattern]"
            in result.err.splitlines())


def test_a_url_ending_in_a_newline_is_refused(good_site: Path, run_cli: Run) -> None:
    mutate(good_site, PEOPLE, '{url: "https://example.org/muttaqi", title: Profile}',
           '{url: "https://example.org/muttaqi\\n", title: Profile}')
    result = _refused(run_cli, f"{PEOPLE}:14:13: error: 'https://example.org/muttaqi\\n'"
                      " is not an http or https URL [url]")
    assert result.code == 1


# -- 3. deep nesting ----------------------------------------------------------------------


def test_yaml_nested_990_deep_is_refused_with_its_position(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, PLACE, "summary: Capital of Afghanistan.",
           "summary: " + "[" * 990 + "]" * 990)
    _refused(run_cli, f"{PLACE}:6:109: error: values are nested more than 100 deep"
             " [yaml-too-deep]")


def test_yaml_nested_in_blocks_is_refused(good_site: Path, run_cli: Run) -> None:
    nested = "".join(f"{'  ' * depth}- \n" for depth in range(150))
    mutate(good_site, PLACE, "summary: Capital of Afghanistan.", "summary:\n" + nested)
    result = run_cli("check")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert [line.split(": error: ")[1] for line in result.error_lines] == [
        "values are nested more than 100 deep [yaml-too-deep]"
    ]
    assert result.error_lines[0].startswith(f"{PLACE}:106:")


def test_yaml_nested_200000_deep_does_not_crash_the_reader(good_site: Path) -> None:
    """Deep enough to overflow the C parser's stack (a segfault) if it ever saw it."""
    mutate(good_site, PLACE, "summary: Capital of Afghanistan.",
           "summary: " + "[" * 200_000 + "]" * 200_000)
    result = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "check"], capture_output=True, text=True,
        check=False, timeout=300, env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert f"{PLACE}:6:109: error: values are nested more than 100 deep" in result.stderr


# -- 4. files that are not plain, readable files ------------------------------------------


def test_a_folder_link_back_to_its_parent_is_an_error_not_a_hang(
    good_site: Path, run_cli: Run
) -> None:
    (good_site / "content/places/loop").symlink_to("..")
    result = _refused(
        run_cli,
        "content/places/loop: error: this folder link leads back into a folder that holds"
        " it [symlink-loop]",
    )
    assert "Remove the link" in result.err


def test_a_dangling_yaml_link_is_an_error_naming_the_file(
    good_site: Path, run_cli: Run
) -> None:
    (good_site / "content/places/gone.yaml").symlink_to("nowhere.yaml")
    _refused(run_cli, "content/places/gone.yaml: error: this link points to"
             " 'nowhere.yaml', which does not exist [broken-link]")


def test_a_linked_file_and_folder_are_read(good_site: Path, run_cli: Run) -> None:
    """Links that stay inside the content folder (to a ``_shared`` folder the loader
    itself skips) are followed."""
    inside = good_site / "content/_shared"
    inside.mkdir()
    shutil.move(good_site / PLACE, inside / "kabul.yaml")
    (good_site / PLACE).symlink_to(inside / "kabul.yaml")
    more = inside / "places"
    more.mkdir()
    (more / "herat.yaml").write_text(
        "id: herat\nname: Herat\nkind: city\nwithin: afghanistan\n", encoding="utf-8")
    (good_site / "content/places/more").symlink_to(more)
    out = _builds(run_cli)
    assert (out / "places/kabul/index.html").is_file()
    assert (out / "places/herat/index.html").is_file()


@pytest.mark.parametrize("what", ["file", "folder", "site.yaml"])
def test_a_link_out_of_the_content_folder_is_refused_and_not_read(
    good_site: Path, run_cli: Run, what: str
) -> None:
    """The outside attack: a committed link to a file of the machine was read and
    published, and its lines echoed in the errors. A link out is an error that shows
    the link's own text only."""
    secret = good_site / "secret"
    secret.mkdir()
    (secret / "shadow.yaml").write_text("id: x-secret-line\nroot: hash-of-a-password\n",
                                        encoding="utf-8")
    if what == "file":
        link, target = good_site / "content/places/stolen.yaml", secret / "shadow.yaml"
    elif what == "folder":
        link, target = good_site / "content/places/stolen", secret
    else:
        (good_site / "content/site.yaml").unlink()
        link, target = good_site / "content/site.yaml", secret / "shadow.yaml"
    link.symlink_to(target)
    for command in ("check", "build"):
        result = run_cli(command)
        assert result.code == 1 and "Traceback" not in result.err
        shown = link.relative_to(good_site).as_posix()
        assert (f"{shown}: error: this link points outside the content folder, to"
                f" {str(target)!r} [outside-link]") in result.error_lines, result.err
        assert "hash-of-a-password" not in result.err + result.out
        assert "x-secret-line" not in result.err + result.out
    assert not (good_site / "_site").exists()


def test_a_folder_named_like_a_yaml_file_is_an_error(good_site: Path, run_cli: Run) -> None:
    (good_site / "content/places/foo.yaml").mkdir()
    _refused(run_cli, "content/places/foo.yaml: error: 'foo.yaml' is a folder, not a file"
             " [not-a-file]")


def test_a_fifo_named_like_a_yaml_file_is_an_error_without_waiting(good_site: Path) -> None:
    os.mkfifo(good_site / "content/places/x.yaml")
    for command in (["check"], ["build", "--out", "_site", "--quiet"]):
        result = subprocess.run(
            [sys.executable, "-m", "kabul_brief", *command], capture_output=True,
            text=True, check=False, timeout=120,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert [line for line in result.stderr.splitlines() if ": error: " in line] == [
            "content/places/x.yaml: error: 'x.yaml' is not a regular file (a named pipe)"
            " [not-a-file]"
        ]


def test_an_unreadable_file_is_an_error(
    good_site: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read_bytes = Path.read_bytes

    def refusing_read_bytes(path: Path) -> bytes:
        if path.as_posix().endswith("places/kabul.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refusing_read_bytes)
    _refused(run_cli, f"{PLACE}: error: the file cannot be read (permission denied) [unreadable]")


def test_an_unreadable_folder_is_an_error(
    good_site: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = good_site / "content/places/more"
    sub.mkdir()
    real_scandir = os.scandir

    def refusing_scandir(path: str) -> object:
        if os.fsdecode(path).endswith("places/more"):
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    _refused(run_cli, "content/places/more: error: the folder cannot be read"
             " (permission denied) [unreadable]")


def _without_root_powers() -> list[str]:
    """The command prefix that runs without the power to read what permissions forbid:
    root keeps its uid but loses CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so a mode-000
    file is as unreadable to it as to an ordinary user (CI runs as root)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_unreadable_file_and_folder_as_an_ordinary_user(what: str) -> None:
    prefix = _without_root_powers()
    root = Path(tempfile.mkdtemp(prefix="kabul-brief-nobody-"))
    try:
        site = root / "site"
        shutil.copytree(GOOD_SITE, site)
        if what == "folder":
            locked = site / "content/places/more"
            locked.mkdir()
            shutil.copy(site / PLACE, locked / "copy.yaml")
            expected = ("content/places/more: error: the folder cannot be read"
                        " (permission denied) [unreadable]")
        else:
            locked = site / PLACE
            expected = f"{PLACE}: error: the file cannot be read (permission denied) [unreadable]"
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        locked.chmod(0)
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "kabul_brief", "check"], cwd=site,
            capture_output=True, text=True, check=False, timeout=120,
            env={**os.environ, "PYTHONPATH": str(SRC), "KABUL_BRIEF_CACHE": str(root)},
        )
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert errors[:1] == [expected], result.stderr
        assert result.returncode == 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- 5. digits of other scripts -----------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["\u0662\u0660\u0662\u0665-\u0660\u0664-\u0662\u0662",
                "\uff12\uff10\uff12\uff15-04-22", "2025-0\u0664-22"],
    ids=["arabic-indic", "fullwidth", "one-digit"],
)
def test_dates_must_be_written_in_ascii_digits(
    good_site: Path, run_cli: Run, written: str
) -> None:
    mutate(good_site, EVENT, "date: 2025-04-28", f'date: "{written}"')
    result = _refused(
        run_cli,
        f"{EVENT}:3:7: error: {written!r} is not a date in ISO form: write YYYY, YYYY-MM"
        " or YYYY-MM-DD [date]",
    )
    assert "ASCII digits" in result.err


def test_coordinates_must_be_written_in_ascii_digits(good_site: Path, run_cli: Run) -> None:
    mutate(good_site, PLACE, "coordinates: [34.555, 69.207]",
           "coordinates: [\u0663\u0664.555, 69.207]")
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        f"{PLACE}:5:15: error: expected a coordinate, found '\u0663\u0664.555' [type]"
    ]


# -- 6. control characters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("escape", "code_point"),
    [("\\x01", "U+0001"), ("\\x0b", "U+000B"), ("\\e", "U+001B"), ("\\x7f", "U+007F"),
     ("\\x85", "U+0085"), ("\\x9b", "U+009B"), ("\\uFFFE", "U+FFFE"), ("\\uFFFF", "U+FFFF"),
     ("\\uFDD0", "U+FDD0"), ("\\U0001FFFE", "U+1FFFE")],
)
def test_a_control_character_in_a_quoted_title_is_refused(
    good_site: Path, run_cli: Run, escape: str, code_point: str
) -> None:
    mutate(good_site, EVENT, "title: Indian delegation meets Muttaqi in Kabul",
           f'title: "Indian delegation{escape} meets Muttaqi in Kabul"')
    result = _refused(
        run_cli,
        f"{EVENT}:2:8: error: {_character(code_point)}",
    )
    assert "Remove it" in result.err


@pytest.mark.parametrize(
    ("raw", "code_point"),
    [("\x01", "U+0001"), ("\x1b", "U+001B"), ("\x7f", "U+007F"), ("\x85", "U+0085"),
     ("\ufffe", "U+FFFE")],
)
def test_a_control_character_in_an_article_body_is_refused_at_its_place(
    good_site: Path, run_cli: Run, raw: str, code_point: str
) -> None:
    mutate(good_site, ARTICLE, "sent a delegation", f"sent a{raw} delegation")
    _refused(
        run_cli,
        f"{ARTICLE}:12:13: error: {_character(code_point)}",
    )


def test_a_raw_control_character_in_front_matter_is_refused_at_its_place(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, ARTICLE, "kind: analysis", "kind: anal\x0bysis")
    _refused(
        run_cli,
        f"{ARTICLE}:5:11: error: {_character('U+000B')}",
    )


def test_a_raw_control_character_in_a_yaml_file_is_refused_at_its_place(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, PLACE, "name: Kabul", "name: Ka\x1bbul")
    _refused(
        run_cli,
        f"{PLACE}:2:9: error: {_character('U+001B')}",
    )


def test_tabs_and_line_separators_are_allowed_and_kept_out_of_calendar_lines(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, EVENT, "title: Indian delegation meets Muttaqi in Kabul",
           'title: "Indian delegation\\tmeets\\u2028Muttaqi\\u2029in Kabul"')
    out = _builds(run_cli)
    ET.parse(out / "feed.xml")
    raw = (out / "timeline.ics").read_text(encoding="utf-8")
    assert "\u2028" not in raw and "\u2029" not in raw
    summary = str(_calendar_events(out)["kabul-meeting"]["SUMMARY"])
    assert summary.startswith("Indian delegation\tmeets")
    assert "Muttaqi" in summary


# -- 7. defects a test must catch ---------------------------------------------------------


def test_duplicate_keys_inside_a_nested_role_name_both_lines(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, PEOPLE, "      of: taliban\n", "      of: taliban\n      of: india\n")
    _refused(run_cli, f"{PEOPLE}:8:7: error: key 'of' appears twice in this mapping"
             f" (also at {PEOPLE}:7) [duplicate-key]")


def test_duplicate_keys_inside_a_claim_name_both_lines(good_site: Path, run_cli: Run) -> None:
    mutate(good_site, EVENT, "  - by: taliban\n", "  - by: taliban\n    by: india\n")
    _refused(run_cli, f"{EVENT}:14:5: error: key 'by' appears twice in this mapping"
             f" (also at {EVENT}:13) [duplicate-key]")


def test_an_article_whose_front_matter_is_never_closed_is_an_error(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, ARTICLE, "sources: [agency-report]\n---\n", "sources: [agency-report]\n")
    _refused(run_cli, f"{ARTICLE}:1:1: error: the front matter is not closed [front-matter]")


def test_a_coarse_range_end_is_shown_as_the_year_never_as_a_day(
    good_site: Path, run_cli: Run
) -> None:
    mutate(good_site, EVENT, "date: 2025-04-28\n", "date: 2025-04-22\nend: 2026\n")
    out = _builds(run_cli)
    when = _page(out, "events/kabul-meeting").select_one(".event-when")
    assert [(t["datetime"], t.get_text()) for t in when.select("time")] == [
        ("2025-04-22", "22 April 2025"), ("2026", "2026")]
    entry = _page(out, "timeline").select_one("li#kabul-meeting")
    assert entry is not None
    assert [(t["datetime"], t.get_text()) for t in entry.select("time")] == [
        ("2025-04-22", "22 April 2025"), ("2026", "2026")]


def _alias_file(copies: int) -> str:
    """A place whose alias list is expanded ``copies`` times from one anchored list."""
    items = ", ".join(f"v{i}" for i in range(49))
    return ("id: bomb\nname: Bomb\nkind: city\nwithin: afghanistan\n"
            f"_: &a [{items}]\n" + "".join(f"_{i}: *a\n" for i in range(copies)))


def test_alias_expansion_just_over_twenty_times_is_refused(
    good_site: Path, run_cli: Run
) -> None:
    path = good_site / "content/places/bomb.yaml"
    # 37 copies: 97 nodes written (20 x 97 = 1940), 60 + 37 x 51 = 1947 expanded
    path.write_text(_alias_file(37), encoding="utf-8")
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/places/bomb.yaml:1:1: error: aliases expand this document to 1947 values"
        " from 97 written ones (more than 20 times) [yaml-alias-bomb]"
    ]


def test_alias_expansion_just_under_twenty_times_is_not_a_bomb(
    good_site: Path, run_cli: Run
) -> None:
    path = good_site / "content/places/bomb.yaml"
    # 36 copies: 96 nodes written (20 x 96 = 1920), 60 + 36 x 51 = 1896 expanded
    path.write_text(_alias_file(36), encoding="utf-8")
    result = run_cli("check")
    assert "yaml-alias-bomb" not in result.err
    assert all(line.endswith("[unknown-field]") for line in result.error_lines)


@pytest.mark.parametrize(
    ("date", "end", "shown"),
    [
        ("2025-04-27", "2025-04-28", "27\u201328 April 2025"),
        ("2025-04-30", "2025-05-02", "30 April \u2013 2 May 2025"),
        ("2024-12", "2025-01", "December 2024 \u2013 January 2025"),
        ("2025-03", "2025-05", "March\u2013May 2025"),
        ("2024-12-30", "2025-01-02", "30 December 2024 \u2013 2 January 2025"),
        ("2024", "2025", "2024\u20132025"),
    ],
)
def test_date_ranges_read_compactly_on_the_event_page(
    good_site: Path, run_cli: Run, date: str, end: str, shown: str
) -> None:
    mutate(good_site, EVENT, "date: 2025-04-28\n", f"date: {date}\nend: {end}\n")
    mutate(good_site, EVENT, "as_reported: in late April\n", "")
    out = _builds(run_cli)
    when = _page(out, "events/kabul-meeting").select_one(".event-when time").parent
    visible = _visible(when).split(" · ")[0].split("[")[0].strip()
    assert visible.startswith(shown), visible
    assert visible == shown
