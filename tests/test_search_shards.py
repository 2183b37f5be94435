"""A large archive's search index comes in shards: each a Pagefind bundle of about a
thousand pages, merged by the search page; an edit re-indexes only its shard."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from test_site_support import SHIPPED, build, copy_content, page, tree

from kabul_brief.publish import search

BASE = "https://example.org/brief/"


@pytest.fixture(autouse=True)
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 10)


def _shards(out: Path) -> list[Path]:
    bundle = out / "pagefind"
    return [bundle, *sorted((p for p in bundle.iterdir() if p.name.startswith("shard-")),
                            key=lambda p: int(p.name.removeprefix("shard-")))]


def _page_count(bundle: Path) -> int:
    """The pages a bundle indexes, in all its languages (Pagefind keeps an index per
    language in each bundle)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(int(language["page_count"]) for language in entry["languages"].values())


def _shard_of(out: Path, url: str) -> str:
    """The shard folder ("" for the first) of the one bundle whose index holds ``url``
    (as Pagefind records it: from the root of the folder it indexed)."""
    bundle = out / "pagefind"
    holding = {
        "" if fragment.parent.parent == bundle else f"{fragment.parent.parent.name}/"
        for fragment in bundle.rglob("*.pf_fragment")
        if json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))[
            "url"] == url
    }
    (shard,) = holding
    return shard


def test_every_indexed_page_is_in_exactly_one_shard_and_the_search_page_merges_them(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    assert build(SHIPPED, out, BASE) == 0
    shards = _shards(out)
    kinds = ("actors", "events", "disputes", "articles", "places", "relationships", "sources")
    languages = ["", *(p.parent.name + "/" for p in out.glob("*/404.html"))]
    assert len(languages) == 4  # the shipped site's pages are in four languages
    indexed = sum(1 for folder in languages for kind in kinds
                  for _ in (out / f"{folder}{kind}").glob("*/index.html"))
    assert len(shards) == -(-indexed // 10) > 2
    assert sum(_page_count(bundle) for bundle in shards) == indexed
    box = page(out, "search/").select_one("#search")
    assert box is not None
    assert box["data-bundle"] == "/brief/pagefind/"
    assert str(box["data-merge"]).split() == [
        f"/brief/pagefind/{bundle.name}/" for bundle in shards[1:]
    ]


def test_an_edit_reindexes_only_the_shard_of_the_page_it_changes(tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    assert build(content, out, BASE) == 0
    before = {path: (out / path).stat().st_ino for path in tree(out) if
              path.startswith("pagefind/")}
    event = content / "events" / "kabul-delegation-2025-04.yaml"
    text = event.read_text(encoding="utf-8")
    assert "summary:\n  en: |\n    " in text
    event.write_text(text.replace("summary:\n  en: |\n    ", "summary:\n  en: |\n    Edited. ", 1),
                     encoding="utf-8")
    assert build(content, out, BASE) == 0
    # The English summary shows on the English page and, untranslated into Pashto,
    # on the Pashto one; the Dari and Urdu pages have their own.
    edited = {_shard_of(out, f"/{folder}events/kabul-delegation-2025-04/")
              for folder in ("", "ps/")}
    after = {path: (out / path).stat().st_ino for path in tree(out) if
             path.startswith("pagefind/")}
    relinked = {path for path in after if before.get(path) == after[path]}
    in_edited = {path for path in after for shard in edited
                 if path.startswith(f"pagefind/{shard}") and (
                     shard or not path.startswith("pagefind/shard-"))}
    assert relinked == set(after) - in_edited  # every other shard kept as it was
    assert not relinked & in_edited


def test_incremental_and_full_builds_give_the_same_sharded_index(tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out, full = tmp_path / "site", tmp_path / "full"
    assert build(content, out, BASE) == 0
    actor = content / "actors" / "amir-khan-muttaqi.yaml"
    text = actor.read_text(encoding="utf-8")
    assert "aliases:\n  - Muttaqi\n" in text
    actor.write_text(text.replace("aliases:\n  - Muttaqi\n", "aliases:\n  - Muttaqi\n  - AKM\n"),
                     encoding="utf-8")
    assert build(content, out, BASE) == 0
    assert build(content, full, BASE) == 0
    assert tree(out) == tree(full)


def test_an_archive_with_nothing_to_index_still_gets_a_search_bundle(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "site.yaml").write_text(
        "title: Empty Brief\nbase_url: https://example.org/\nlanguage: en\n", encoding="utf-8")
    out = tmp_path / "site"
    assert build(content, out) == 0
    for name in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js", "pagefind-entry.json"):
        assert (out / "pagefind" / name).is_file()
    assert not page(out, "search/").select_one("#search[data-merge]")


def test_shards_are_never_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 1)
    paths = [f"events/e{n}/" for n in range(40)]
    shards = search.plan_shards(paths)
    assert all(shards.values())
    assert sorted(p for pages in shards.values() for p in pages) == sorted(paths)
    assert list(shards) == [search.shard_folder(n) for n in range(len(shards))]
    assert search.plan_shards([]) == {"": ()}
