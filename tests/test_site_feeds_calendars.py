"""The feeds and calendars a reader subscribes to, read by the clients readers use:
feedparser for every Atom feed, icalendar and recurring-ical-events for every
calendar. Built from the fixture, the hostile fixture and the shipped content."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import feedparser
import icalendar
import pytest
import recurring_ical_events
from test_site_support import BASIC, HOSTILE, SHIPPED, build, copy_content, one, page, tree

from kabul_brief.content import model as m
from kabul_brief.content.dates import parse_date
from kabul_brief.kinds import FOLLOWED_KINDS
from kabul_brief.pipeline import Build, BuildRequest
from kabul_brief.publish import calendars, exports
from kabul_brief.publish.build import build_site
from kabul_brief.publish.meta import plain, site_slug
from kabul_brief.publish.urls import Urls
from tests.conftest import checked_site, set_main_text

BASE = "https://example.org/brief/"
ROOT = "/brief/"
SPAN = (dt.date(1990, 1, 1), dt.date(2031, 1, 1))
"""Every fixture's events fall within these years."""
CONTENTS = {"basic": BASIC, "hostile": HOSTILE, "shipped": SHIPPED}


@pytest.fixture(scope="module", params=sorted(CONTENTS))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[Path, Path]:
    """(content, built site) of each content folder."""
    content = CONTENTS[request.param]
    target = tmp_path_factory.mktemp(f"follow-{request.param}") / "site"
    assert build(content, target, BASE) == 0
    return content, target


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("follow-basic") / "site"
    assert build(BASIC, target, BASE) == 0
    return target


def events_data(out: Path) -> dict[str, dict[str, object]]:
    items = json.loads((out / "data" / "events.json").read_text(encoding="utf-8"))["items"]
    return {str(item["id"]): item for item in items}


