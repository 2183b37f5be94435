"""``check --since REF``: a published fact changed since a git revision without a new
correction is a warning at the changed field (an error under ``--strict``), through the
real command line in a git repository of its own.

The site is the basic fixture, committed; each test edits the working tree (as an
editor's branch would) and compares it with the commit (as CI compares a pull request
with the published branch).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "site" / "basic" / "content"
GIT = ["git", "-c", "user.name=Desk", "-c", "user.email=desk@example.org",
       "-c", "commit.gpgsign=false"]
EVENTS = "content/events/events.yaml"
DISPUTE = "content/disputes/aid-dispute.yaml"
RELATIONSHIP = "content/relationships/india-taliban.yaml"


def kabul_brief(cwd: Path, *args: str, path: str | None = None) -> CliResult:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "TMPDIR": str(cwd.parent / "tmp")}
    if path is not None:
        env["PATH"] = path
    result = subprocess.run([sys.executable, "-m", "kabul_brief", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300, check=False, env=env)
    assert "Traceback" not in result.stderr + result.stdout
    return CliResult(result.returncode, result.stdout, result.stderr)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    """The basic site, committed, its published revision the branch ``published``."""
    folder = tmp_path / "site"
    (tmp_path / "tmp").mkdir()
    shutil.copytree(BASIC, folder / "content")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "content")
    git(folder, "commit", "-q", "-m", "publish")
    git(folder, "branch", "published")
    yield folder
    # Nothing of the comparison is left behind: no temporary copy, no cache file.
    assert list((tmp_path / "tmp").iterdir()) == []


def edit(site: Path, relative: str, old: str, new: str) -> None:
    file = site / relative
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, (relative, old)
    file.write_text(text.replace(old, new), encoding="utf-8")


def at(site: Path, relative: str, text: str, offset: int = 0, after: str = "") -> str:
    """``PATH:LINE:COL`` of the ``offset``-th character of ``text`` in the file (its
    first line holding it after the first line holding ``after``)."""
    lines = (site / relative).read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if after in line)
    for number, line in enumerate(lines[start:], start + 1):
        if text in line:
            return f"{relative}:{number}:{line.index(text) + offset + 1}"
    raise AssertionError(f"{text!r} not in {relative}")


def warnings(result: CliResult, code: str = "uncorrected-change") -> list[str]:
    return [line for line in result.err.splitlines() if line.endswith(f"[{code}]")]


def hint_after(result: CliResult, line: str) -> list[str]:
    lines = result.err.splitlines()
    start = lines.index(line) + 1
    hint = []
    for text in lines[start:]:
        if not text.startswith("    "):
            break
        hint.append(text.strip())
    return hint


TALKS_DATE = ("  date: 2025-04-27\n  end: 2025-04-28", "  date: 2025-04-26\n  end: 2025-04-28")
A_CORRECTION = ("  as_reported: in late April\n",
                "  as_reported: in late April\n  corrections:\n    - date: 2025-05-06\n"
                "      text: An earlier version dated the talks 27 April.\n")


def test_a_changed_date_without_a_correction_warns_at_the_date(site: Path) -> None:
    edit(site, EVENTS, *TALKS_DATE)
    ran = kabul_brief(site, "check", "--since", "published")
    assert ran.code == 0, ran.err
    line = (f"{at(site, EVENTS, 'date: 2025-04-26', 6)}: warning: event 'talks': the date"
            " changed since published without a new correction [uncorrected-change]")
    assert warnings(ran) == [line]
    commit = git(site, "rev-parse", "published").strip()[:12]
    hint = hint_after(ran, line)
    assert hint[0].startswith(f"It was 2025-04-27 at published ({commit}), now 2025-04-26.")
    assert "text: An earlier version gave the date as 2025-04-27." in hint
    assert f"since published ({commit}): published facts compared" in ran.out


def test_a_new_correction_on_the_record_silences_the_warning(site: Path) -> None:
    edit(site, EVENTS, *TALKS_DATE)
    edit(site, EVENTS, *A_CORRECTION)
    ran = kabul_brief(site, "check", "--since", "published", "--strict")
    assert warnings(ran) == []
    # The fixture's own warnings (an unused source, ...) still fail --strict; nothing else.
    assert "[uncorrected-change]" not in ran.err


def test_strict_makes_the_warning_an_error(site: Path) -> None:
    edit(site, EVENTS, *TALKS_DATE)
    ran = kabul_brief(site, "check", "--since", "published", "--strict")
    assert ran.code == 1
    assert (f"{at(site, EVENTS, 'date: 2025-04-26', 6)}: error: event 'talks': the date"
            " changed since published without a new correction [uncorrected-change]"
            in ran.err.splitlines())


def test_a_correction_already_published_does_not_cover_a_new_change(site: Path) -> None:
    edit(site, EVENTS, *A_CORRECTION)
    git(site, "commit", "-q", "-am", "a correction")
    git(site, "branch", "-f", "published")
    edit(site, EVENTS, *TALKS_DATE)
    assert len(warnings(kabul_brief(site, "check", "--since", "published"))) == 1
    edit(site, EVENTS, "      text: An earlier version dated the talks 27 April.\n",
         "      text: An earlier version dated the talks 27 April.\n"
         "    - date: 2025-05-07\n      text: And 26 April, again.\n")
    assert warnings(kabul_brief(site, "check", "--since", "published")) == []


def test_each_kind_of_published_fact_is_compared(site: Path) -> None:
    edit(site, EVENTS, "  place: kabul-airport\n", "  place: kabul\n")  # airlift
    edit(site, EVENTS, "  actors: [india]\n", "  actors: [india, taliban]\n")
    edit(site, EVENTS, "Afghan soil will not be used against others.",
         "Afghan soil will never be used against anyone.")
    edit(site, EVENTS, "  date: 2024\n  circa: true\n", "  date: 2024\n")
    edit(site, DISPUTE, "Aid must go through the UN.", "Aid must go through the Red Crescent.")
    edit(site, DISPUTE, "    direction: improved\n", "    direction: unchanged\n")
    edit(site, RELATIONSHIP, "  - date: 2021-08\n", "  - date: 2021-09\n")
    ran = kabul_brief(site, "check", "--since", "published")
    assert ran.code == 0, ran.err
    found = warnings(ran)
    expected = [
        f"{at(site, EVENTS, 'place: kabul', 7, 'id: airlift')}: warning: event 'airlift':"
        " the place",
        f"{at(site, EVENTS, 'actors: [india, taliban]', 8)}: warning: event 'airlift': the"
        " actors",
        f"{at(site, EVENTS, 'Afghan soil', 0)}: warning: event 'talks': the claim by taliban",
        f"{at(site, EVENTS, '- id: statement-2024', 2)}: warning: event 'statement-2024':"
        " circa changed",
        f"{at(site, DISPUTE, 'Aid must go through the Red', 0)}: warning: dispute"
        " 'aid-dispute': the position of india",
        f"{at(site, DISPUTE, 'direction: unchanged', 11)}: warning: dispute 'aid-dispute':"
        " the trend point of 2025-04",
        f"{at(site, RELATIONSHIP, 'date: 2021-09', 6)}: warning: relationship"
        " 'india-taliban': the trend point of 2021-08",
    ]
    assert len(found) == len(expected), ran.err
    def position(line: str) -> tuple[str, int, int]:
        path, number, column = line.split(":")[:3]
        return path, int(number), int(column or 0)

    for line, start in zip(found, sorted(expected, key=position), strict=True):
        assert line.startswith(start), (line, start)
    claim = next(line for line in found if "claim by taliban" in line)
    assert hint_after(ran, claim)[0].startswith(
        "It was 'Afghan soil will not be used against others.' at published")


SAME_MONTH = ("  - date: 2022\n",
              "  - date: 2025-04\n    direction: deteriorated\n    note: Border clash.\n"
              "    sources: [{source: wire-report}]\n  - date: 2022\n")


def test_directions_swapped_between_two_points_of_one_month_warn_at_both(
        site: Path) -> None:
    """Each point's note says what was seen: giving "Talks resume" the other point's
    direction reverses both points, though the month's directions are the same two."""
    edit(site, DISPUTE, *SAME_MONTH)
    git(site, "commit", "-qam", "two points in April")
    git(site, "branch", "-f", "published")
    edit(site, DISPUTE, "    direction: improved\n    note: Talks resume.",
         "    direction: deteriorated\n    note: Talks resume.")
    edit(site, DISPUTE, "    direction: deteriorated\n    note: Border clash.",
         "    direction: improved\n    note: Border clash.")
    ran = kabul_brief(site, "check", "--since", "published")
    assert warnings(ran) == [
        f"{at(site, DISPUTE, 'direction: deteriorated', 11)}: warning: dispute 'aid-dispute':"
        " the trend point of 2025-04 changed since published without a new correction"
        " [uncorrected-change]",
        f"{at(site, DISPUTE, 'direction: improved', 11)}: warning: dispute 'aid-dispute':"
        " the trend point of 2025-04 changed since published without a new correction"
        " [uncorrected-change]",
    ], ran.err


