"""What refers to a record keeps it from the "unused" warnings, however it refers.

The reverse indexes live in one place (``content/backlinks.py``); the warnings and
the pages read them. A record reachable only through a claim's speaker, a role's
body, an actor's country or an article's front matter is in use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import CliResult, mutate


def warnings_of(result: CliResult) -> list[str]:
    return [line for line in result.err.splitlines() if ": warning: " in line]


@pytest.mark.parametrize("used_as", ["claim", "role", "nothing"])
def test_an_actor_used_only_as_a_claim_s_speaker_or_a_role_s_body(
        good_site: Path, run_cli: Callable[..., CliResult], used_as: str) -> None:
    (good_site / "content/actors/council.yaml").write_text(
        "id: council\nname: Ulema Council\nkind: organisation\n", encoding="utf-8")
    if used_as == "claim":
        mutate(good_site, "content/events/kabul-meeting.yaml", "  - by: taliban\n",
               "  - by: council\n")
    elif used_as == "role":
        (good_site / "content/actors/cleric.yaml").write_text(
            "id: cleric\nname: A Cleric\nkind: person\nroles:\n"
            "  - {title: Head, of: council}\n", encoding="utf-8")
    result = run_cli("check")
    assert result.code == 0, result.err
    unused = [line for line in warnings_of(result)
              if line.startswith("content/actors/council.yaml:")]
    if used_as == "nothing":
        assert unused == ["content/actors/council.yaml:1:1: warning: actor 'council' is not"
                          " part of any event, dispute, relationship or article [unused-actor]"]
    else:
        assert unused == []


def test_a_role_s_body_lists_its_current_holders_only(
        good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    (good_site / "content/actors/council.yaml").write_text(
        "id: council\nname: Ulema Council\nkind: organisation\n", encoding="utf-8")
    (good_site / "content/actors/cleric.yaml").write_text(
        "id: cleric\nname: A Cleric\nkind: person\nroles:\n"
        "  - {title: Head, of: council}\n"
        "  - {title: Deputy, of: taliban, from: 2020, to: 2021}\n", encoding="utf-8")
    result = run_cli("build", "--out", "_site", "--jobs", "1")
    assert result.code == 0, result.err
    council = BeautifulSoup((good_site / "_site/actors/council/index.html").read_bytes(),
                            "html.parser")
    assert "A Cleric" in council.get_text(" ")
    taliban = BeautifulSoup((good_site / "_site/actors/taliban/index.html").read_bytes(),
                            "html.parser")
    assert "Deputy" not in taliban.get_text(" ")  # the role ended
