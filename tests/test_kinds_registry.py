"""One list of kinds and one id pattern: what an editor sees of them.

An id or an anchor with a trailing newline (a block scalar, or ``"abc\\n"`` quoted) is
refused by ``check`` and ``build``, as the id pattern matched whole refuses it; and the
kinds ``check`` counts, ``new`` offers and the build writes out are the registry's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from kabul_brief.kinds import KINDS, LINKED_KINDS, MENU, RECORD_KINDS, SUMMARY
from tests.conftest import CliResult, builds, mutate, refused

ID_HINT = ("    Ids use lowercase ASCII letters, digits and single hyphens"
           " (e.g. amir-khan-muttaqi), at most 64 characters.")


def test_an_id_with_a_trailing_newline_is_refused(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "content/places/abc.yaml").write_text(
        'id: "abc\\n"\nname: Abc\nkind: city\n', encoding="utf-8")
    result = refused(
        run_cli, r"content/places/abc.yaml:1:5: error: 'abc\n' is not a valid id [pattern]")
    assert ID_HINT in result.err.splitlines()


def test_an_id_written_as_a_block_scalar_is_refused(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "content/places/abc.yaml").write_text(
        "id: |\n  abc\nname: Abc\nkind: city\n", encoding="utf-8")
    refused(run_cli, r"content/places/abc.yaml:1:5: error: 'abc\n' is not a valid id [pattern]")


def test_a_cited_anchor_with_a_trailing_newline_is_refused(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/events/kabul-meeting.yaml",
           "anchor: assurance}", 'anchor: "assurance\\n"}')
    refused(run_cli, "content/events/kabul-meeting.yaml:15:49: error: 'assurance\\n' is not a"
                     " valid paragraph anchor [pattern]")


def test_a_file_name_with_a_trailing_newline_gives_no_id(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "content/articles/abc\n.md").write_text(
        "---\ntitle: T\ndate: 2025-05-03\nkind: news\nauthors: [Desk]\nsummary: S.\n---\n"
        "Text.\n", encoding="utf-8")
    refused(run_cli, r"content/articles/abc\n.md:1:1: error: the file name 'abc\n.md' does"
                     " not give a valid article id [pattern]")


def test_check_counts_the_kinds_of_the_registry(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("check")
    assert result.code == 0, result.err
    counted = [part.split(" ", 1)[1] for part in
               result.out.strip().removeprefix("content OK: ").split(", ")]
    assert counted == [KINDS[name].plural.lower() for name in SUMMARY]


def test_the_site_has_a_folder_a_data_file_and_a_menu_entry_per_kind(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    site = builds(run_cli)
    data = json.loads((site / "data/site.json").read_text(encoding="utf-8"))
    assert data["files"] == sorted(
        [f"data/{kind.folder}.json" for kind in RECORD_KINDS])
    for kind in LINKED_KINDS:
        assert (site / f"{kind.url_folder}").is_dir()
        document = json.loads((site / f"data/{kind.folder}.json").read_text(encoding="utf-8"))
        assert document["record_kind"] == kind.name
    front = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    menu = [a.get_text(strip=True) for a in front.select("header nav a")]
    shown = [KINDS[key].plural for key in MENU if key in KINDS]
    assert [text for text in menu if text in shown] == shown


def test_new_offers_every_kind(run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("new", "--help")
    assert result.code == 0
    assert "{" + ",".join(KINDS) + "}" in result.out