def test_a_reworded_note_or_reordered_points_change_no_fact(site: Path) -> None:
    edit(site, DISPUTE, *SAME_MONTH)
    git(site, "commit", "-qam", "two points in April")
    git(site, "branch", "-f", "published")
    edit(site, DISPUTE, "note: Talks resume.", "note: Talks resume in Doha.")
    text = (site / DISPUTE).read_text(encoding="utf-8")
    first, second, rest = text.split("  - date: ", 1)[1].split("  - date: ", 2)
    (site / DISPUTE).write_text(text.split("  - date: ", 1)[0] + "  - date: " + second
                                + "  - date: " + first + "  - date: " + rest,
                                encoding="utf-8")
    assert warnings(kabul_brief(site, "check", "--since", "published")) == []


def test_new_records_and_new_facts_need_no_correction(site: Path) -> None:
    edit(site, EVENTS, "- id: statement-2024\n",
         "- id: new-event\n  title: A new event\n  date: 2025-06-01\n  kind: meeting\n"
         "  place: kabul\n  sources: [wire-report]\n- id: statement-2024\n")
    edit(site, DISPUTE, "trend:\n", "trend:\n  - date: 2025-06\n    direction: improved\n"
         "    sources: [{source: wire-report}]\n")
    edit(site, EVENTS, "  title: Talks in Kabul\n", "  title: Talks in Kabul, day one\n")
    assert warnings(kabul_brief(site, "check", "--since", "published")) == []


