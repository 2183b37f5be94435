"""Each content rule, shown by a one-token mutation of the good fixture.

Every case asserts the exact error line an editor sees (path, line, column,
message, code) and its hint, and that the mutation causes that error only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import CliResult, mutate

EVENT = "content/events/kabul-meeting.yaml"
EVENTS = "content/events/more.yaml"
PLACE = "content/places/kabul.yaml"
ARTICLE = "content/articles/analysis/kabul-outreach.md"
RELATIONSHIP = "content/relationships/india-taliban.yaml"
DISPUTE = "content/disputes/ttp-sanctuary.yaml"


class Case(NamedTuple):
    file: str
    old: str
    new: str
    error: str
    hint: str | None


def check_single_error(
    site: Path, run_cli: Callable[..., CliResult], case: Case
) -> None:
    mutate(site, case.file, case.old, case.new)
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [case.error]
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    after = lines[lines.index(case.error) + 1]
    if case.hint is None:
        assert not after.startswith("    ")
    else:
        assert after == "    " + case.hint


# -- rule 3: strict, safe YAML ------------------------------------------------

YAML_CASES = {
    "python-tag-is-refused-and-never-run": Case(
        PLACE, "name: Kabul", "name: !!python/object/apply:os.system [touch pwned]",
        f"{PLACE}:2:7: error: YAML tag !!python/object/apply:os.system is not allowed [yaml-tag]",
        "Content files hold plain text, numbers, lists and mappings: remove the tag.",
    ),
    "custom-tag-is-refused": Case(
        PLACE, "name: Kabul", "name: !custom Kabul",
        f"{PLACE}:2:7: error: YAML tag !custom is not allowed [yaml-tag]",
        "Content files hold plain text, numbers, lists and mappings: remove the tag.",
    ),
    "duplicate-key-names-both-lines": Case(
        PLACE, "kind: city", "kind: city\nname: Kabul2",
        f"{PLACE}:4:1: error: key 'name' appears twice in this mapping"
        f" (also at {PLACE}:2) [duplicate-key]",
        "Keep one of them.",
    ),
    "plain-no-is-not-silently-false": Case(
        PLACE, "name: Kabul", "name: no",
        f"{PLACE}:2:7: error: expected name, found a boolean no [unquoted-value]",
        'YAML reads the plain value no as a boolean, not as text: quote it, "no".',
    ),
    "plain-012-is-not-silently-10": Case(
        PLACE, "name: Kabul", "name: 012",
        f"{PLACE}:2:7: error: expected name, found an integer 012 [unquoted-value]",
        'YAML reads the plain value 012 as an integer, not as text: quote it, "012".',
    ),
    "plain-on-in-a-list-of-text": Case(
        "content/actors/taliban.yaml", "[Taliban, Islamic Emirate]", "[Taliban, on]",
        "content/actors/taliban.yaml:4:20: error: expected alias, found a boolean on"
        " [unquoted-value]",
        'YAML reads the plain value on as a boolean, not as text: quote it, "on".',
    ),
    "syntax-error-with-position-and-hint": Case(
        "content/actors/india.yaml", "name: India", "name: India\n  bad: indent",
        "content/actors/india.yaml:3:6: error: YAML syntax error: mapping values are not"
        " allowed in this context [yaml-syntax]",
        'A text containing \': \' must be quoted, e.g. title: "Kabul: the talks".',
    ),
    "recursive-alias": Case(
        "content/actors/india.yaml", "name: India", "name: &a [*a]",
        "content/actors/india.yaml:2:7: error: an alias refers to the value that contains it"
        " [yaml-recursive-alias]",
        "Remove the alias (*name) that points back into its own anchor.",
    ),
    "merge-key-is-refused": Case(
        PLACE, "kind: city", "kind: city\n<<: {summary: x}",
        f"{PLACE}:4:1: error: merge keys (<<) are not supported [yaml-merge-key]",
        "Write the fields out in full.",
    ),
}


@pytest.mark.parametrize("case", YAML_CASES.values(), ids=YAML_CASES.keys())
def test_yaml_problem_is_reported_with_position_and_hint(
    good_site: Path, run_cli: Callable[..., CliResult], case: Case
) -> None:
    check_single_error(good_site, run_cli, case)
    assert not (good_site / "pwned").exists()


def test_alias_bomb_is_an_error_not_a_hang(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (good_site / "content/places/bomb.yaml").write_text(
        "\n".join(levels) + "\n", encoding="utf-8"
    )
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/places/bomb.yaml:1:1: error: aliases expand this document to more than"
        " 1000000 values [yaml-alias-bomb]"
    ]


def test_invalid_utf8_names_the_file_line_and_column(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    path = good_site / PLACE
    path.write_bytes(path.read_bytes().replace(b"Kabul\n", b"Kab\xffl\n", 1))
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        f"{PLACE}:2:10: error: the file is not valid UTF-8 (byte 0xff) [encoding]"
    ]
    assert "    Save the file as UTF-8." in result.err.splitlines()


# -- rule 4: every field validated ---------------------------------------------

FIELD_CASES = {
    "unknown-field-did-you-mean": Case(
        EVENT, "summary: Talks", "sumary: Talks",
        f"{EVENT}:11:1: error: unknown field 'sumary' in event; did you mean 'summary'?"
        " [unknown-field]",
        "Known fields: id, title, date, end, circa, as_reported, kind, place, actors,"
        " disputes, relationships, summary, claims, sources, corrections, draft.",
    ),
    "misspelt-required-field-is-one-error": Case(
        EVENT, "title: Indian", "titel: Indian",
        f"{EVENT}:2:1: error: unknown field 'titel' in event; did you mean 'title'?"
        " [unknown-field]",
        "Known fields: id, title, date, end, circa, as_reported, kind, place, actors,"
        " disputes, relationships, summary, claims, sources, corrections, draft.",
    ),
    "missing-required-field": Case(
        "content/actors/pakistan.yaml", "kind: state", "",
        "content/actors/pakistan.yaml:1:1: error: actor is missing required field 'kind'"
        " [missing-field]",
        "Add a line such as: kind: person",
    ),
    "closed-vocabulary-kind": Case(
        EVENT, "kind: meeting", "kind: meting",
        f"{EVENT}:5:7: error: 'meting' is not a known event kind; did you mean 'meeting'?"
        " [choice]",
        "Expected one of: attack, meeting, visit, statement, policy, military, agreement,"
        " displacement, other.",
    ),
    "closed-vocabulary-direction": Case(
        DISPUTE, "direction: deteriorated", "direction: worse",
        f"{DISPUTE}:14:16: error: 'worse' is not a known direction [choice]",
        "Expected one of: improved, deteriorated, unchanged.",
    ),
    "closed-vocabulary-status": Case(
        DISPUTE, "status: active", "status: open",
        f"{DISPUTE}:5:9: error: 'open' is not a known dispute status [choice]",
        "Expected one of: active, dormant, resolved.",
    ),
    "id-uppercase": Case(
        EVENT, "id: kabul-meeting", "id: Kabul-Meeting",
        f"{EVENT}:1:5: error: 'Kabul-Meeting' is not a valid id [pattern]",
        "Ids use lowercase ASCII letters, digits and single hyphens (e.g. amir-khan-muttaqi),"
        " at most 64 characters.",
    ),
    "id-path-traversal": Case(
        EVENT, "id: kabul-meeting", "id: ../kabul",
        f"{EVENT}:1:5: error: '../kabul' is not a valid id [pattern]",
        "Ids use lowercase ASCII letters, digits and single hyphens (e.g. amir-khan-muttaqi),"
        " at most 64 characters.",
    ),
    "id-slash": Case(
        EVENT, "id: kabul-meeting", "id: kabul/meeting",
        f"{EVENT}:1:5: error: 'kabul/meeting' is not a valid id [pattern]",
        "Ids use lowercase ASCII letters, digits and single hyphens (e.g. amir-khan-muttaqi),"
        " at most 64 characters.",
    ),
    "id-double-hyphen": Case(
        EVENT, "id: kabul-meeting", "id: kabul--meeting",
        f"{EVENT}:1:5: error: 'kabul--meeting' is not a valid id [pattern]",
        "Ids use lowercase ASCII letters, digits and single hyphens (e.g. amir-khan-muttaqi),"
        " at most 64 characters.",
    ),
    "id-too-long": Case(
        EVENT, "id: kabul-meeting", "id: " + "a" * 65,
        f"{EVENT}:1:5: error: '{'a' * 65}' is 65 characters long; at most 64 allowed"
        " [too-long]",
        None,
    ),
    "date-not-iso": Case(
        EVENT, "date: 2025-04-28", "date: 28/04/2025",
        f"{EVENT}:3:7: error: '28/04/2025' is not a date in ISO form: write YYYY, YYYY-MM or"
        " YYYY-MM-DD [date]",
        "Give only the precision the sources give: 2025, 2025-04 or 2025-04-22; put the"
        " source's own wording in as_reported.",
    ),
    "date-unpadded": Case(
        EVENT, "date: 2025-04-28", "date: 2025-4-28",
        f"{EVENT}:3:7: error: '2025-4-28' is not a date in ISO form: write YYYY, YYYY-MM or"
        " YYYY-MM-DD [date]",
        "Give only the precision the sources give: 2025, 2025-04 or 2025-04-22; put the"
        " source's own wording in as_reported.",
    ),
    "date-words": Case(
        EVENT, "date: 2025-04-28", "date: yesterday",
        f"{EVENT}:3:7: error: 'yesterday' is not a date in ISO form: write YYYY, YYYY-MM or"
        " YYYY-MM-DD [date]",
        "Give only the precision the sources give: 2025, 2025-04 or 2025-04-22; put the"
        " source's own wording in as_reported.",
    ),
    "date-impossible-day": Case(
        EVENT, "date: 2025-04-28", "date: 2025-02-30",
        f"{EVENT}:3:7: error: '2025-02-30' has day 30, but February 2025 has 28 days [date]",
        "Give only the precision the sources give: 2025, 2025-04 or 2025-04-22; put the"
        " source's own wording in as_reported.",
    ),
    "range-end-before-start": Case(
        EVENTS, "  end: 2025\n", "  end: 2024\n",
        f"{EVENTS}:15:8: error: end 2024 is before date 2025 [date-order]",
        "end must not precede date.",
    ),
    "circa-must-be-true-or-false": Case(
        EVENTS, "circa: true", "circa: yes",
        f"{EVENTS}:16:10: error: expected true or false, found 'yes' [type]",
        "Write true or false.",
    ),
    "article-updated-before-date": Case(
        ARTICLE, "date: 2025-05-03", "date: 2025-05-05",
        f"{ARTICLE}:4:10: error: updated 2025-05-04 is before date 2025-05-05 [date-order]",
        "updated must not precede date.",
    ),
    "latitude-out-of-range": Case(
        PLACE, "[34.555, 69.207]", "[94.555, 69.207]",
        f"{PLACE}:5:15: error: latitude must be between -90 and 90, found 94.555 [range]",
        "coordinates are [lat, lon]: latitude first.",
    ),
    "longitude-out-of-range": Case(
        PLACE, "[34.555, 69.207]", "[34.555, 190.1]",
        f"{PLACE}:5:23: error: longitude must be between -180 and 180, found 190.1 [range]",
        None,
    ),
    "javascript-url-refused": Case(
        EVENTS, "url: https://example.org/takeover", "url: javascript:alert(1)",
        f"{EVENTS}:8:12: error: 'javascript:alert(1)' is not an http or https URL [url]",
        "Only absolute http:// and https:// URLs are accepted here.",
    ),
    "ftp-url-refused": Case(
        EVENTS, "url: https://example.org/takeover", "url: ftp://example.org/x",
        f"{EVENTS}:8:12: error: 'ftp://example.org/x' is not an http or https URL [url]",
        "Only absolute http:// and https:// URLs are accepted here.",
    ),
    "empty-name": Case(
        PLACE, "name: Kabul", "name: '  '",
        f"{PLACE}:2:7: error: name may not be empty [empty]",
        None,
    ),
    "relationship-parties-distinct": Case(
        RELATIONSHIP, "parties: [india, taliban]", "parties: [india, india]",
        f"{RELATIONSHIP}:2:18: error: 'india' is listed twice [duplicate-item]",
        None,
    ),
    "relationship-needs-two-parties": Case(
        RELATIONSHIP, "parties: [india, taliban]", "parties: [india]",
        f"{RELATIONSHIP}:2:10: error: expected exactly 2 distinct actors, found 1 [count]",
        None,
    ),
    "sources-not-empty": Case(
        EVENT,
        "sources:\n  - {article: kabul-outreach, anchor: p2}\n"
        "  - {source: agency-report, locator: para 3}\n",
        "sources: []\n",
        f"{EVENT}:16:10: error: expected at least 1 citation, found 0 [count]",
        None,
    ),
    "citation-with-two-targets": Case(
        EVENT, "  - {source: agency-report, locator: para 3}",
        "  - {source: agency-report, article: kabul-outreach}",
        f"{EVENT}:18:5: error: citation needs exactly one of article, source, url;"
        " found article and source [citation-shape]",
        "Cite {article: ID, anchor: pN}, {source: ID} or {url: https://..., title: ...};"
        " a bare id is short for {source: ID}.",
    ),
    "citation-misspelt-key": Case(
        EVENT, "  - {source: agency-report, locator: para 3}", "  - {sorce: agency-report}",
        f"{EVENT}:18:6: error: unknown field 'sorce' in citation; did you mean 'source'?"
        " [unknown-field]",
        "Cite {article: ID, anchor: pN}, {source: ID} or {url: https://..., title: ...};"
        " a bare id is short for {source: ID}.",
    ),
    "wrong-type-list-for-text": Case(
        "content/actors/india.yaml", "kind: state", "kind:\n  - state",
        "content/actors/india.yaml:4:3: error: expected actor kind, found a list [type]",
        None,
    ),
    "site-base-url-must-be-absolute": Case(
        "content/site.yaml", "base_url: https://example.org/brief/", "base_url: example.org",
        "content/site.yaml:3:11: error: 'example.org' is not an http or https URL [url]",
        "Only absolute http:// and https:// URLs are accepted here.",
    ),
}


@pytest.mark.parametrize("case", FIELD_CASES.values(), ids=FIELD_CASES.keys())
def test_field_rule_is_reported_with_position_and_hint(
    good_site: Path, run_cli: Callable[..., CliResult], case: Case
) -> None:
    check_single_error(good_site, run_cli, case)


# -- rule 5: references ---------------------------------------------------------

LINK_CASES = {
    "unknown-place-did-you-mean": Case(
        EVENT, "place: kabul", "place: kabull",
        f"{EVENT}:6:8: error: unknown place 'kabull' [unknown-reference]",
        "did you mean 'kabul'?",
    ),
    "reference-to-the-wrong-kind": Case(
        EVENT, "place: kabul", "place: india-taliban",
        f"{EVENT}:6:8: error: unknown place 'india-taliban' [unknown-reference]",
        "'india-taliban' is a relationship, not a place.",
    ),
    "unknown-reference-without-close-match": Case(
        EVENT, "place: kabul", "place: herat",
        f"{EVENT}:6:8: error: unknown place 'herat' [unknown-reference]",
        "Add content/places/herat.yaml or correct the id.",
    ),
    "role-of-unknown-actor": Case(
        "content/actors/people.yaml", "      of: taliban", "      of: talibn",
        "content/actors/people.yaml:7:11: error: unknown actor 'talibn' [unknown-reference]",
        "did you mean 'taliban'?",
    ),
    "place-within-unknown-place": Case(
        PLACE, "within: afghanistan", "within: afganistan",
        f"{PLACE}:4:9: error: unknown place 'afganistan' [unknown-reference]",
        "did you mean 'afghanistan'?",
    ),
    "places-within-each-other": Case(
        "content/places/afghanistan.yaml", "kind: country", "kind: country\nwithin: kabul",
        "content/places/afghanistan.yaml:4:9: error: places are within each other in a"
        " circle: afghanistan -> kabul -> afghanistan [place-cycle]",
        "Remove one of these within: lines.",
    ),
    "citation-of-unknown-article": Case(
        EVENT, "article: kabul-outreach, anchor: p2", "article: kabul-outreech, anchor: p2",
        f"{EVENT}:17:15: error: unknown article 'kabul-outreech' [unknown-reference]",
        "did you mean 'kabul-outreach'?",
    ),
    "citation-of-missing-paragraph": Case(
        EVENT, "anchor: p2}", "anchor: p9}",
        f"{EVENT}:17:39: error: article 'kabul-outreach' has no paragraph 'p9'"
        " [unknown-anchor]",
        "Use p1 to p4 or one of its named anchors: assurance.",
    ),
    "citation-of-misspelt-named-anchor": Case(
        EVENT, "anchor: assurance}", "anchor: asurance}",
        f"{EVENT}:15:49: error: article 'kabul-outreach' has no paragraph 'asurance'"
        " [unknown-anchor]",
        "Use p1 to p4 or one of its named anchors: assurance.",
    ),
    "citation-of-unknown-source": Case(
        EVENT, "{source: agency-report, locator: para 3}", "{source: agency-reprot}",
        f"{EVENT}:18:14: error: unknown source 'agency-reprot' [unknown-reference]",
        "did you mean 'agency-report'?",
    ),
    "claim-by-unknown-actor": Case(
        EVENT, "  - by: taliban", "  - by: talban",
        f"{EVENT}:13:9: error: unknown actor 'talban' [unknown-reference]",
        "did you mean 'taliban'?",
    ),
    "event-tags-unknown-relationship": Case(
        EVENT, "relationships: [india-taliban]", "relationships: [india-talibn]",
        f"{EVENT}:10:17: error: unknown relationship 'india-talibn' [unknown-reference]",
        "did you mean 'india-taliban'?",
    ),
    "article-tags-unknown-dispute": Case(
        ARTICLE, "disputes: [ttp-sanctuary]", "disputes: [ttp]",
        f"{ARTICLE}:9:12: error: unknown dispute 'ttp' [unknown-reference]",
        "Add content/disputes/ttp.yaml or correct the id.",
    ),
    "markdown-record-link-to-unknown-record": Case(
        ARTICLE, "(dispute:ttp-sanctuary)", "(dispute:ttp-sanctuery)",
        f"{ARTICLE}:18:71: error: unknown dispute 'ttp-sanctuery' [unknown-reference]",
        "did you mean 'ttp-sanctuary'?",
    ),
    "markdown-link-with-typo-scheme": Case(
        ARTICLE, "(place:kabul)", "(plce:kabul)",
        f"{ARTICLE}:14:66: error: link target `plce:kabul` uses the scheme `plce:`, which is"
        " not allowed [link-scheme]",
        "did you mean `place:`?",
    ),
    "markdown-javascript-link": Case(
        ARTICLE, "(place:kabul)", "(javascript:alert(1))",
        f"{ARTICLE}:14:66: error: link target `javascript:alert(1)` uses the scheme"
        " `javascript:`, which is not allowed [link-scheme]",
        "a link may point to an http(s) or mailto URL, a relative path, a #fragment or a"
        " record, such as `actor:ID`",
    ),
    "markdown-link-in-yaml-text-field": Case(
        "content/actors/people.yaml", "[Taliban](actor:taliban)", "[Taliban](actor:talibn)",
        "content/actors/people.yaml:12:39: error: unknown actor 'talibn' [unknown-reference]",
        "did you mean 'taliban'?",
    ),
}


@pytest.mark.parametrize("case", LINK_CASES.values(), ids=LINK_CASES.keys())
def test_reference_problem_is_reported_with_position_and_hint(
    good_site: Path, run_cli: Callable[..., CliResult], case: Case
) -> None:
    check_single_error(good_site, run_cli, case)


def test_page_cannot_take_an_address_the_site_uses(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "content/pages/about.md").rename(good_site / "content/pages/timeline.md")
    result = run_cli("check")
    assert result.error_lines == [
        "content/pages/timeline.md:1:1: error: page id 'timeline' is reserved for the site's"
        " own pages [reserved-id]"
    ]
    assert "    Rename the file, or give another id in its front matter." in result.err


def test_duplicate_id_names_both_files(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "content/actors/copy.yaml").write_text(
        "id: pakistan\nname: Pakistan again\nkind: state\n", encoding="utf-8"
    )
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/actors/pakistan.yaml:1:5: error: actor id 'pakistan' is already used"
        " (also at content/actors/copy.yaml:1) [duplicate-id]"
    ]


def test_broken_record_is_reported_once_not_at_every_reference(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/sources/agency-report.yaml", "date: 2025-05", "date: May 2025")
    result = run_cli("check")
    assert [line.split(": error:")[0] for line in result.error_lines] == [
        "content/sources/agency-report.yaml:4:7"
    ]