def feeds_of(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xml") if p.name == "feed.xml")


def calendars_of(out: Path) -> list[Path]:
    return sorted(out.rglob("*.ics"))


def day_precise(event: dict[str, object]) -> bool:
    """As the data file says: its date, and its end if any, given to the day."""
    dates = [parse_date(str(event[key])) for key in ("date", "end") if event.get(key)]
    return all(isinstance(d, m.PartialDate) and d.day is not None for d in dates)


def period(event: dict[str, object]) -> tuple[dt.date, dt.date]:
    """The first and the last day of an event as the data file gives it."""
    first = parse_date(str(event["date"]))
    final = parse_date(str(event.get("end") or event["date"]))
    assert isinstance(first, m.PartialDate) and isinstance(final, m.PartialDate)
    return first.start, final.end


# -- feeds ------------------------------------------------------------------------------


def test_feedparser_reads_every_feed_without_a_fault(built: tuple[Path, Path]) -> None:
    _, out = built
    feeds = feeds_of(out)
    followed = sum(len(list((out / kind.url_folder).glob("*/index.html")))  # type: ignore[operator]
                   for kind in FOLLOWED_KINDS)
    # the articles', the events', the corrections' and one per followed record, in
    # each of the site's languages
    languages = 1 + len(list(out.glob("*/404.html")))
    assert len(feeds) == (3 + followed) * languages
    for file in feeds:
        parsed = feedparser.parse(file.read_bytes())
        where = file.relative_to(out)
        assert parsed.bozo == 0, (where, parsed.get("bozo_exception"))
        assert parsed.version == "atom10", where
        assert parsed.feed.updated_parsed is not None, where
        assert parsed.feed.link.startswith(BASE), where
        ids = [entry.id for entry in parsed.entries]
        assert len(ids) == len(set(ids)), where
        for entry in parsed.entries:
            assert entry.updated_parsed is not None and entry.link.startswith(BASE), where


def test_no_feed_entry_is_published_on_a_day_the_content_does_not_give(basic: Path) -> None:
    """Outside git, a month- or year-dated article or an event has no <published>, and
    its <updated> is the first instant of its own period (Atom requires one)."""
    articles = feedparser.parse((basic / "feed.xml").read_bytes())
    outreach, older = articles.entries
    assert "published" not in outreach and "published" not in older  # 2025-05, 2024
    assert outreach.updated == "2025-05-04T00:00:00Z"  # its `updated:` is a day
    assert older.updated == "2024-01-01T00:00:00Z"
    events = feedparser.parse((basic / "events" / "feed.xml").read_bytes())
    assert all("published" not in entry for entry in events.entries)
    by_link = {entry.link: entry for entry in events.entries}
    assert by_link[f"{BASE}events/airlift/"].updated == "2021-08-01T00:00:00Z"


def test_the_events_feed_holds_every_event_newest_first(basic: Path) -> None:
    parsed = feedparser.parse((basic / "events" / "feed.xml").read_bytes())
    assert [e.link.removeprefix(f"{BASE}events/") for e in parsed.entries] == [
        "talks/", "statement-2024/", "takeover/", "airlift/"]
    talks = parsed.entries[0]
    assert talks.title == "Talks in Kabul"
    assert "27 April 2025 to 28 April 2025" in talks.content[0].value
    assert "as reported: in late April" in talks.content[0].value
    assert parsed.feed.updated == talks.updated == "2025-04-27T00:00:00Z"
    assert parsed.feed.link == f"{BASE}timeline/"


def test_a_record_feed_holds_everything_about_it(basic: Path) -> None:
    india = feedparser.parse((basic / "actors" / "india" / "feed.xml").read_bytes())
    assert {e.link for e in india.entries} == {
        f"{BASE}articles/outreach/", f"{BASE}events/talks/", f"{BASE}events/airlift/"}
    assert india.feed.title == "Test Brief: India"
    dispute = feedparser.parse((basic / "disputes" / "aid-dispute" / "feed.xml").read_bytes())
    links = {e.link for e in dispute.entries}
    assert f"{BASE}events/talks/" in links and f"{BASE}articles/outreach/" in links
    trend = [link for link in links if "#trend_" in link]
    assert trend and all(link.startswith(f"{BASE}disputes/aid-dispute/#trend_")
                         for link in trend)
    soup = page(basic, "disputes/aid-dispute/")
    assert all(soup.select_one(f"#{link.split('#')[1]}") is not None for link in trend)
    relationship = feedparser.parse(
        (basic / "relationships" / "india-taliban" / "feed.xml").read_bytes())
    assert f"{BASE}events/takeover/" in {e.link for e in relationship.entries}


@pytest.mark.parametrize("kind", [kind.name for kind in FOLLOWED_KINDS])
def test_each_followed_record_links_its_feed_and_calendar(basic: Path, kind: str) -> None:
    folder = Urls.index_path(kind)
    pages = sorted((basic / folder).glob("*/index.html"))
    assert pages
    for file in pages:
        record_id = file.parent.name
        soup = page(basic, f"{folder}{record_id}/")
        for name, kind_of in (("feed.xml", "application/atom+xml"),
                              ("calendar.ics", "text/calendar")):
            href = f"{ROOT}{folder}{record_id}/{name}"
            link = one(soup, f'head link[rel="alternate"][type="{kind_of}"][href="{href}"]')
            assert link["title"]
            visible = one(soup, f'main a[href="{href}"]')
            assert visible["type"] == kind_of and visible.get_text(strip=True)
            assert (basic / folder / record_id / name).is_file()


def test_the_timeline_links_the_events_feed_and_calendar(basic: Path) -> None:
    soup = page(basic, "timeline/")
    for href in (f"{ROOT}events/feed.xml", f"{ROOT}timeline.ics"):
        one(soup, f'head link[rel="alternate"][href="{href}"]')
        assert soup.select(f'main a[href="{href}"]')


# -- calendars --------------------------------------------------------------------------


def occurrences(file: Path) -> list[icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(file.read_bytes())
    return list(recurring_ical_events.of(calendar).between(*SPAN))


def test_calendar_readers_find_only_events_whose_days_are_known(
        built: tuple[Path, Path]) -> None:
    content, out = built
    events = events_data(out)
    domain = site_slug(checked_site(content).settings)
    files = calendars_of(out)
    assert out / "timeline.ics" in files and len(files) > 1
    for file in files:
        where = file.relative_to(out)
        calendar = icalendar.Calendar.from_ical(file.read_bytes())
        assert calendar.walk("VEVENT") == [c for c in calendar.walk() if c.name == "VEVENT"]
        seen = []
        for occurrence in occurrences(file):
            uid = str(occurrence["UID"])
            event_id, _, at = uid.partition("@")
            assert at == domain, (where, uid)
            event = events[event_id]
            assert day_precise(event), (where, event_id, event["date"])
            start, last = period(event)
            assert occurrence.decoded("DTSTART") == start, (where, event_id)
            assert occurrence.decoded("DTEND") == last + dt.timedelta(days=1), (where, event_id)
            assert type(occurrence.decoded("DTSTART")) is dt.date  # all day
            seen.append(event_id)
        assert len(seen) == len(set(seen)), where
        if file.name == "timeline.ics":  # every event whose days are known, no other
            assert set(seen) == {e for e, item in events.items() if day_precise(item)}
        for name, twin in (("DESCRIPTION", "X-WR-CALDESC"), ("NAME", "X-WR-CALNAME")):
            assert calendar[name].to_ical() == calendar[twin].to_ical(), where
        assert str(calendar["URL"]).startswith(BASE)


def test_a_month_or_year_event_is_on_no_day_and_the_calendar_says_so(basic: Path) -> None:
    """airlift (2021-08) and statement-2024 (2024) are in no calendar; each calendar
    that leaves an event out says how many and where they are."""
    timeline = basic / "timeline.ics"
    for day in (dt.date(2021, 8, 1), dt.date(2021, 8, 17), dt.date(2024, 1, 1),
                dt.date(2024, 6, 30), dt.date(2024, 12, 31)):
        calendar = icalendar.Calendar.from_ical(timeline.read_bytes())
        assert not list(recurring_ical_events.of(calendar).at(day)), day
    calendar = icalendar.Calendar.from_ical(timeline.read_bytes())
    assert sorted(str(o["UID"]).split("@")[0] for o in occurrences(timeline)) == [
        "takeover", "talks"]
    assert ("2 events are not in this calendar, which can only place an event on days (2 known"
            " only to the month or the year)") in str(calendar["DESCRIPTION"])
    india = icalendar.Calendar.from_ical((basic / "actors" / "india" / "calendar.ics").read_bytes())
    assert ("1 event is not in this calendar, which can only place an event on days (1 known"
            " only to the month or the year)") in str(india["DESCRIPTION"])
    assert f"{BASE}actors/india/" in str(india["DESCRIPTION"])
    muttaqi = icalendar.Calendar.from_ical(
        (basic / "actors" / "muttaqi" / "calendar.ics").read_bytes())
    assert "known only" not in str(muttaqi["DESCRIPTION"])


def test_a_day_range_covers_exactly_its_days(basic: Path) -> None:
    calendar = icalendar.Calendar.from_ical((basic / "timeline.ics").read_bytes())
    found = recurring_ical_events.of(calendar)
    for day, expected in ((dt.date(2025, 4, 26), []), (dt.date(2025, 4, 27), ["talks"]),
                          (dt.date(2025, 4, 28), ["talks"]), (dt.date(2025, 4, 29), []),
                          (dt.date(2021, 8, 15), ["takeover"]), (dt.date(2021, 8, 16), [])):
        assert [str(o["UID"]).split("@")[0] for o in found.at(day)] == expected, day


def test_without_history_nothing_is_claimed_of_revisions(basic: Path) -> None:
    calendar = icalendar.Calendar.from_ical((basic / "timeline.ics").read_bytes())
    for vevent in calendar.walk("VEVENT"):
        assert vevent.decoded("DTSTAMP") == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        for name in ("SEQUENCE", "LAST-MODIFIED", "CREATED"):
            assert name not in vevent


HISTORY = {
    "event/talks": m.FileHistory(published=dt.date(2025, 4, 29), updated=dt.date(2025, 5, 6),
                                 revisions=3),
    "article/outreach": m.FileHistory(published=dt.date(2025, 5, 2),
                                      updated=dt.date(2025, 5, 9), revisions=2),
}


def test_revisions_come_from_the_history(tmp_path: Path) -> None:
    """With a git history, a corrected event looks newer to a calendar and a feed reader;
    a month-dated article is published on the day its file was first committed."""
    site = dataclasses.replace(checked_site(BASIC), history=HISTORY)
    out = tmp_path / "site"
    build_site(site, out, BASE)
    calendar = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
    vevents = {str(v["UID"]).split("@")[0]: v for v in calendar.walk("VEVENT")}
    talks = vevents["talks"]
    assert talks.decoded("DTSTAMP") == dt.datetime(2025, 5, 6, tzinfo=dt.UTC)
    assert talks.decoded("LAST-MODIFIED") == dt.datetime(2025, 5, 6, tzinfo=dt.UTC)
    assert talks.decoded("CREATED") == dt.datetime(2025, 4, 29, tzinfo=dt.UTC)
    assert talks.decoded("SEQUENCE") == 2
    assert "SEQUENCE" not in vevents["takeover"]
    india = icalendar.Calendar.from_ical((out / "actors" / "india" / "calendar.ics").read_bytes())
    assert [v.decoded("SEQUENCE") for v in india.walk("VEVENT")] == [2]
    articles = feedparser.parse((out / "feed.xml").read_bytes())
    outreach = articles.entries[0]
    assert (outreach.published, outreach.updated) == ("2025-05-02T00:00:00Z",
                                                      "2025-05-09T00:00:00Z")
    events = feedparser.parse((out / "events" / "feed.xml").read_bytes())
    first = events.entries[0]
    assert first.link == f"{BASE}events/talks/"
    assert (first.published, first.updated) == ("2025-04-29T00:00:00Z", "2025-05-06T00:00:00Z")
    assert events.feed.updated == "2025-05-06T00:00:00Z"


def test_uids_do_not_depend_on_the_host(tmp_path: Path) -> None:
    uids = []
    for number, base in enumerate(("https://example.org/brief/", "http://localhost:8000/")):
        out = tmp_path / f"site{number}"
        assert build(BASIC, out, base) == 0
        uids.append({file.relative_to(out).as_posix(): sorted(
            str(v["UID"]) for v in icalendar.Calendar.from_ical(file.read_bytes()).walk("VEVENT"))
            for file in calendars_of(out)})
    assert uids[0] == uids[1]
    assert uids[0]["timeline.ics"] == ["takeover@test-brief", "talks@test-brief"]


def test_a_calendar_with_no_event_known_to_the_day_is_still_valid(tmp_path: Path) -> None:
    """An actor whose only event is known to the month: its calendar holds no event
    and is still an iCalendar file (RFC 5545 wants a component: a UTC time zone,
    which claims no happening), read by both libraries as an empty calendar."""
    content = copy_content(BASIC, tmp_path)
    actors = content / "actors" / "all.yaml"
    actors.write_text(actors.read_text(encoding="utf-8")
                      + "- id: crew\n  name: Air crew\n  kind: organisation\n",
                      encoding="utf-8")
    events = content / "events" / "events.yaml"
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace("  actors: [india]\n", "  actors: [india, crew]\n", 1),
                      encoding="utf-8")
    out = tmp_path / "site"
    assert build(content, out, BASE) == 0
    raw = (out / "actors" / "crew" / "calendar.ics").read_bytes()
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar.walk("VEVENT") == []
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    assert list(recurring_ical_events.of(calendar).between(*SPAN)) == []
    assert ("1 event is not in this calendar, which can only place an event on days (1 known"
            " only to the month or the year)") in str(calendar["DESCRIPTION"])
    for file in calendars_of(out):  # and every other calendar has its events, no zone
        parsed = icalendar.Calendar.from_ical(file.read_bytes())
        assert parsed.subcomponents, file
        if parsed.walk("VEVENT"):
            assert parsed.walk("VTIMEZONE") == [], file


def test_an_event_lasting_to_the_last_day_of_9999_leaves_the_calendars_readable(
        tmp_path: Path) -> None:
    """Any year to 9999 is a date, but a calendar reader reckons the day after an
    event's last, and no date library has 1 January 10000: such an event is left out
    and counted, and every calendar holding its actor still reads in both libraries."""
    content = copy_content(BASIC, tmp_path)
    events = content / "events" / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8") + "".join(
        f"- id: {event_id}\n  title: Far off\n  date: {date}\n{end}  kind: meeting\n"
        "  place: kabul\n  actors: [india]\n  summary: Far off.\n"
        "  sources: [wire-report]\n"
        for event_id, date, end in (("last-day", "9999-12-31", ""),
                                    ("to-the-last-day", "9999-12-01", "  end: 9999-12-31\n"),
                                    ("before-the-last-day", "9999-12-30", ""))),
        encoding="utf-8")
    out = tmp_path / "site"
    assert build(content, out, BASE) == 0
    for file in (out / "timeline.ics", out / "actors" / "india" / "calendar.ics"):
        calendar = icalendar.Calendar.from_ical(file.read_bytes())
        found = {str(e["UID"]).partition("@")[0]: e
                 for e in recurring_ical_events.of(calendar).between(
                     dt.date(9999, 1, 1), dt.date(9999, 12, 31))}
        assert set(found) == {"before-the-last-day"}, file
        assert found["before-the-last-day"].decoded("DTEND") == dt.date(9999, 12, 31)
        assert "2 lasting to 31 December 9999" in str(calendar["DESCRIPTION"]), file
    assert set(events_data(out)) >= {"last-day", "to-the-last-day"}  # in the data, still


