"""The linked model: what loading the good fixture gives the publishing stage."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from kabul_brief.cli import main
from kabul_brief.content import linker, loader
from kabul_brief.content import model as m
from kabul_brief.content.dates import Precision
from kabul_brief.content.loader import LoadCache
from kabul_brief.content.mdcache import MarkdownCache
from kabul_brief.folders import cache_folder
from kabul_brief.pipeline import load_site
from tests.conftest import GOOD_SITE, checked_site, run_isolated


@pytest.fixture(scope="module")
def site() -> m.Site:
    return checked_site(GOOD_SITE / "content")


def test_every_kind_is_loaded_from_single_and_list_files_and_subfolders(site: m.Site) -> None:
    assert set(site.actors) == {"india", "amir-khan-muttaqi", "m-anand-prakash", "taliban",
                                "pakistan"}
    assert set(site.places) == {"afghanistan", "india", "kabul", "pakistan"}  # not _draft
    assert set(site.events) == {"kabul-meeting", "takeover", "ttp-attacks"}
    assert list(site.articles) == ["kabul-outreach"]  # from articles/analysis/, id = stem
    assert site.articles[m.ArticleId("kabul-outreach")].origin == m.Origin(
        path="articles/analysis/kabul-outreach.md", line=2
    )


def test_dates_keep_the_precision_given(site: m.Site) -> None:
    takeover = site.events[m.EventId("takeover")]
    assert (takeover.date.iso, takeover.date.display()) == ("2021-08-15", "15 August 2021")
    report = site.sources[m.SourceId("agency-report")]
    assert report.date is not None
    assert (report.date.iso, report.date.display()) == ("2025-05", "May 2025")
    assert report.date.precision is Precision.MONTH
    attacks = site.events[m.EventId("ttp-attacks")]
    assert (attacks.date.iso, attacks.circa, attacks.end) == ("2025", True, attacks.end)
    meeting = site.events[m.EventId("kabul-meeting")]
    assert meeting.as_reported == "in late April"


def test_timeline_sorts_by_start_of_period_then_end_then_id(site: m.Site) -> None:
    assert site.timeline == ("takeover", "ttp-attacks", "kabul-meeting")


def test_trend_points_are_in_date_order(site: m.Site) -> None:
    trend = site.relationships[m.RelationshipId("india-taliban")].trend
    assert [(p.date.iso, p.direction) for p in trend] == [
        ("2021-08", "deteriorated"), ("2025-04", "improved")
    ]


def test_relationship_title_defaults_to_the_parties_names(site: m.Site) -> None:
    assert site.relationships[m.RelationshipId("india-taliban")].title == (
        "India \u2013 Taliban government"
    )


def test_defaults_fill_what_the_editor_left_out(site: m.Site) -> None:
    assert site.settings.language == "en"
    assert site.disputes[m.DisputeId("ttp-sanctuary")].status == "active"
    muttaqi = site.actors[m.ActorId("amir-khan-muttaqi")]
    assert muttaqi.roles == (
        m.Role(title="Foreign Minister", of=m.ActorId("taliban"),
               start=muttaqi.roles[0].start, end=None),
    )


def test_actor_backlinks(site: m.Site) -> None:
    links = site.backlinks
    assert links.actor_events["amir-khan-muttaqi"] == ("kabul-meeting",)
    assert links.actor_events["taliban"] == ("takeover",)
    assert links.actor_disputes["india"] == ("ttp-sanctuary",)  # via involves
    assert links.actor_disputes["pakistan"] == ("ttp-sanctuary",)
    assert links.actor_relationships["taliban"] == ("india-taliban",)
    assert links.actor_articles["india"] == ("kabul-outreach",)  # tagged
    assert links.actor_articles["amir-khan-muttaqi"] == ("kabul-outreach",)  # mentioned
    assert links.actor_articles["m-anand-prakash"] == ()
    assert links.related_actors["m-anand-prakash"] == (
        m.RelatedActor(id=m.ActorId("amir-khan-muttaqi"), shared_events=1),
    )


def test_place_backlinks_include_places_within(site: m.Site) -> None:
    links = site.backlinks
    assert links.place_events["kabul"] == ("takeover", "kabul-meeting")
    assert links.place_events["afghanistan"] == ()
    assert links.place_events_within["afghanistan"] == ("takeover", "kabul-meeting")
    assert links.place_children["afghanistan"] == ("kabul",)


def test_dispute_and_relationship_events(site: m.Site) -> None:
    assert site.backlinks.dispute_events["ttp-sanctuary"] == ("ttp-attacks",)
    assert site.backlinks.relationship_events["india-taliban"] == ("kabul-meeting",)


def test_citations_are_indexed_by_source_and_by_paragraph(site: m.Site) -> None:
    links = site.backlinks
    by_source = [(f.kind, f.owner_id, f.index) for f in links.source_citations["agency-report"]]
    assert by_source == [
        ("trend", "india-taliban", 0),
        ("event", "ttp-attacks", None),
        ("event", "kabul-meeting", None),
        ("position", "ttp-sanctuary", 0),
    ]
    paragraphs = links.paragraph_citations["kabul-outreach"]
    assert {n: [(f.kind, f.owner_id) for f in facts] for n, facts in paragraphs.items()} == {
        2: [("event", "kabul-meeting")],
        3: [("trend", "ttp-sanctuary")],
        4: [("trend", "india-taliban"), ("claim", "kabul-meeting")],
    }
    claim = site.events[m.EventId("kabul-meeting")].claims[0]
    assert claim.sources == (
        m.ArticleCitation(article=m.ArticleId("kabul-outreach"), anchor="assurance",
                          paragraph=4),
    )


def test_article_body_has_paragraph_anchors_and_links(site: m.Site) -> None:
    article = site.articles[m.ArticleId("kabul-outreach")]
    soup = BeautifulSoup(article.body.html, "html.parser")
    assert [p["id"] for p in soup.select("p[id]")] == ["p1", "p2", "p3", "p4"]
    assert soup.select_one("#p4 > span#assurance") is not None
    assert [(p.number, p.name) for p in article.paragraphs] == [
        (1, None), (2, None), (3, None), (4, "assurance")
    ]
    autolinks = soup.select("a.autolink")
    assert [(a["href"], a.get_text()) for a in autolinks] == [
        ("actor:india", "India"),
        ("actor:amir-khan-muttaqi", "Muttaqi"),
        ("actor:taliban", "Taliban"),
        ("actor:pakistan", "Pakistan"),
    ]
    assert soup.select_one('a[href="place:kabul"]').get_text() == "Kabul"


def test_the_model_is_frozen(site: m.Site) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.events[m.EventId("takeover")].title = "changed"  # type: ignore[misc]


def test_standing_pages_are_loaded(site: m.Site) -> None:
    page = site.pages[m.PageId("about")]
    assert page.title == "About this fixture"
    soup = BeautifulSoup(page.body.html, "html.parser")
    assert soup.select_one('a[href="actor:india"]').get_text() == "India"
    assert soup.select("p[id]") == []  # pages have no paragraph anchors


FORKING = """
from pathlib import Path
from kabul_brief import workers
from kabul_brief.errors import ContentErrors
from kabul_brief.pipeline import load_site
workers.MIN_ITEMS_PER_WORKER = 1
workers.CHUNK = 2
assert workers.can_fork()