def test_a_record_moved_to_another_file_is_the_same_record(site: Path) -> None:
    (site / "content/disputes/aid-dispute.yaml").rename(site / "content/disputes/aid.yaml")
    ran = kabul_brief(site, "check", "--since", "published")
    assert warnings(ran) == [] and warnings(ran, "removed-record") == []


def test_a_published_record_removed_or_made_a_draft_warns(site: Path) -> None:
    edit(site, "content/sources/sources.yaml",
         "- id: unused-source\n  title: A source nothing cites\n", "")
    edit(site, DISPUTE, "id: aid-dispute\n", "id: aid-dispute\ndraft: true\n")
    edit(site, EVENTS, "  disputes: [aid-dispute]\n", "")  # a draft may not be referred to
    article = "content/articles/outreach.md"
    edit(site, article, "disputes: [aid-dispute]\n", "")
    edit(site, article, " the [dispute](dispute:aid-dispute),", "")
    ran = kabul_brief(site, "check", "--since", "published")
    assert ran.code == 0, ran.err
    assert warnings(ran, "removed-record") == [
        f"{at(site, DISPUTE, 'draft: true', 7)}: warning: dispute 'aid-dispute' was"
        " published at published and is a draft now: its page is gone [removed-record]",
        "content/sources/sources.yaml: warning: source 'unused-source' was published at"
        " published and was removed: its page is gone [removed-record]",
    ]