def test_uids_of_sites_whose_titles_ascii_cannot_spell_differ(tmp_path: Path) -> None:
    """Two sites titled in Dari and in Pashto share no UID, and neither takes another
    site's plain slug; a Latin title keeps its readable slug."""
    found = {}
    for title in ("\u06a9\u0627\u0628\u0644 \u0628\u0631\u06cc\u0641",
                  "\u06a9\u0627\u0628\u0644 \u0644\u0646\u0689\u06cc\u0632",
                  "Brief \u041a\u0430\u0431\u0443\u043b", "Her\u0101t Brief"):
        content = copy_content(BASIC, tmp_path / str(len(found)))
        settings = content / "site.yaml"
        lines = settings.read_text(encoding="utf-8").splitlines()
        settings.write_text("\n".join(f"title: {title}" if line.startswith("title:") else line
                                       for line in lines) + "\n", encoding="utf-8")
        out = tmp_path / f"site{len(found)}"
        assert build(content, out, BASE) == 0
        calendar = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
        found[title] = {str(v["UID"]).partition("@")[2] for v in calendar.walk("VEVENT")}
    assert all(len(d) == 1 for d in found.values()), found
    domains = [next(iter(d)) for d in found.values()]
    assert len(set(domains)) == len(domains), domains
    assert domains[3] == "herat-brief"
    assert domains[2].startswith("brief-") and domains[2] != "brief"
    for domain in domains:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", domain), domain
        assert domain not in ("kabul-brief", "site", "test-brief"), domain


