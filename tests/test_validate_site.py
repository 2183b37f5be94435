"""The site built from the shipped content passes independent validators.

Each test runs the real tool (installed by scripts/test) over the whole site;
tests/test_validate_planted.py proves that each of them still fails on planted
errors. A failure message lists every problem as ``page:line: message``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from validators import tools


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tools.Site]:
    yield tools.shared_site(tmp_path_factory.mktemp("www"))
    tools.stop_shared_site()


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_nu_html_checker_finds_no_errors(site: tools.Site) -> None:
    assert len(site.html_files()) > 50
    problems = tools.vnu(site.root)
    assert not problems, _report(problems)


def test_hyperlink_finds_no_broken_links_or_fragments(site: tools.Site) -> None:
    problems = tools.hyperlink(site.root, site.base_url)
    assert not problems, _report(problems)


def test_feed_matches_the_rfc_4287_schema(site: tools.Site) -> None:
    problems = tools.jing_atom(site.root / "feed.xml")
    assert not problems, _report(problems)


def test_feed_dates_have_timezones_and_entries_have_authors(site: tools.Site) -> None:
    problems = tools.atom_own_checks(site.root / "feed.xml")
    assert not problems, _report(problems)


def test_corrections_feed_matches_the_rfc_4287_schema_even_with_no_entries(
    site: tools.Site,
) -> None:
    feed = site.root / "corrections" / "feed.xml"  # the shipped content has had none
    problems = tools.jing_atom(feed) + tools.atom_own_checks(feed)
    assert not problems, _report(problems)


def test_every_languages_feeds_match_the_rfc_4287_schema(site: tools.Site) -> None:
    """The site's feeds in each of its languages (``/fa-af/feed.xml``, its events' and
    corrections' feeds) are as valid as the main language's."""
    languages = site.language_folders()
    assert languages == {"fa-af", "ps", "ur"}
    problems = []
    for folder in sorted(languages):
        for name in ("feed.xml", "events/feed.xml", "corrections/feed.xml"):
            feed = site.root / folder / name
            problems += tools.jing_atom(feed) + tools.atom_own_checks(feed)
    assert not problems, _report(problems)


def test_sitemap_matches_the_sitemaps_org_xsd(site: tools.Site) -> None:
    problems = tools.xmllint_sitemap(site.root / "sitemap.xml")
    assert not problems, _report(problems)


def test_json_ld_is_strict_json_in_the_schema_org_vocabulary(site: tools.Site) -> None:
    count, problems = tools.jsonld(site.root)
    pages = [p for p in site.html_files() if p.name != "404.html"]
    assert count >= len(pages) - 1, "most pages should carry JSON-LD"
    assert not problems, _report(problems)


def test_every_page_kind_is_found(site: tools.Site) -> None:
    kinds = site.one_page_per_kind()
    for kind in (
        "front",
        "404.html",
        "timeline index",
        "actors index",
        "actors page",
        "articles page",
        "events page",
        "disputes page",
        "places page",
        "relationships page",
        "sources page",
        "search index",
        "network index",
        "corrections index",
    ):
        assert kind in kinds, sorted(kinds)
    assert all(isinstance(path, Path) for path in kinds.values())
