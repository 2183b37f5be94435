"""The editor's loop on the command line: new files, warnings, CI annotations."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kabul_brief.cli import ProgressBar
from kabul_brief.content.scaffold import NEW_KINDS, slugify
from tests.conftest import CliResult, mutate

FILLED = {
    # what an editor writes over each line that still holds FILL-IN, by field
    "date": "date: 2025-05-01",
    "kind": {"event": "kind: meeting", "actor": "kind: person", "place": "kind: city"},
    "sources": "sources: [{source: agency-report}]",
    "parties": "parties: [india, pakistan]",
    "FILL-IN": "What happened, in our own words.",  # an article's or a page's text
}


def filled_in(path: Path, kind: str) -> str:
    """The file as an editor leaves it once it is ready: every line holding FILL-IN
    rewritten, and the draft line gone."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split(":", 1)[0]
        if line.startswith("draft:"):
            continue
        if not line.startswith("#") and "FILL-IN" in line:
            value = FILLED[name]
            line = value[kind] if isinstance(value, dict) else value
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_new_writes_a_draft_that_passes_check_and_once_filled_in_is_published(
    good_site: Path, run_cli: Callable[..., CliResult], kind: str
) -> None:
    result = run_cli("new", kind, "Talks in Doha: Round Two")
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path.stem == "talks-in-doha-round-two"
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    assert "Talks in Doha: Round Two" in text
    checked = run_cli("check")  # a draft, stand-in values and all
    assert checked.code == 0, checked.err
    path.write_text(filled_in(path, kind), encoding="utf-8")
    assert "FILL-IN" not in "".join(
        line for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#"))
    checked = run_cli("check")
    assert checked.code == 0, checked.err
    built = run_cli("build", "--out", "_site", "--jobs", "1", "--quiet")
    assert built.code == 0, built.err
    folder = {"page": ""}.get(kind, f"{kind}s/").replace("ys/", "ies/")
    assert (Path("_site") / folder / "talks-in-doha-round-two" / "index.html").is_file()


def test_new_event_and_article_are_dated_today(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    import datetime as dt

    for kind in ("event", "article"):
        path = Path(run_cli("new", kind, "Something happened").out.strip())
        dates = re.findall(r"^date: (\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert dates == [dt.date.today().isoformat()]


@pytest.mark.parametrize(("kind", "line"), [
    ("place", "kind: "), ("event", "date: "), ("article", "FILL-IN: "), ("page", "FILL-IN: "),
    ("dispute", "parties: [amir-khan-muttaqi, india]  # FILL-IN"),
])
def test_a_new_file_published_with_its_stand_ins_is_refused_where_they_are(
    good_site: Path, run_cli: Callable[..., CliResult], kind: str, line: str
) -> None:
    path = Path(run_cli("new", kind, "Herat").out.strip())
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    number, written = next((n, t) for n, t in enumerate(text.splitlines(), start=1)
                           if t.startswith(line.split("#")[0]) and "FILL-IN" in t)
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        f"{path}:{number}:{written.index('FILL-IN') + 1}: error: this {kind} still holds"
        " FILL-IN, and is not a draft [unfilled]"]
    assert "or keep 'draft: true' until it is ready" in result.err


def test_new_never_overwrites_and_keeps_ids_unique(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    before = (good_site / "content/places/kabul.yaml").read_text(encoding="utf-8")
    result = run_cli("new", "place", "Kabul")
    assert result.code == 0
    assert result.out.strip() == "content/places/kabul-2.yaml"
    assert (good_site / "content/places/kabul.yaml").read_text(encoding="utf-8") == before


def test_ids_are_ascii_slugs_with_accents_transliterated() -> None:
    assert slugify("Herāt \u2013 Kandahār road") == "herat-kandahar-road"
    assert slugify("Čabahār & Gwādar") == "cabahar-gwadar"
    assert slugify("  India's  Kabul outreach!  ") == "india-s-kabul-outreach"


def test_new_refuses_a_title_without_letters(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("new", "actor", "—")
    assert result.code == 2
    assert result.err.startswith("kabul-brief new: error: no id can be made from '—'")
    assert "give one with --id" in result.err
    assert not list((good_site / "content/actors").glob("*—*"))


# -- warnings and --strict ---------------------------------------------------------

def test_warnings_are_printed_but_pass_unless_strict(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/events/kabul-meeting.yaml", "place: kabul\n", "")
    warning = ("content/events/kabul-meeting.yaml:1:1: warning: event 'kabul-meeting' has no"
               " place [event-without-place]")
    result = run_cli("check")
    assert result.code == 0
    assert warning in result.err.splitlines()
    strict = run_cli("check", "--strict")
    assert strict.code == 1
    assert warning.replace(": warning: ", ": error: ") in strict.err.splitlines()


def test_the_good_fixture_passes_strict_check(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    assert run_cli("check", "--strict").code == 0


def test_each_kind_of_warning(good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    (good_site / "content/actors/nobody.yaml").write_text(
        "id: nobody\nname: Nobody\nkind: person\n", encoding="utf-8")
    (good_site / "content/places/nowhere.yaml").write_text(
        "id: nowhere\nname: Nowhere\nkind: town\n", encoding="utf-8")
    (good_site / "content/sources/unread.yaml").write_text(
        "id: unread\ntitle: Unread report\n", encoding="utf-8")
    (good_site / "content/articles/lonely.md").write_text(
        "---\ntitle: Lonely\ndate: 2025\n---\nNo fact cites this.\n", encoding="utf-8")
    result = run_cli("check")
    assert result.code == 0
    assert [line for line in result.err.splitlines() if ": warning: " in line] == [
        "content/actors/nobody.yaml:1:1: warning: actor 'nobody' is not part of any event,"
        " dispute, relationship or article [unused-actor]",
        "content/articles/lonely.md:2:1: warning: no fact cites article 'lonely'"
        " [uncited-article]",
        "content/places/nowhere.yaml:1:1: warning: place 'nowhere' has no events and no page"
        " links to it [unused-place]",
        "content/sources/unread.yaml:1:1: warning: source 'unread' is not cited by any fact"
        " or article [unused-source]",
    ]


def test_shipped_content_passes_strict_check(run_cli: Callable[..., CliResult]) -> None:
    repo = Path(__file__).resolve().parents[1]
    result = run_cli("check", "--strict", "--content", str(repo / "content"))
    assert result.code == 0, result.err
    assert result.err == ""


# -- GitHub annotations -------------------------------------------------------------

ANNOTATION_RE = re.compile(
    r"^::(error|warning) file=(?P<file>[^,:]+),line=\d+(,col=\d+)?,title=[a-z-]+::(?P<msg>.+)$"
)


def test_github_format_prints_one_annotation_per_error(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/events/kabul-meeting.yaml", "place: kabul", "place: kabull")
    mutate(good_site, "content/places/kabul.yaml", "kind: city", "kind: metropolis")
    result = run_cli("check", "--format", "github")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines == [
        "::error file=content/events/kabul-meeting.yaml,line=6,col=8,title=unknown-reference"
        "::unknown place 'kabull'%0Adid you mean 'kabul'?",
        "::error file=content/places/kabul.yaml,line=3,col=7,title=choice"
        "::'metropolis' is not a known place kind%0AExpected one of: country, region, city,"
        " town, site, border.",
    ]
    for line in lines:
        match = ANNOTATION_RE.match(line)
        assert match is not None, line
        assert "\n" not in match["msg"] and "\r" not in match["msg"]


def test_github_format_escapes_what_the_syntax_reserves() -> None:
    from kabul_brief.errors import ContentError, Position

    error = ContentError(position=Position(path="a,b:c.yaml", line=1, column=2), code="x",
                         message="100% sure\nreally", hint=None)
    assert error.format_github() == "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=x::" \
        "100%25 sure%0Areally"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("terminal", "pages", "shown"),
                         [(True, 400, True), (False, 400, False), (True, 40, False)])
def test_a_progress_bar_shows_only_on_a_terminal_for_large_builds(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, pages: int, shown: bool
) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with ProgressBar(enabled=True) as bar:
        for done in range(1, pages + 1):
            bar.update(done, pages)
        if shown:
            assert f"/{pages} [" in stream.getvalue()
            assert "pages" in stream.getvalue()
    if not shown:
        assert stream.getvalue() == ""
