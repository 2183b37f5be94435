"""Published and Updated come from git, as the commits dated them, and from nothing
else: a site in a repository with fixed commit dates, built with the real command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kabul_brief.content.history import parse_log

FIXTURE = Path(__file__).parent / "fixtures" / "model" / "good"
EVENT = "events/kabul-meeting.yaml"
EVENT_PAGE = "events/kabul-meeting/index.html"
ACTOR_PAGE = "actors/india/index.html"
ARTICLE_PAGE = "articles/kabul-outreach/index.html"


def git(site: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Desk", "GIT_AUTHOR_EMAIL": "desk@example.org",
           "GIT_COMMITTER_NAME": "Desk", "GIT_COMMITTER_EMAIL": "desk@example.org"}
    if when is not None:
        env |= {"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    subprocess.run(["git", "-C", str(site), *args], check=True, env=env,
                   capture_output=True)


def build(site: Path, out: str = "_site") -> Path:
    done = subprocess.run([sys.executable, "-m", "kabul_brief", "build", "-q", "--out", out],
                          cwd=site, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return site / out


def dates(page: Path) -> dict[str, str]:
    soup = BeautifulSoup(page.read_text(), "html.parser")
    line = soup.select_one(".record-dates")
    if line is None:
        return {}
    return {time.find_previous(string=True).strip(" ·"): time["datetime"]
            for time in line.find_all("time")}


def jsonld(page: Path) -> dict[str, object]:
    soup = BeautifulSoup(page.read_text(), "html.parser")
    script = soup.find("script", type="application/ld+json")
    assert script is not None
    data: dict[str, object] = json.loads(script.string or "")
    return data


def lastmod(out: Path, path: str) -> str | None:
    soup = BeautifulSoup((out / "sitemap.xml").read_text(), "xml")
    for url in soup.find_all("url"):
        loc = url.find("loc")
        if loc is not None and loc.get_text().endswith(path):
            found = url.find("lastmod")
            return found.get_text() if found is not None else None
    raise AssertionError(f"{path} not in the sitemap")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The fixture site in a repository: everything committed on 10 May 2025 (late in
    the evening in New York, already 11 May in UTC), the event changed on 2 June."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    git(site, "init", "-q")
    git(site, "add", ".")
    git(site, "commit", "-qm", "first", when="2025-05-10T22:30:00-04:00")
    with (site / "content" / EVENT).open("a") as handle:
        handle.write("# checked again\n")
    git(site, "commit", "-qam", "second", when="2025-06-02T09:00:00+00:00")
    return site


def test_pages_show_when_their_file_was_first_committed_and_last_changed(
        repo: Path) -> None:
    out = build(repo)
    assert dates(out / EVENT_PAGE) == {"Published": "2025-05-11", "Updated": "2025-06-02"}
    assert dates(out / ACTOR_PAGE) == {"Published": "2025-05-11"}  # never changed since
    event_page = jsonld(out / EVENT_PAGE)["mainEntityOfPage"]  # an event is no creative work
    assert isinstance(event_page, dict)
    assert (event_page["@type"], event_page["datePublished"], event_page["dateModified"]) == (
        "WebPage", "2025-05-11", "2025-06-02")
    actor_page = jsonld(out / ACTOR_PAGE)["mainEntityOfPage"]
    assert isinstance(actor_page, dict) and actor_page["dateModified"] == "2025-05-11"
    article = jsonld(out / ARTICLE_PAGE)  # an article carries its dates itself
    assert (article["datePublished"], article["dateModified"]) == ("2025-05-11", "2025-05-11")
    assert lastmod(out, "/events/kabul-meeting/") == "2025-06-02"
    assert lastmod(out, "/actors/india/") == "2025-05-11"


def test_a_new_commit_moves_the_dates_and_an_uncommitted_edit_does_not(repo: Path) -> None:
    out = build(repo)
    before = (out / EVENT_PAGE).read_bytes()
    with (repo / "content" / EVENT).open("a") as handle:
        handle.write("# not yet committed\n")
    build(repo)
    assert (out / EVENT_PAGE).read_bytes() == before
    git(repo, "commit", "-qam", "third", when="2025-07-04T12:00:00+00:00")
    build(repo)
    assert dates(out / EVENT_PAGE) == {"Published": "2025-05-11", "Updated": "2025-07-04"}
    assert lastmod(out, "/events/kabul-meeting/") == "2025-07-04"


def test_outside_git_nothing_is_shown_or_invented(repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git", "_site"))
    out = build(plain)
    for page in [EVENT_PAGE, ACTOR_PAGE]:
        assert dates(out / page) == {}
        assert "dateModified" not in jsonld(out / page)
        assert "mainEntityOfPage" not in jsonld(out / page)
        assert 'class="record-dates"' not in (out / page).read_text()
    assert lastmod(out, "/events/kabul-meeting/") is None


def test_a_shallow_clone_shows_no_dates_it_cannot_vouch_for(repo: Path,
                                                            tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)],
                   check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "kabul_brief", "build", "--out", "_site"],
                          cwd=clone, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    out = clone / "_site"
    assert dates(out / EVENT_PAGE) == {}
    assert dates(out / ACTOR_PAGE) == {}
    # ... and says why, so that an editor whose dates vanished learns what to change
    assert "warning: the content is in a shallow clone" in done.stderr
    assert "fetch-depth: 0" in done.stderr


def test_a_repository_git_refuses_is_warned_of_not_silently_undated(repo: Path) -> None:
    """Another user's repository (git's ``safe.directory`` refusal): no dates, as git
    cannot be asked, and a warning saying how to let it read the repository."""
    if os.geteuid() != 0:  # the test suite runs as root in CI and on our machines
        pytest.fail("this test needs to give the repository to another user (run as root)")
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 65534, 65534)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_CONFIG")}
    env["GIT_CONFIG_GLOBAL"] = os.devnull  # no safe.directory of this machine's
    done = subprocess.run([sys.executable, "-m", "kabul_brief", "check"], cwd=repo,
                          capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert ": warning: git refuses to read the repository" in done.stderr, done.stderr
    assert "safe.directory" in done.stderr
    strict = subprocess.run([sys.executable, "-m", "kabul_brief", "check", "--strict"],
                            cwd=repo, capture_output=True, text=True, check=False, env=env)
    assert strict.returncode == 1
    assert "error: git refuses to read the repository" in strict.stderr


def test_a_record_not_yet_committed_has_no_dates(repo: Path) -> None:
    (repo / "content" / "actors" / "china.yaml").write_text(
        "id: china\nname: China\nkind: state\n")
    out = build(repo)
    assert dates(out / "actors/china/index.html") == {}
    assert dates(out / ACTOR_PAGE) == {"Published": "2025-05-11"}


def test_two_builds_in_git_are_byte_identical(repo: Path) -> None:
    first = build(repo, "one")
    second = build(repo, "two")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        if name.name != ".kabul-brief-manifest":
            assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_log_is_read_as_git_writes_it_even_for_odd_file_names() -> None:
    log = (b"\x1e1749000000\x00\nevents/a b.yaml\x00events/\xd8\xaa.yaml\x00"
           b"\x1e1700000000\x00\nevents/a b.yaml\x00")
    found = parse_log(log)
    assert found["events/a b.yaml"].published.isoformat() == "2023-11-14"
    assert found["events/a b.yaml"].updated.isoformat() == "2025-06-04"
    assert found["events/a b.yaml"].revisions == 2
    assert found["events/\u062a.yaml"].revisions == 1


def test_the_feeds_and_calendars_date_entries_by_their_commits(repo: Path) -> None:
    import feedparser
    from icalendar import Calendar

    out = build(repo)
    events = feedparser.parse((out / "events" / "feed.xml").read_bytes())
    assert events.bozo == 0
    meeting = next(e for e in events.entries if e.link.endswith("/events/kabul-meeting/"))
    assert meeting.updated.startswith("2025-06-02")
    assert meeting.published.startswith("2025-05-11")
    articles = feedparser.parse((out / "feed.xml").read_bytes())
    article = next(e for e in articles.entries if e.link.endswith("/articles/kabul-outreach/"))
    assert article.updated.startswith("2025-05-11")  # the commit, after the editor's 4 May
    assert articles.feed.updated.startswith("2025-05-11")
    calendar = Calendar.from_ical((out / "timeline.ics").read_bytes())
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("kabul-meeting@"))
    assert event.decoded("LAST-MODIFIED").date().isoformat() == "2025-06-02"
    assert int(event["SEQUENCE"]) == 1  # committed twice


def test_an_entry_is_updated_when_its_file_changed_not_when_its_event_happens(
        repo: Path) -> None:
    """A summit entered in June for January: the feed says June, as the page, its
    JSON-LD and the sitemap do, not a revision months ahead that no commit made."""
    import feedparser

    (repo / "content" / "events" / "summit.yaml").write_text(
        "id: summit-announced\ntitle: Regional summit announced\ndate: 2026-01-15\n"
        "kind: meeting\nplace: kabul\nactors: [amir-khan-muttaqi]\n"
        "summary: Set for January.\nsources:\n  - {source: agency-report}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "summit", when="2025-06-03T08:00:00+00:00")
    out = build(repo)
    events = feedparser.parse((out / "events" / "feed.xml").read_bytes())
    summit = next(e for e in events.entries if e.link.endswith("/events/summit-announced/"))
    assert summit.updated.startswith("2025-06-03")
    assert events.feed.updated.startswith("2025-06-03")
    page = out / "events" / "summit-announced" / "index.html"
    assert dates(page) == {"Published": "2025-06-03"}  # one commit: one day shown
    assert lastmod(out, "/events/summit-announced/") == "2025-06-03"
    articles = feedparser.parse((out / "feed.xml").read_bytes())
    article = next(e for e in articles.entries if e.link.endswith("/articles/kabul-outreach/"))
    data = jsonld(out / ARTICLE_PAGE)
    assert article.published.startswith(str(data["datePublished"]))  # the commit, both
    assert article.updated.startswith(str(data["dateModified"]))
    dispute = feedparser.parse((out / "disputes" / "ttp-sanctuary" / "feed.xml").read_bytes())
    point = next(e for e in dispute.entries if "#trend_" in e.link)
    assert point.updated.startswith("2025-05-11")  # its file's commit, not "1 May" for "May"
