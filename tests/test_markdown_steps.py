"""The Markdown steps, the article body as blocks, and names two actors share.

The converter's tree jobs are small steps run in a fixed order; an article body
reaches its page as blocks (no HTML is searched for paragraphs); a name or alias two
actors share is a warning that names both actor files.
"""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from kabul_brief.content import markup, mdprocessors
from kabul_brief.content.markup import AutoLinker, render_markdown
from kabul_brief.content.mdcache import CONVERTER_MODULES
from tests.conftest import CliResult, mutate

SHARED = "[shared-name]"


# -- a name two actors share ---------------------------------------------------------


def test_an_alias_two_actors_share_is_a_warning_naming_both_actor_files(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    mutate(good_site, "content/actors/pakistan.yaml", "kind: state\n",
           "kind: state\naliases: [India]\n")
    checked = run_cli("check")
    assert "Traceback" not in checked.err
    assert checked.code == 0, checked.err
    assert [line for line in checked.err.splitlines() if SHARED in line] == [
        "content/actors/india.yaml:1:1: warning: actor 'india' shares the name 'India'"
        " with 'pakistan', so it is never linked automatically [shared-name]",
        "content/actors/pakistan.yaml:1:1: warning: actor 'pakistan' shares the name"
        " 'India' with 'india', so it is never linked automatically [shared-name]",
    ]
    hints = [line.strip() for line in checked.err.splitlines() if "(actor:india)" in line]
    assert hints and "names of their own" in hints[0]
    strict = run_cli("check", "--strict")
    assert strict.code == 1, strict.err
    assert run_cli("build", "--out", str(tmp_path / "out"), "--quiet").code == 0
    page = BeautifulSoup((tmp_path / "out/articles/kabul-outreach/index.html").read_bytes(),
                         "html.parser")
    assert "India" not in [a.get_text() for a in page.select(".article-body a.autolink")]


def test_names_no_two_actors_share_give_no_warning(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    checked = run_cli("check", "--strict")
    assert checked.code == 0, checked.err
    assert SHARED not in checked.err


# -- the article body as blocks ------------------------------------------------------


def _blocks(out: Path) -> list[Tag]:
    page = BeautifulSoup((out / "articles/kabul-outreach/index.html").read_bytes(),
                         "html.parser")
    body = page.select_one(".article-body")
    assert body is not None
    return body.find_all(True, recursive=False)


def test_an_article_page_shows_each_paragraph_in_a_block_of_its_own(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    mutate(good_site, "content/articles/analysis/kabul-outreach.md",
           "- a list item is not a paragraph\n",
           "- a list item is not a paragraph\n\n## A heading\n\n> a quote\n")
    assert run_cli("build", "--out", str(tmp_path / "out"), "--quiet").code == 0
    pieces = _blocks(tmp_path / "out")
    # a cited paragraph stands in a block with its note; the rest stand as they are
    shapes = [[child.name for child in piece.find_all(recursive=False) if child.name != "details"]
              if "block" in (piece.get("class") or []) else piece.name for piece in pieces]
    assert shapes == ["p", ["p"], "ul", "h2", "blockquote", ["p"], ["p"]]
    paragraphs = [piece if piece.name == "p" else piece.find("p", recursive=False)
                  for piece in pieces]
    assert [p["id"] for p in paragraphs if p is not None and p.has_attr("id")] == [
        "p1", "p2", "p3", "p4"]
    cited = {piece.p["id"]: piece.select_one("details.cites")["id"]
             for piece in pieces if piece.select_one("details.cites") is not None}
    assert cited == {"p2": "cites_p2", "p3": "cites_p3", "p4": "cites_p4"}
    articles = json.loads((tmp_path / "out/data/articles.json").read_bytes())
    [article] = articles["items"]
    assert "blocks" not in article
    assert [(p["number"], p["name"]) for p in article["paragraphs"]] == [
        (1, None), (2, None), (3, None), (4, "assurance")]


BODY_TEXT = st.lists(
    st.sampled_from([
        "India met Pakistan.", "## Heading", "- item\n- item", "> quote",
        "<div>raw</div>", "Text {#named}", "Text {#named}", "    code", "| a |\n|---|\n| b |",
        "<img src=x>", "Muttaqi *spoke* [here](actor:india).", "", "\\{#not}",
    ]),
    max_size=8,
).map("\n\n".join)


@settings(max_examples=150, deadline=None)
@given(BODY_TEXT)
def test_the_blocks_of_a_body_are_its_html_and_its_paragraphs(text: str) -> None:
    linker = AutoLinker({"india": ["India"], "muttaqi": ["Muttaqi"]})
    rendered = render_markdown(text, paragraphs=True, autolinker=linker)
    assert "".join(block.html for block in rendered.blocks) == rendered.html
    numbered = [block for block in rendered.blocks if block.paragraph is not None]
    assert [b.paragraph for b in numbered] == list(rendered.paragraphs)
    for block in rendered.blocks:
        soup = BeautifulSoup(block.html, "html.parser")
        ids = [p["id"] for p in soup.find_all("p", recursive=False) if p.has_attr("id")]
        expected = [] if block.paragraph is None else [f"p{block.paragraph.number}"]
        assert ids == expected, (text, block)


def test_a_summary_has_no_blocks_and_no_numbered_paragraphs() -> None:
    rendered = render_markdown("One.\n\nTwo.\n")
    assert rendered.blocks == () and rendered.paragraphs == ()
    assert BeautifulSoup(rendered.html, "html.parser").select("p[id]") == []


# -- the steps -----------------------------------------------------------------------


def test_the_steps_run_in_their_order_and_are_emptied_after_each_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[str] = []
    for step_type in mdprocessors.STEPS:
        def traced(self: Any, root: Any, _original: Any = step_type.run) -> None:
            ran.append(self.NAME)
            _original(self, root)
        monkeypatch.setattr(step_type, "run", traced)
    render_markdown("India.", paragraphs=True, autolinker=AutoLinker({"india": ["India"]}))
    assert ran == [step.NAME for step in mdprocessors.STEPS]
    ran.clear()
    render_markdown("A *summary*.")  # Markdown to convert: a plain sentence skips the steps
    assert ran == [mdprocessors.HeadingDemoter.NAME, mdprocessors.LinkChecker.NAME,
                   mdprocessors.BlockMarker.NAME]
    engine = markup._engine()
    assert engine.slots.filled() == []  # nothing of the last text is kept
    names = [step.NAME for step in mdprocessors.STEPS]
    index = engine.md.treeprocessors.get_index_for_name
    # after prettify, before unescape; smarty's quotes are set before actors are linked
    actors = names.index(mdprocessors.ActorLinker.NAME)
    order = [index(name) for name in (
        "inline", "prettify", *names[:actors], "smarty", *names[actors:], "unescape")]
    assert order == list(range(len(engine.md.treeprocessors)))


def test_the_markdown_cache_digests_every_module_the_converter_imports() -> None:
    """Editing the steps (or the id pattern they check) must not serve stale results."""
    ours = {markup.__name__}
    for module in (markup, mdprocessors):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "kabul_brief"):
                ours.add(_module_of(str(node.module), [a.name for a in node.names]))
    digested = {module.__name__ for module in CONVERTER_MODULES}
    assert ours <= digested
    assert mdprocessors.__name__ in digested


def _module_of(module: str, names: list[str]) -> str:
    """The module an import takes its names from (a package's submodules themselves)."""
    try:
        return importlib.import_module(f"{module}.{names[0]}").__name__
    except ImportError:
        return module