def _library_calendar(site: m.Site, urls: Urls) -> bytes:
    """The timeline's calendar as the iCalendar library builds and serializes it: the
    reference the fast writer must match byte for byte."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", calendars.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    kept = [site.events[e] for e in site.timeline if calendars.in_calendar(site.events[e])]
    page = urls.absolute_path(urls.TIMELINE_PATH)
    description = " ".join(part for part in (
        f"Events of timeline, from {site.settings.title}, on the days the sources give.",
        calendars.left_out_note(len(site.timeline) - len(kept), page)) if part)
    for name in ("name", "x-wr-calname"):  # TEXT, the default of an X- property too
        calendar.add(name, icalendar.vText(f"{site.settings.title}: timeline"))
    for name in ("description", "x-wr-caldesc"):
        calendar.add(name, icalendar.vText(description))
    calendar.add("url", page)
    for event in kept:
        item = icalendar.Event()
        hedge = calendars.approximate(event)
        url = urls.absolute(urls.record("event", event.id))
        history = site.history_of("event", event.id)
        item.add("uid", f"{event.id}@{site_slug(site.settings)}")
        stamp = history.updated if history else dt.date(1970, 1, 1)
        item.add("dtstamp", dt.datetime.combine(stamp, dt.time(), tzinfo=dt.UTC))
        if history is not None:
            item.add("created", dt.datetime.combine(history.published, dt.time(), tzinfo=dt.UTC))
            item.add("last-modified", dt.datetime.combine(history.updated, dt.time(),
                                                          tzinfo=dt.UTC))
            item.add("sequence", history.revisions - 1)
        item.add("dtstart", event.date.start)
        item.add("dtend", (event.end or event.date).end + dt.timedelta(days=1))
        item.add("summary", event.title + (f" (date approximate: {hedge})" if hedge else ""))
        parts = [text for text in (plain(event.summary, limit=2000),) if text]
        if event.as_reported:
            parts.append(f"As reported: {event.as_reported}")
        item.add("description", "\n\n".join([*parts, url]))
        item.add("url", url)
        item.add("transp", "TRANSPARENT")
        if event.place is not None:
            item.add("location", site.places[event.place].name)
        item.add("categories", [event.kind])
        calendar.add_component(item)
    if not kept:  # a calendar holds a component: a time zone, which claims no happening
        zone = icalendar.Timezone()
        zone.add("tzid", "UTC")
        standard = icalendar.TimezoneStandard()
        standard.add("dtstart", dt.datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", dt.timedelta(0))
        standard.add("tzoffsetto", dt.timedelta(0))
        standard.add("tzname", "UTC")
        zone.add_component(standard)
        calendar.add_component(zone)
    return bytes(calendar.to_ical())


@pytest.mark.parametrize("content", [BASIC, HOSTILE], ids=["basic", "hostile"])
@pytest.mark.parametrize("history", [False, True], ids=["outside-git", "with-history"])
def test_the_calendar_has_the_bytes_the_icalendar_library_would_write(
        content: Path, history: bool) -> None:
    site = checked_site(content)
    if history:
        site = dataclasses.replace(site, history={
            f"event/{e}": HISTORY["event/talks"] for e in site.events})
    urls = Urls(BASE)
    assert exports.ics(site, urls) == _library_calendar(site, urls)


# -- the incremental build --------------------------------------------------------------

EVENT = "kabul-delegation-2025-04"


def test_an_event_edit_rewrites_the_feeds_and_calendars_that_hold_it_and_only_those(
        tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    Build(BuildRequest(content=content, out=out)).run()
    before = tree(out)
    site = checked_site(content)
    event = site.events[m.EventId(EVENT)]
    assert calendars.in_calendar(event)
    holders = ({f"actors/{a.id}/" for a in event.actors}
               | {f"actors/{c.by}/" for c in event.claims}
               | {f"disputes/{d}/" for d in event.disputes}
               | {f"relationships/{r}/" for r in event.relationships})
    path = content / "events" / f"{EVENT}.yaml"
    path.write_text(set_main_text(path.read_text(encoding="utf-8"), "title",
                                  "Delegation talks in Kabul, revised"), encoding="utf-8")

    report = Build(BuildRequest(content=content, out=out)).run().report
    after = tree(out)

    assert report is not None
    changed = {name for name in after
               if name.endswith((".xml", ".ics")) and before.get(name) != after[name]}
    # The English title shows in the English feeds and, untranslated into Pashto, in
    # the Pashto ones; the calendars are one for every language.
    assert changed == ({f"{folder}{name}" for folder in holders
                        for name in ("feed.xml", "calendar.ics")}
                       | {f"ps/{folder}feed.xml" for folder in holders}
                       | {"events/feed.xml", "ps/events/feed.xml", "timeline.ics"})
    followed = {name for name in report.remade if name.endswith((".xml", ".ics"))}
    assert followed >= {name for name in changed if name.removeprefix("ps/").count("/") == 2}
    # The other languages' feeds of those records read the event too, and are made
    # again, to the same bytes: nothing else is.
    assert followed <= ({f"{folder}{name}" for folder in holders
                         for name in ("feed.xml", "calendar.ics")}
                        | {f"{language}/{folder}feed.xml" for folder in holders
                           for language in ("fa-af", "ps", "ur")})
    timeline = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
    assert "Delegation talks in Kabul, revised" in {
        str(v["SUMMARY"]) for v in timeline.walk("VEVENT")}
