"""Languages in the model (CONTENT_MODEL.md, "Languages"): ``site.yaml``'s
``languages:``, texts given as mappings of language codes, article and page
translations as ``STEM.CODE.md``, and the errors a mistake there gets, each with
its file, line, column and hint, in ``check`` and ``build`` alike.

The fixture ``tests/fixtures/languages/`` is the good model fixture with three further
languages declared, translated names, aliases, summaries and site title, and Dari
and Urdu translations of its article and page.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, CliResult, builds, checked_site, mutate, refused
from tests.test_schema import Yaml12Loader

LANGUAGES_SITE = FIXTURES / "languages"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    shutil.copytree(LANGUAGES_SITE, root)
    monkeypatch.chdir(root)
    return root


def test_the_site_declares_its_languages_with_their_directions() -> None:
    settings_ = checked_site(LANGUAGES_SITE / "content").settings
    assert [(lang.code, lang.name, lang.direction, lang.main)
            for lang in settings_.languages] == [
        ("en", "English", "ltr", True), ("fa-AF", "دری", "rtl", False),
        ("ps", "پښتو", "rtl", False), ("ur", "اردو", "rtl", False)]
    assert settings_.title == "Fixture Brief"
    assert dict(settings_.translations[("title",)]) == {
        "fa-AF": "خلاصهٔ آزمایشی", "ur": "آزمائشی بریف"}


def test_a_direction_given_wins_over_the_languages_own(site: Path) -> None:
    mutate(site, "content/site.yaml", "{code: ps, name: پښتو}",
           "{code: ps, name: پښتو, direction: ltr}")
    languages = checked_site(site / "content").settings.languages
    assert [lang.direction for lang in languages] == ["ltr", "rtl", "ltr", "rtl"]


def test_translated_texts_keep_the_main_language_as_the_field() -> None:
    site = checked_site(LANGUAGES_SITE / "content")
    taliban = site.actors["taliban"]
    assert taliban.name == "Taliban government"
    assert taliban.aliases == ("Taliban", "Islamic Emirate")
    assert dict(taliban.translations[("name",)]) == {
        "fa-AF": "حکومت طالبان", "ps": "د طالبانو حکومت", "ur": "طالبان حکومت"}
    assert dict(taliban.translations[("aliases",)]) == {
        "fa-AF": ("طالبان", "امارت اسلامی"), "ur": ("طالبان",)}
    summary = taliban.translations[("summary",)]["fa-AF"]
    assert not isinstance(summary, (str, tuple))
    assert '<a href="place:afghanistan">افغانستان</a>' in summary.html  # rendered, linked
    assert site.places["kabul"].translations[("name",)]["ps"] == "کابل"
    assert site.actors["india"].translations == {}


def test_article_and_page_translations_are_found_beside_their_originals() -> None:
    site = checked_site(LANGUAGES_SITE / "content")
    article = site.articles["kabul-outreach"]
    assert sorted(article.translated) == ["fa-AF", "ur"]
    dari, urdu = article.translated["fa-AF"], article.translated["ur"]
    assert dari.title == "گشایش هند به سوی کابل" and dari.translator == "Desk"
    assert dari.reviewed is False and urdu.reviewed is True  # false unless said
    assert dict(dari.anchors) == {"p1": 1, "p2": 2, "p3": 3, "assurance": 3}
    assert dict(urdu.anchors) == {"p1": 1}
    assert 'href="place:kabul"' in dari.body.html
    assert dari.origin.path == "articles/analysis/kabul-outreach.fa-AF.md"
    assert list(site.articles) == ["kabul-outreach"]  # a translation is no article
    assert site.pages["about"].translated["fa-AF"].title == "دربارهٔ این سایت آزمایشی"


def test_a_site_in_several_languages_builds(site: Path,
                                            run_cli: Callable[..., CliResult]) -> None:
    out = builds(run_cli)
    data = json.loads((out / "data" / "actors.json").read_text("utf-8"))
    taliban = next(item for item in data["items"] if item["id"] == "taliban")
    assert taliban["name"] == "Taliban government"
    assert taliban["translations"]["name"]["fa-AF"] == "حکومت طالبان"
    assert taliban["translations"]["aliases"]["ur"] == ["طالبان"]
    assert taliban["translations"]["summary"]["fa-AF"]["markdown"].startswith("جنبشی")
    india = next(item for item in data["items"] if item["id"] == "india")
    assert "translations" not in india  # written only when there are some
    articles = json.loads((out / "data" / "articles.json").read_text("utf-8"))
    dari = articles["items"][0]["translated"]["fa-AF"]
    assert dari["reviewed"] is False and dari["anchors"]["assurance"] == 3
    for name in ("actors", "articles", "site", "places"):
        schema = json.loads((out / "data" / "schema" / f"{name}.schema.json").read_text())
        document = json.loads((out / "data" / f"{name}.json").read_text("utf-8"))
        jsonschema.Draft202012Validator(schema).validate(document)


# -- errors -----------------------------------------------------------------------


def test_an_undeclared_language_code_is_an_error_at_its_key(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/actors/taliban.yaml", "  ps: د طالبانو", "  pt: د طالبانو")
    result = refused(run_cli, "content/actors/taliban.yaml:5:3: error: 'pt' is not one of the"
                     " site's languages (en, fa-AF, ps, ur) [undeclared-language]")
    assert "Declare it in site.yaml under languages:" in result.err


def test_a_code_differing_only_in_case_is_the_declared_language(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/actors/taliban.yaml", "  fa-AF: حکومت", "  FA-af: حکومت")
    built = checked_site(site / "content")
    assert built.actors["taliban"].translations[("name",)]["fa-AF"] == "حکومت طالبان"


def test_the_main_language_missing_is_an_error_at_the_mapping(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/places/kabul.yaml", "{en: Kabul, ", "{")
    result = refused(run_cli, "content/places/kabul.yaml:2:7: error: name has no text in the"
                     " site's main language 'en' [missing-main-language]")
    assert "Add a line 'en: ...'" in result.err


def test_the_main_language_is_the_one_site_yaml_names(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    """With ``language: ur``, a plain text is Urdu and a mapping needs ``ur``."""
    mutate(site, "content/site.yaml", "language: en", "language: ur")
    mutate(site, "content/site.yaml", "  - {code: ur, name: اردو}", "  - {code: en, name: English}")
    refused(run_cli,
            "content/actors/taliban.yaml:13:3: error: summary has no text in the site's main"
            " language 'ur' [missing-main-language]",
            "content/articles/analysis/kabul-outreach.ur.md:1:1: error:"
            " 'kabul-outreach.ur.md' is named as a translation into 'ur', which is the site's"
            " main language [undeclared-language]",
            "content/events/kabul-meeting.yaml:8:33: error: role has no text in the site's main"
            " language 'ur' [missing-main-language]")


def test_two_texts_in_one_language_are_an_error(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/places/kabul.yaml", "ps: کابل,", "ps: کابل, PS: کابل,")
    refused(run_cli, "content/places/kabul.yaml:2:42: error: name has two texts in ps ('PS'"
            " here, 'ps' on line 2) [duplicate-language]")


def test_a_key_that_is_no_language_code_is_an_error(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/places/kabul.yaml", "ps: کابل,", "ps: کابل, 12: x,")
    refused(run_cli, "content/places/kabul.yaml:2:42: error: '12' is not a language code"
            " [language-code]")


def test_a_translation_into_an_undeclared_language_is_an_error(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    articles = site / "content/articles/analysis"
    (articles / "kabul-outreach.ur.md").rename(articles / "kabul-outreach.de.md")
    result = refused(
        run_cli, "content/articles/analysis/kabul-outreach.de.md:1:1: error:"
        " 'kabul-outreach.de.md' is named as a translation into 'de', which is not one of"
        " the site's languages (en, fa-AF, ps, ur) [undeclared-language]")
    assert "such as kabul-outreach.fa-AF.md" in result.err


def test_a_translation_into_the_main_language_is_an_error(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    articles = site / "content/articles/analysis"
    (articles / "kabul-outreach.ur.md").rename(articles / "kabul-outreach.EN.md")
    refused(run_cli, "content/articles/analysis/kabul-outreach.EN.md:1:1: error:"
            " 'kabul-outreach.EN.md' is named as a translation into 'EN', which is the"
            " site's main language [undeclared-language]")


def test_a_translation_without_its_original_is_an_error(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    pages = site / "content/pages"
    (pages / "about.fa-AF.md").rename(pages / "abot.fa-AF.md")
    result = refused(run_cli, "content/pages/abot.fa-AF.md:1:1: error: 'abot.fa-AF.md' is a"
                     " translation of 'abot.md', which does not exist; did you mean"
                     " about.fa-AF.md? [no-original]")
    assert "STEM.md is translated into fa-AF as STEM.fa-AF.md" in result.err


def test_two_translations_into_one_language_are_an_error(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    articles = site / "content/articles/analysis"
    shutil.copy(articles / "kabul-outreach.ur.md", articles / "kabul-outreach.UR.md")
    result = run_cli("check")
    assert result.code == 1
    assert len(result.error_lines) == 1
    assert result.error_lines[0].endswith("[duplicate-translation]")
    assert "'kabul-outreach.md' has two translations into ur" in result.error_lines[0]


def test_a_translation_gives_only_its_own_fields(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/articles/analysis/kabul-outreach.ur.md", "reviewed: true",
           "reviewed: true\ndate: 2025-05-03")
    result = refused(run_cli, "content/articles/analysis/kabul-outreach.ur.md:4:1: error:"
                     " unknown field 'date' in translation; did you mean 'draft'? [unknown-field]")
    assert "Known fields: title, summary, translator, reviewed, draft." in result.err


def test_a_translation_needs_a_title(site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/articles/analysis/kabul-outreach.ur.md",
           "title: بھارت کی کابل تک رسائی\n", "")
    refused(run_cli, "content/articles/analysis/kabul-outreach.ur.md:2:1: error: translation"
            " is missing required field 'title' [missing-field]")


def test_a_translated_text_links_only_to_records_that_exist(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/actors/taliban.yaml", "(place:afghanistan)", "(place:afganistan)")
    result = refused(run_cli, "content/actors/taliban.yaml:14:46: error: unknown place"
                     " 'afganistan' [unknown-reference]")  # at the link's target
    assert result.code == 1
    mutate(site, "content/actors/taliban.yaml", "(place:afganistan)", "(place:afghanistan)")
    mutate(site, "content/articles/analysis/kabul-outreach.fa-AF.md", "(place:kabul)",
           "(place:kabool)")
    result = run_cli("check")
    assert len(result.error_lines) == 1 and result.error_lines[0].startswith(
        "content/articles/analysis/kabul-outreach.fa-AF.md:8:")
    assert result.error_lines[0].endswith("unknown place 'kabool' [unknown-reference]")


def test_a_language_listed_twice_or_beside_language_is_an_error(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    mutate(site, "content/site.yaml", "  - {code: ur, name: اردو}\n",
           "  - {code: ur, name: اردو}\n  - {code: EN, name: English}\n  - {code: UR, name: U}\n")
    refused(run_cli,
            "content/site.yaml:13:12: error: 'EN' is the site's main language already"
            " [duplicate-language]",
            "content/site.yaml:14:12: error: 'UR' is listed twice (language tags ignore case)"
            " [duplicate-language]")


def test_removing_a_language_makes_its_texts_errors_even_from_the_cache(
        site: Path, run_cli: Callable[..., CliResult]) -> None:
    """The load cache keeps what each file gave; what a file gives depends on the
    languages declared, so a cached file is read again when they change."""
    build = ("build", "--out", "_site", "--quiet", "--jobs", "1")
    assert run_cli(*build).code == 0  # a build that passes keeps its cache
    mutate(site, "content/site.yaml", "  - {code: ps, name: پښتو}\n", "")
    result = run_cli(*build)
    assert result.code == 1
    assert ("content/actors/taliban.yaml:5:3: error: 'ps' is not one of the site's languages"
            " (en, fa-AF, ur) [undeclared-language]") in result.error_lines
    mutate(site, "content/site.yaml", "  - {code: ur, name: اردو}\n",
           "  - {code: ur, name: اردو}\n  - {code: ps, name: پښتو}\n")
    assert run_cli(*build).code == 0


# -- the editor's schema -------------------------------------------------------------


@pytest.fixture
def schemas(tmp_path: Path, run_cli: Callable[..., CliResult]) -> dict[str, Any]:
    assert run_cli("schema", "--out", str(tmp_path / "schema")).code == 0
    return {path.name.removesuffix(".schema.json"): json.loads(path.read_text("utf-8"))
            for path in (tmp_path / "schema").iterdir()}


def test_the_schemas_accept_the_translated_records(schemas: dict[str, Any]) -> None:
    content = LANGUAGES_SITE / "content"
    documents = [("site", content / "site.yaml"), ("actor", content / "actors/taliban.yaml"),
                 ("place", content / "places/kabul.yaml")]
    for kind, path in documents:
        document = yaml.load(path.read_text("utf-8"), Loader=Yaml12Loader)
        jsonschema.Draft202012Validator(schemas[kind]).validate(document)


def test_the_schemas_refuse_a_key_that_is_no_language_tag(schemas: dict[str, Any]) -> None:
    actor = {"id": "x", "kind": "state", "name": {"en": "X", "not a tag": "Y"}}
    assert not jsonschema.Draft202012Validator(schemas["actor"]).is_valid(actor)
    actor["name"] = {"en": "X", "fa-AF": "ایکس"}
    assert jsonschema.Draft202012Validator(schemas["actor"]).is_valid(actor)


# -- generated codes -------------------------------------------------------------------

DECLARED = ("en", "fa-AF", "ps", "ur")
CODES = st.sampled_from(["en", "EN", "fa-AF", "fa-af", "ps", "ur", "de", "fa", "ar", "ur-PK"])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codes=st.lists(CODES, min_size=1, max_size=4, unique=True))
def test_a_mapping_is_accepted_exactly_when_its_codes_are_declared_and_the_main_is_there(
        site: Path, run_cli: Callable[..., CliResult], codes: list[str]) -> None:
    """check and build agree, and accept the name mapping exactly when every code is
    one declared language (case aside), no language twice, and ``en`` among them."""
    path = site / "content/places/kabul.yaml"
    original = path.read_text("utf-8")
    mapping = ", ".join(f"{code}: name {i}" for i, code in enumerate(codes))
    path.write_text(original.replace("name: {en: Kabul, fa-AF: کابل, ps: کابل, ur: کابل}",
                                     f"name: {{{mapping}}}"), "utf-8")
    try:
        folded = [code.casefold() for code in codes]
        expected = (all(code in {d.casefold() for d in DECLARED} for code in folded)
                    and len(set(folded)) == len(folded) and "en" in folded)
        checked = run_cli("check")
        built = run_cli("build", "--out", "_site", "--quiet", "--jobs", "1")
        assert (checked.code == 0) == expected, (codes, checked.err)
        assert built.code == checked.code, (codes, built.err)
        assert checked.error_lines == built.error_lines
    finally:
        path.write_text(original, "utf-8")
        shutil.rmtree(site / "_site", ignore_errors=True)