def report(count):
    try:
        return repr(load_site(Path({content!r}), workers=count))
    except ContentErrors as errors:
        return errors.format()

serial, forked = report(1), report(2)
print(serial == forked)
print(serial)
"""


def test_converting_markdown_on_several_processes_gives_the_same_model() -> None:
    same, model = run_isolated(FORKING.format(content=str(GOOD_SITE / "content"))).split(
        "\n", 1)
    assert same == "True"
    assert model.startswith("Site(")


def test_markdown_errors_are_the_same_on_several_processes(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(GOOD_SITE / "content", content)
    event = content / "events" / "kabul-meeting.yaml"
    event.write_text(event.read_text("utf-8").replace(
        "summary: Talks on trade and transit.",
        "summary: Talks on [trade](actr:india) and [transit](javascript:x)."), "utf-8")
    same, report = run_isolated(FORKING.format(content=str(content))).split("\n", 1)
    assert same == "True"
    assert report.count("[link-scheme]") == 2


def test_markdown_cache_gives_the_same_model_and_skips_converting(
    tmp_path: Path, site: m.Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(GOOD_SITE / "content", content)
    cache = MarkdownCache.beside(content)
    assert load_site(content, cache=cache) == site
    cache.save()
    cache_file = cache_folder(content) / "markdown.pickle"
    assert cache_file.is_file()

    def no_conversion(*args: object, **kwargs: object) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr(linker, "render_markdown", no_conversion)
    assert load_site(content, cache=MarkdownCache.beside(content)) == site


def test_markdown_cache_follows_actor_names_and_survives_corruption(
    tmp_path: Path, site: m.Site
) -> None:
    content = tmp_path / "content"
    shutil.copytree(GOOD_SITE / "content", content)
    first = MarkdownCache.beside(content)
    load_site(content, cache=first)
    first.save()
    actor = content / "actors" / "taliban.yaml"
    actor.write_text(actor.read_text("utf-8").replace("[Taliban, Islamic Emirate]",
                                                      "[Islamic Emirate]"), "utf-8")
    renamed = load_site(content, cache=MarkdownCache.beside(content))
    assert renamed == load_site(content)  # the same as converting afresh
    assert renamed.articles != site.articles  # "Taliban" is no longer auto-linked
    (cache_folder(content) / "markdown.pickle").write_bytes(b"not a pickle")
    assert load_site(content, cache=MarkdownCache.beside(content)) == renamed


def test_check_writes_no_cache(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(GOOD_SITE / "content", content)
    assert main(["check", "--content", str(content)]) == 0
    assert not cache_folder(content).exists()


def test_content_cache_gives_the_same_model_reads_only_changed_files_and_survives_corruption(
    tmp_path: Path, site: m.Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(GOOD_SITE / "content", content)
    first = LoadCache.beside(content)
    assert load_site(content, files=first) == site
    first.save()
    assert (cache_folder(content) / "content.pickle").is_file()
    actor = content / "actors" / "taliban.yaml"
    actor.write_text(actor.read_text("utf-8").replace("[Taliban, Islamic Emirate]",
                                                      "[Islamic Emirate]"), "utf-8")
    read: list[str] = []
    original = loader._load_file

    def counting(content_dir: Path, display_root: str, job: Any) -> bytes:
        read.append(job.path.name)
        return original(content_dir, display_root, job)

    monkeypatch.setattr(loader, "_load_file", counting)
    edited = load_site(content, files=LoadCache.beside(content))
    assert read == ["taliban.yaml"]
    assert edited == load_site(content, files=LoadCache.disabled())
    assert edited != site
    (cache_folder(content) / "content.pickle").write_bytes(b"not a pickle")
    assert load_site(content, files=LoadCache.beside(content)) == edited