def test_a_draft_at_the_revision_was_not_published(site: Path) -> None:
    edit(site, EVENTS, "- id: statement-2024\n", "- id: statement-2024\n  draft: true\n")
    git(site, "commit", "-q", "-am", "a draft")
    git(site, "branch", "-f", "published")
    edit(site, EVENTS, "  date: 2024\n", "  date: 2023\n")
    assert warnings(kabul_brief(site, "check", "--since", "published")) == []


def test_what_cannot_be_compared_is_one_usage_line(site: Path, tmp_path: Path) -> None:
    def refused(cwd: Path, *args: str, path: str | None = None) -> str:
        ran = kabul_brief(cwd, "check", *args, path=path)
        assert ran.code == 2, ran.err
        assert len(ran.err.splitlines()) == 1, ran.err
        return ran.err.strip()

    assert refused(site, "--since", "no-such-branch") == (
        "kabul-brief check: error: --since: 'no-such-branch' names no commit of this"
        " repository (a branch, tag or commit id, such as origin/main)")
    assert refused(site, "--since=--output=/tmp/x") == (
        "kabul-brief check: error: --since: '--output=/tmp/x' is not a git revision")
    assert refused(site, "--since", "HEAD; touch x").startswith(
        "kabul-brief check: error: --since: 'HEAD; touch x'")
    assert not (site / "x").exists()
    outside = tmp_path / "outside"
    shutil.copytree(BASIC, outside / "content")
    assert refused(outside, "--since", "HEAD") == (
        "kabul-brief check: error: --since: content is not in a git work tree, and --since"
        " compares with a git revision")
    no_git = tmp_path / "bin"
    no_git.mkdir()
    assert refused(site, "--since", "published", path=str(no_git)) == (
        "kabul-brief check: error: --since: git is not installed, and --since compares with"
        " a git revision")


def test_content_that_did_not_load_at_the_revision_is_a_usage_error(site: Path) -> None:
    edit(site, EVENTS, "  place: kabul-airport\n", "  place: kabul-airprot\n")
    git(site, "commit", "-q", "-am", "a typo")
    ran = kabul_brief(site, "check", "--since", "HEAD")
    assert ran.code == 2
    assert ran.err.strip().startswith(
        "kabul-brief check: error: --since: the content at HEAD does not load (1 error; the"
        f" first: HEAD:{at(site, EVENTS, 'kabul-airprot', 0)}: unknown place 'kabul-airprot')")


def test_content_new_since_the_revision_had_nothing_published(site: Path) -> None:
    git(site, "checkout", "-q", "--orphan", "empty")
    git(site, "rm", "-q", "-r", "--cached", "content")
    git(site, "commit", "-q", "--allow-empty", "-m", "nothing yet")
    ran = kabul_brief(site, "check", "--since", "empty")
    assert ran.code == 0, ran.err
    assert "since empty (" in ran.out and "content did not exist then" in ran.out
    assert warnings(ran) == [] and warnings(ran, "removed-record") == []


def test_github_annotations_name_the_file_and_line(site: Path) -> None:
    edit(site, EVENTS, *TALKS_DATE)
    ran = kabul_brief(site, "check", "--since", "published", "--format", "github")
    where = at(site, EVENTS, "date: 2025-04-26", 6).split(":")
    assert any(line.startswith(f"::warning file={where[0]},line={where[1]},col={where[2]},"
                               "title=uncorrected-change::event 'talks': the date changed")
               for line in ran.out.splitlines()), ran.out


def published_day(site: Path) -> str:
    """The committer day (UTC) of the published revision: a correction new since is
    dated that day or later."""
    return git(site, "log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%d",
               "published").strip()


def correction(day: str, text: str) -> tuple[str, str]:
    return ("  as_reported: in late April\n",
            f"  as_reported: in late April\n  corrections:\n    - date: {day}\n"
            f"      text: {text}\n")


@pytest.fixture
def corrected(site: Path) -> Path:
    """The basic site, published with a correction on the talks."""
    edit(site, EVENTS, *correction("2025-05-06", "An earlier version dated the talks 27 April."))
    git(site, "commit", "-q", "-am", "a correction")
    git(site, "branch", "-f", "published")
    return site


