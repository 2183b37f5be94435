"""Cases an outside attack found in article dates and Markdown nesting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kabul_brief.content import markup
from kabul_brief.content.markup import MAX_NESTING
from tests.conftest import CliResult, mutate

Run = Callable[..., CliResult]
ARTICLE = "content/articles/analysis/kabul-outreach.md"


@pytest.mark.parametrize("updated", ["2025", "2025-05"])
def test_an_updated_coarser_than_the_date_is_refused(
    good_site: Path, run_cli: Run, updated: str
) -> None:
    """A feed reads ``updated: 2025`` as 1 January, before the article was published."""
    mutate(good_site, ARTICLE, "updated: 2025-05-04", f"updated: {updated}")
    for command in ("check", "build"):
        result = run_cli(command)
        assert result.code == 1
        assert "Traceback" not in result.err
        assert result.error_lines == [
            f"{ARTICLE}:4:10: error: updated {updated} may fall before date 2025-05-03"
            " [date-order]"
        ]


@pytest.mark.parametrize("updated", ["2025-05-03", "2025-06", "2026"])
def test_an_updated_that_cannot_precede_the_date_is_accepted(
    good_site: Path, run_cli: Run, updated: str
) -> None:
    mutate(good_site, ARTICLE, "updated: 2025-05-04", f"updated: {updated}")
    assert run_cli("check").code == 0


# -- Markdown nested too deeply ------------------------------------------------------


def _nested_list(levels: int) -> str:
    return "".join("    " * level + "- x\n" for level in range(levels))


@pytest.mark.parametrize("where", ["article", "summary"])
def test_one_text_nested_too_deeply_is_one_error_and_nothing_else(
    good_site: Path, run_cli: Run, where: str
) -> None:
    """The attack: a 300-level list made every other article lose its paragraphs, so
    each citation of them was a false error."""
    if where == "article":
        (good_site / "content/articles/deep.md").write_text(
            "---\ntitle: Deep\ndate: 2025-05-01\n---\n" + _nested_list(300), encoding="utf-8")
        expected = "content/articles/deep.md:5:1: error: the text is nested too deeply to" \
            " render [markdown]"
    else:
        (good_site / "content/actors/deep.yaml").write_text(
            "id: deep\nname: Deep\nkind: group\nsummary: |\n"
            + "".join("  " + line + "\n" for line in _nested_list(300).splitlines()),
            encoding="utf-8")
        expected = "content/actors/deep.yaml:5:3: error: the text is nested too deeply to" \
            " render [markdown]"
    for command in ("check", "build"):
        result = run_cli(command)
        assert result.code == 1 and "Traceback" not in result.err
        assert result.error_lines == [expected], result.err


def test_a_list_nested_as_deep_as_allowed_builds(good_site: Path, run_cli: Run) -> None:
    (good_site / "content/articles/deep.md").write_text(
        "---\ntitle: Deep\ndate: 2025-05-01\n---\n" + _nested_list(MAX_NESTING),
        encoding="utf-8")
    result = run_cli("check")
    assert result.code == 0, result.err


def test_a_conversion_that_fails_half_way_leaves_no_state_behind(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python-Markdown's reset() does not unwind its block parser: the next text must
    be read by a fresh engine, with its paragraphs."""
    markup._LOCAL.engine = None
    engine = markup._engine()
    original = engine.md.parser.parseChunk

    def fail_inside_a_list(parent: Any, text: str) -> None:
        engine.md.parser.state.set("list")
        raise RecursionError

    monkeypatch.setattr(engine.md.parser, "parseChunk", fail_inside_a_list)
    with pytest.raises(RecursionError):
        markup.render_markdown("- a\n", paragraphs=True)
    monkeypatch.setattr(engine.md.parser, "parseChunk", original)
    rendered = markup.render_markdown("One.\n\nTwo.\n", paragraphs=True)
    assert len(rendered.paragraphs) == 2


def test_a_list_one_level_deeper_than_allowed_is_refused_before_parsing(
    good_site: Path, run_cli: Run
) -> None:
    """Refused before Python-Markdown reads it, which takes quadratic time over depth."""
    (good_site / "content/articles/deep.md").write_text(
        "---\ntitle: Deep\ndate: 2025-05-01\n---\n" + _nested_list(MAX_NESTING + 2),
        encoding="utf-8")
    result = run_cli("check")
    assert result.error_lines == ["content/articles/deep.md:5:1: error: the text is nested"
                                  " too deeply to render [markdown]"]
    assert "    Nest lists and quotes at most 40 levels deep." in result.err.splitlines()


@pytest.mark.parametrize("event_id", ["search", "site-search", "search-fallback"])
def test_an_event_id_the_timeline_page_uses_itself_is_refused(
    good_site: Path, run_cli: Run, event_id: str
) -> None:
    """The timeline's entry for an event carries the event's id as its element id."""
    event = "content/events/kabul-meeting.yaml"
    text = (good_site / event).read_text(encoding="utf-8")
    (good_site / "content/events/clash.yaml").write_text(
        text.replace("id: kabul-meeting", f"id: {event_id}", 1), encoding="utf-8")
    for command in ("check", "build"):
        result = run_cli(command)
        assert result.code == 1 and "Traceback" not in result.err
        assert (f"content/events/clash.yaml:1:5: error: event id {event_id!r} is an element"
                " id the timeline page uses itself [reserved-id]") in result.error_lines
