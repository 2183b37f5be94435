"""Each page kind of the URL contract shows what a reader expects (fixture: basic)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_site_support import BASIC, build, heading_levels, hrefs, jsonld, one, page


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("basic") / "site"
    assert build(BASIC, target) == 0
    return target


ALL_PAGES = [
    "", "articles/", "articles/outreach/", "articles/older/", "timeline/", "timeline/newest/",
    "actors/",
    "actors/india/", "actors/taliban/", "actors/muttaqi/", "actors/un/", "events/talks/",
    "events/takeover/", "events/airlift/", "events/statement-2024/", "disputes/",
    "disputes/aid-dispute/", "relationships/", "relationships/india-taliban/", "places/",
    "places/kabul/", "places/afghanistan/", "places/kabul-airport/", "places/india/",
    "sources/", "sources/wire-report/", "sources/unused-source/", "about/", "404.html",
]


@pytest.mark.parametrize("path", ALL_PAGES)
def test_every_page_has_landmarks_skip_link_language_and_ordered_headings(
    out: Path, path: str
) -> None:
    soup = page(out, path)
    assert one(soup, "html")["lang"] == "en-GB"
    for landmark in ("header", "nav", "main", "footer"):
        assert soup.find(landmark) is not None, landmark
    skip = soup.select_one("a.skip-link")
    assert skip is not None and skip["href"] == "#" + str(one(soup, "main")["id"])
    levels = heading_levels(soup)
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    assert one(soup, 'link[rel="stylesheet"]')["href"] == "/static/style.css"
    # no script but JSON-LD data, and on the timeline its own filter (an enhancement only)
    scripts = [str(s.get("src")) for s in soup.find_all(
        "script", attrs={"type": lambda t: t != "application/ld+json"})]
    assert scripts == (["/static/timeline.js"] if path.startswith("timeline/") else [])


@pytest.mark.parametrize("path", [p for p in ALL_PAGES if p != "404.html"])
def test_every_page_has_canonical_open_graph_and_json_ld(out: Path, path: str) -> None:
    soup = page(out, path)
    canonical = "https://example.org/" + path
    assert one(soup, 'link[rel="canonical"]')["href"] == canonical
    assert one(soup, 'meta[property="og:url"]')["content"] == canonical
    assert one(soup, 'meta[property="og:title"]')["content"]
    assert len(jsonld(soup)) == 1


def test_front_page_lists_latest_articles_active_disputes_with_trend_and_recent_events(
    out: Path,
) -> None:
    soup = page(out, "")
    articles = one(soup, "section.front-articles")
    assert hrefs(articles)[:2] == ["/articles/outreach/", "/articles/older/"]
    dispute = one(soup, "li.dispute-card")
    assert one(dispute, "h3 a")["href"] == "/disputes/aid-dispute/"
    assert one(dispute, ".direction").get_text(strip=True).endswith("Improved")
    assert one(dispute, ".latest time")["datetime"] == "2025-04"
    recent = [a["href"] for a in soup.select("#recent_events ~ ol .item-title a")]
    assert recent[0] == "/events/talks/"
    assert jsonld(soup)[0]["@type"] == "WebSite"


def test_article_body_keeps_anchors_and_resolves_record_links(out: Path) -> None:
    soup = page(out, "articles/outreach/")
    body = one(soup, ".article-body")
    assert [p["id"] for p in body.select("p[id]")] == ["p1", "p2", "p3", "p4", "p5"]
    assert one(soup, "p#p2 > span#history")
    assert one(soup, "p#p4 > span#talks")
    links = hrefs(body)
    for expected in ("/actors/india/", "/places/kabul/", "/events/talks/",
                     "/articles/older/#p1", "/disputes/aid-dispute/",
                     "/relationships/india-taliban/", "/sources/wire-report/"):
        assert expected in links
    assert not [h for h in hrefs(soup) if h.split(":")[0] in ("actor", "place", "article")]
    assert [a["href"] for a in body.select("a.autolink")] == [
        "/actors/taliban/", "/actors/muttaqi/"]


def test_article_lists_the_facts_citing_each_paragraph_linked_both_ways(out: Path) -> None:
    soup = page(out, "articles/outreach/")
    aside = one(soup, "details#cites_p4")
    assert aside.parent is not None and aside.parent.find("p", id="p4") is not None  # beside it
    assert one(aside, "summary").get_text(" ", strip=True).endswith(
        f"cited by {len(aside.select('li'))} facts")
    assert set(hrefs(aside)) >= {
        "/events/talks/", "/events/talks/#claim_1", "/disputes/aid-dispute/#trend_2025-04",
    }
    assert not soup.select("#cites_p5")
    whole = soup.select("#whole_cites ~ ul a")
    assert [a["href"] for a in whole] == ["/relationships/india-taliban/#trend_2025-04-27"]
    event = page(out, "events/talks/")
    # cited by its name {#talks} (paragraph 4): the link keeps the name
    assert "/articles/outreach/#talks" in hrefs(one(event, "section.notes"))


def test_article_shows_dates_at_their_precision_and_json_ld(out: Path) -> None:
    soup = page(out, "articles/outreach/")
    times = one(soup, ".byline").find_all("time")
    assert [(t["datetime"], t.get_text()) for t in times] == [
        ("2025-05", "May 2025"), ("2025-05-04", "4 May 2025"),
    ]
    data = jsonld(soup)[0]
    assert data["@type"] == "AnalysisNewsArticle"
    assert data["headline"] == "India's outreach to Kabul"
    assert data["datePublished"] == "2025-05"
    assert [a["name"] for a in data["author"]] == ["Desk One", "Desk Two"]  # type: ignore[index]
    assert jsonld(page(out, "articles/older/"))[0]["@type"] == "NewsArticle"
    assert one(soup, 'meta[property="og:type"]')["content"] == "article"


def test_timeline_entries_carry_event_id_time_place_actors_and_link(out: Path) -> None:
    soup = page(out, "timeline/")
    assert [h.get_text() for h in soup.select("section.year h2")] == ["2021", "2024", "2025"]
    talks = one(soup, "li#talks")
    assert [t["datetime"] for t in talks.find_all("time")] == ["2025-04-27", "2025-04-28"]
    assert "in late April" in one(talks, ".as-reported").get_text()
    assert "/events/talks/" in hrefs(talks)
    assert "/places/kabul/" in hrefs(talks)
    assert {"/actors/india/", "/actors/muttaqi/"} <= set(hrefs(talks))
    airlift = one(soup, "li#airlift")
    assert one(airlift, "time")["datetime"] == "2021-08"
    assert one(airlift, "time").get_text() == "August 2021"
    circa = one(soup, "li#statement-2024")
    assert one(circa, "time")["datetime"] == "2024"
    assert one(circa, "abbr.circa")
    order = [li["id"] for li in soup.select("li.event-item")]
    assert order == ["airlift", "takeover", "statement-2024", "talks"]


def test_actors_index_groups_by_kind(out: Path) -> None:
    soup = page(out, "actors/")
    groups = {h.get_text(): [a["href"] for a in h.find_parent("section").select("li a")]
              for h in soup.select("section h2")}
    assert groups == {
        "People": ["/actors/muttaqi/"], "States": ["/actors/india/"],
        "Governments": ["/actors/taliban/"], "Multilateral bodies": ["/actors/un/"],
    }


def test_actor_page_shows_roles_timeline_disputes_relationships_articles_related(
    out: Path,
) -> None:
    soup = page(out, "actors/muttaqi/")
    assert jsonld(soup)[0]["@type"] == "Person"
    side = one(soup, "aside.record-side")
    assert "/actors/taliban/" in hrefs(side)
    assert one(side, ".role-dates time")["datetime"] == "2021-09"
    events = soup.select("#actor_events ~ ol li.event-item")
    assert [one(e, ".item-title a")["href"] for e in events] == ["/events/talks/"]
    assert "host" in one(events[0], ".role").get_text()
    assert "/actors/muttaqi/" not in hrefs(events[0])  # the page's own actor is not "with"
    assert "/articles/outreach/" in hrefs(one(soup, "#actor_articles").parent)
    ties = one(soup, "#actor_ties").parent  # its ties: India shares the talks
    assert "/actors/india/" in hrefs(one(ties, "ul.ties-list"))
    assert "/actors/india/" in hrefs(one(ties, "svg.network-ties"))
    assert "1 shared event" in one(ties, "ul.ties-list").get_text(" ", strip=True)
    taliban = page(out, "actors/taliban/")
    assert jsonld(taliban)[0]["@type"] == "GovernmentOrganization"
    relationship = one(taliban, "#actor_relationships").parent
    assert "/relationships/india-taliban/" in hrefs(relationship)
    assert one(relationship, ".direction").get_text(strip=True).endswith("Unchanged")
    disputes = one(taliban, "#actor_disputes").parent
    assert "through the government" in one(disputes, ".position").get_text()
    assert "/actors/muttaqi/" in hrefs(one(taliban, "aside.record-side"))  # role holder
    india = page(out, "actors/india/")
    assert "https://example.com/india" in hrefs(india)
    assert jsonld(page(out, "actors/un/"))[0]["@type"] == "Organization"


def test_event_page_shows_date_place_actors_claims_and_numbered_citations(out: Path) -> None:
    soup = page(out, "events/talks/")
    head = one(soup, ".event-when")
    assert [t["datetime"] for t in head.find_all("time")] == ["2025-04-27", "2025-04-28"]
    assert hrefs(head)[:2] == ["/places/kabul/", "/places/afghanistan/"]
    side = one(soup, "aside.record-side")
    assert "sent a delegation" in side.get_text() and "/actors/india/" in hrefs(side)
    assert "/disputes/aid-dispute/" in hrefs(side)
    assert "/relationships/india-taliban/" in hrefs(side)
    claim = one(soup, "div#claim_1")
    assert hrefs(one(claim, ".claim-by"))[0] == "/actors/taliban/"
    notes = soup.select("section.notes li")
    assert [li["id"] for li in notes] == ["note_1", "note_2", "note_3"]
    assert one(notes[0], "a")["href"] == "/articles/outreach/#talks"  # cited by name
    assert hrefs(notes[1]) == ["/sources/wire-report/", "https://example.com/wire"]
    assert "para 4" in notes[2].get_text()
    assert [a["href"] for a in claim.select(".refs a")] == ["#note_1", "#note_3"]
    data = jsonld(soup)[0]
    assert (data["@type"], data["startDate"], data["endDate"]) == (
        "Event", "2025-04-27", "2025-04-28")
    assert data["location"]["name"] == "Kabul"  # type: ignore[index]
    airlift = page(out, "events/airlift/")
    assert "https://example.com/airlift" in hrefs(one(airlift, "section.notes"))


def test_dispute_page_shows_parties_positions_side_by_side_trend_in_words_and_events(
    out: Path,
) -> None:
    soup = page(out, "disputes/aid-dispute/")
    parties = one(soup, ".page-head .parties")
    assert hrefs(parties) == ["/actors/india/", "/actors/taliban/", "/actors/un/"]
    positions = soup.select(".positions > .position-card")
    assert [p["id"] for p in positions] == ["position_1", "position_2"]
    points = soup.select("ol.trend > li")
    assert [p["id"] for p in points] == ["trend_2022", "trend_2025-04"]
    words = [one(p, ".direction").get_text(" ", strip=True) for p in points]
    assert words == ["↓ Deteriorated", "↑ Improved"]
    assert all(one(p, ".arrow")["aria-hidden"] == "true" for p in points)
    assert one(points[0], "abbr.circa")
    assert one(points[0], "time")["datetime"] == "2022"
    assert "/events/talks/" in hrefs(one(soup, "#dispute_events").parent)
    index = page(out, "disputes/")
    assert one(index, "#status_active")
    assert "/disputes/aid-dispute/" in hrefs(index.select_one("main"))


def test_relationship_pages_show_trend_and_events(out: Path) -> None:
    soup = page(out, "relationships/india-taliban/")
    points = soup.select("ol.trend > li")
    assert [p["id"] for p in points] == [
        "trend_2021-08", "trend_2025-04-27", "trend_2025-04-27_2"]
    events = [a["href"] for a in soup.select("#relationship_events ~ ol .item-title a")]
    assert events == ["/events/airlift/", "/events/takeover/", "/events/talks/"]
    index = page(out, "relationships/")
    assert "/relationships/india-taliban/" in hrefs(one(index, "main"))
    assert one(index, ".direction").get_text(strip=True).endswith("Unchanged")


def test_place_pages_show_events_there_and_within_and_places_within(out: Path) -> None:
    kabul = page(out, "places/kabul/")
    here = [a["href"] for a in kabul.select("#place_events ~ ol .item-title a")]
    within = [a["href"] for a in kabul.select("#place_events_within ~ ol .item-title a")]
    assert here == ["/events/takeover/", "/events/talks/"]
    assert within == ["/events/airlift/"]
    assert "/places/kabul-airport/" in hrefs(one(kabul, "aside.record-side"))
    assert hrefs(one(kabul, ".within")) == ["/places/afghanistan/"]
    data = jsonld(kabul)[0]
    assert data["@type"] == "Place" and data["geo"]["latitude"] == 34.5553  # type: ignore[index]
    country = page(out, "places/afghanistan/")
    assert len(country.select("#place_events_within ~ ol li")) == 3
    index = page(out, "places/")
    nested = one(index, 'a[href="/places/kabul/"]').find_parent("li")
    assert "/places/kabul-airport/" in hrefs(nested)


def test_source_pages_list_every_fact_citing_them(out: Path) -> None:
    soup = page(out, "sources/wire-report/")
    facts = [a["href"] for a in soup.select("#source_facts ~ ul a")]
    assert set(facts) == {
        "/events/statement-2024/", "/disputes/aid-dispute/#position_2",
        "/disputes/aid-dispute/#trend_2022", "/events/talks/", "/events/talks/#claim_1",
        "/relationships/india-taliban/#trend_2025-04-27_2",  # the second point that day
    }
    assert one(soup, ".source-url a")["href"] == "https://example.com/wire"
    assert "/articles/outreach/" in hrefs(one(soup, "#source_articles").parent)
    assert one(soup, ".page-head time")["datetime"] == "2025-05"
    index = page(out, "sources/")
    assert hrefs(one(index, "main ul.source-list")) == [
        "/sources/unused-source/", "/sources/wire-report/"]


def test_articles_index_and_404(out: Path) -> None:
    index = page(out, "articles/")
    assert [a["href"] for a in index.select("main .item-title a")] == [
        "/articles/outreach/", "/articles/older/"]
    missing = page(out, "404.html")
    assert not missing.select('link[rel="canonical"]')
    assert all(h.startswith("/") for h in hrefs(missing) if not h.startswith("#"))


def test_navigation_marks_the_current_section(out: Path) -> None:
    soup = page(out, "actors/")
    current = one(soup, "nav.site-nav a.current")
    assert current["href"] == "/actors/" and current["aria-current"] == "page"
    deeper = one(page(out, "actors/india/"), "nav.site-nav a.current")
    assert deeper["href"] == "/actors/" and not deeper.has_attr("aria-current")


def _texts(soup: BeautifulSoup) -> str:
    return soup.get_text(" ")


def test_month_precision_is_never_shown_as_a_day(out: Path) -> None:
    for path in ("timeline/", "events/airlift/", "articles/", "sources/wire-report/"):
        soup = page(out, path)
        for time in soup.find_all("time"):
            if len(str(time["datetime"])) == 7:
                assert time.get_text()[0].isalpha(), (path, time)
        assert "1 May 2025" not in _texts(soup)


def test_standing_pages_live_at_the_top_and_are_linked_from_the_footer(out: Path) -> None:
    soup = page(out, "about/")
    assert one(soup, "h1").get_text() == "About this site"
    assert {"/actors/india/", "/events/talks/"} <= set(hrefs(one(soup, "main")))
    footer = one(page(out, ""), "footer.site-footer")
    assert "/about/" in hrefs(footer)