def test_a_reworded_or_redated_correction_is_no_new_correction(corrected: Path) -> None:
    """Rewording the correction already published does not cover a new change: the
    change warns, and so does the rewritten public record."""
    edit(corrected, EVENTS, *TALKS_DATE)
    edit(corrected, EVENTS, "      text: An earlier version dated the talks 27 April.\n",
         "      text: An earlier version dated the talks 26 April.\n")
    ran = kabul_brief(corrected, "check", "--since", "published")
    assert len(warnings(ran)) == 1, ran.err
    assert warnings(ran, "correction-changed") == [
        f"{at(corrected, EVENTS, '- date: 2025-05-06', 2)}: warning: event 'talks': a"
        " correction published at published was changed [correction-changed]"]
    edit(corrected, EVENTS, "      text: An earlier version dated the talks 26 April.\n",
         "      text: An earlier version dated the talks 27 April.\n")
    edit(corrected, EVENTS, "    - date: 2025-05-06\n", "    - date: 2025-05-07\n")
    ran = kabul_brief(corrected, "check", "--since", "published")
    assert len(warnings(ran)) == 1, ran.err
    line = warnings(ran, "correction-changed")[0]
    assert hint_after(ran, line)[0].startswith(
        "It was 2025-05-06, 'An earlier version dated the talks 27 April.'; now 2025-05-07,")


def test_a_removed_correction_warns_on_every_kind(corrected: Path) -> None:
    edit(corrected, EVENTS, "  corrections:\n    - date: 2025-05-06\n"
         "      text: An earlier version dated the talks 27 April.\n", "")
    edit(corrected, DISPUTE, "id: aid-dispute\n", "id: aid-dispute\ncorrections:\n"
         "  - {date: 2025-05-06, text: An earlier version named no parties.}\n")
    git(corrected, "commit", "-q", "-am", "another correction")
    git(corrected, "branch", "-f", "published")
    edit(corrected, DISPUTE, "corrections:\n"
         "  - {date: 2025-05-06, text: An earlier version named no parties.}\n", "")
    ran = kabul_brief(corrected, "check", "--since", "published")
    assert ran.code == 0, ran.err
    assert warnings(ran, "correction-removed") == [
        f"{DISPUTE}:1:1: warning: dispute 'aid-dispute': a correction published at published"
        " was removed [correction-removed]"]
    line = warnings(ran, "correction-removed")[0]
    assert hint_after(ran, line)[0].startswith(
        "It read: 2025-05-06, 'An earlier version named no parties.'.")
    strict = kabul_brief(corrected, "check", "--since", "published", "--strict")
    assert strict.code == 1


def test_a_new_correction_is_dated_between_the_revision_and_today(site: Path) -> None:
    day = published_day(site)
    edit(site, EVENTS, *TALKS_DATE)
    edit(site, EVENTS, *correction("2000-01-01", "An earlier version dated the talks 27 April."))
    ran = kabul_brief(site, "check", "--since", "published")
    assert warnings(ran) == []  # it is a correction all the same, only misdated
    assert warnings(ran, "correction-backdated") == [
        f"{at(site, EVENTS, '2000-01-01', 0)}: warning: event 'talks': a correction new"
        f" since published is dated 2000-01-01, before that revision ({day})"
        " [correction-backdated]"]
    edit(site, EVENTS, "2000-01-01", "2999-01-01")
    ran = kabul_brief(site, "check", "--since", "published")
    assert warnings(ran, "correction-backdated") == []
    found = warnings(ran, "correction-future")
    assert len(found) == 1 and found[0].startswith(
        f"{at(site, EVENTS, '2999-01-01', 0)}: warning: event 'talks': a correction is"
        " dated 2999-01-01, after today ("), ran.err
    edit(site, EVENTS, "2999-01-01", day)
    ran = kabul_brief(site, "check", "--since", "published", "--strict")
    assert "[correction-" not in ran.err and "[uncorrected-change]" not in ran.err


def test_a_future_correction_on_a_record_new_since_warns_too(site: Path) -> None:
    edit(site, EVENTS, "- id: statement-2024\n",
         "- id: new-event\n  title: A new event\n  date: 2025-06-01\n  kind: meeting\n"
         "  place: kabul\n  sources: [wire-report]\n"
         "  corrections: [{date: 2999-01-01, text: Not yet.}]\n- id: statement-2024\n")
    ran = kabul_brief(site, "check", "--since", "published")
    assert [line.split(": warning: ")[1] for line in warnings(ran, "correction-future")] == [
        f"event 'new-event': a correction is dated 2999-01-01, after today"
        f" ({ran.err.split('after today (')[1].split(',')[0]}, UTC) [correction-future]"]


def test_names_roles_places_statuses_and_sources_are_compared(site: Path) -> None:
    actors = "content/actors/all.yaml"
    places = "content/places/places.yaml"
    sources = "content/sources/sources.yaml"
    edit(site, EVENTS, "  kind: meeting\n", "  kind: statement\n")
    edit(site, EVENTS, "{id: muttaqi, role: host}", "{id: muttaqi, role: guest}")
    edit(site, actors, "  name: Amir Khan Muttaqi\n", "  name: Amir Muttaqi\n")
    edit(site, actors, "from: 2021-09}", "from: 2021-10}")
    edit(site, places, "  name: Kabul airport\n", "  name: Hamid Karzai airport\n")
    edit(site, places, "[34.5553, 69.2075]", "[34.5553, 69.2]")
    edit(site, places, "  within: kabul\n", "  within: afghanistan\n")
    edit(site, DISPUTE, "parties: [india, taliban]\n", "parties: [india, taliban, un]\n"
         "status: resolved\n")
    edit(site, DISPUTE, "involves: [un]\n", "")
    edit(site, sources, "  date: 2025-05\n", "  date: 2025-06\n")
    edit(site, sources, "https://example.com/wire", "https://example.com/wire-2")
    ran = kabul_brief(site, "check", "--since", "published")
    assert ran.code == 0, ran.err
    said = sorted(line.split(": warning: ")[1].removesuffix(
        " changed since published without a new correction [uncorrected-change]")
        for line in warnings(ran))
    assert said == sorted([
        "event 'talks': the kind", "event 'talks': the actors",
        "actor 'muttaqi': the name", "actor 'muttaqi': the roles",
        "place 'kabul-airport': the name", "place 'kabul': the coordinates",
        "place 'kabul-airport': the place it is within",
        "dispute 'aid-dispute': the status", "dispute 'aid-dispute': the parties",
        "source 'wire-report': the date", "source 'wire-report': the address",
    ]), ran.err
    where = {line.split(": warning: ")[1].split(" changed")[0]: line.split(": warning")[0]
             for line in warnings(ran)}
    assert where["actor 'muttaqi': the name"] == at(site, actors, "name: Amir Muttaqi", 6)
    assert where["dispute 'aid-dispute': the status"] == at(site, DISPUTE, "status:", 8)
    roles = next(line for line in warnings(ran) if "the roles" in line)
    assert hint_after(ran, roles)[0].startswith(
        "It was Foreign Minister of taliban (2021-09 to none) at published")


def test_git_refusing_the_repository_is_one_clean_line(site: Path) -> None:
    if os.geteuid() != 0:  # the test suite runs as root in CI and on our machines
        pytest.fail("this test needs to give the repository to another user (run as root)")
    for path in [site, *site.rglob("*")]:
        os.lchown(path, 65534, 65534)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "GIT_CONFIG_GLOBAL": os.devnull,
           "TMPDIR": str(site.parent / "tmp")}
    ran = subprocess.run([sys.executable, "-m", "kabul_brief", "check", "--since", "HEAD"],
                         cwd=site, capture_output=True, text=True, check=False, env=env)
    assert ran.returncode == 2
    assert len(ran.stderr.splitlines()) == 1, ran.stderr
    assert "\t" not in ran.stderr and "\\t" not in ran.stderr
    assert ran.stderr.startswith("kabul-brief check: error: --since: git refuses to read the"
                                 " repository (detected dubious ownership"), ran.stderr
    assert "safe.directory" in ran.stderr
