"""The interface's words and dates in the reader's language: the shipped gettext
catalogs, a site's own catalog over them, CLDR dates and the Solar Hijri calendar,
and the marks that say which passages are in which language."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import jdatetime
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from kabul_brief.content.dates import PartialDate
from kabul_brief.publish import datetext
from kabul_brief.publish.localize import MARK_FALLBACKS, Fallback, compose, resolve_marks
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "templates" / "locale"
SHIPPED = ("fa_AF", "ps", "ur")


def _catalog(code: str) -> object:
    with (LOCALE / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source)


def test_the_catalogs_hold_every_message_the_code_and_templates_mark() -> None:
    """``./scripts/catalogs --check``: the template of messages is the one the code
    and the templates give now (a message added without extracting fails here)."""
    result = subprocess.run([str(ROOT / "scripts" / "catalogs"), "--check"],
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "PYTHON": sys.executable})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("code", SHIPPED)
def test_every_message_has_a_translation_in_each_shipped_language(code: str) -> None:
    with (LOCALE / "messages.pot").open("rb") as source:
        wanted = {message.id for message in read_po(source) if message.id}
    catalog = _catalog(code)
    missing = []
    for message_id in wanted:
        message = catalog.get(message_id)  # type: ignore[attr-defined]
        strings = (message.string if isinstance(message.string, tuple) else (message.string,)
                   ) if message is not None else ("",)
        if message is None or not all(strings) or message.fuzzy:
            missing.append(message_id)
    assert not missing, f"{code} lacks {missing}"


@pytest.mark.parametrize("code", SHIPPED)
def test_the_compiled_catalog_is_the_source_compiled(code: str) -> None:
    folder = LOCALE / code / "LC_MESSAGES"
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    with (folder / "messages.mo").open("rb") as compiled:
        mo = {plain(message.id): plain(message.string) for message in read_mo(compiled)
              if message.id}
    po = {plain(message.id): plain(message.string)
          for message in _catalog(code)  # type: ignore[attr-defined]
          if message.id}
    assert mo == po


@pytest.mark.parametrize("code", SHIPPED)
def test_translations_keep_the_placeholders_of_their_message(code: str) -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for message in _catalog(code):  # type: ignore[attr-defined]
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(placeholder.findall(i) for i in ids)) - {"%(count)s"}
        for string in strings:
            assert wanted <= set(placeholder.findall(string)), (code, message.id, string)


def test_a_sites_own_catalog_replaces_the_themes_words_and_keeps_the_rest(
        tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "languages", site)
    own = site / "templates" / "locale" / "fa_AF" / "LC_MESSAGES"
    own.mkdir(parents=True)
    (own / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Search"\nmsgstr "کاوش"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "build", "--content", "content", "--out",
         "_site", "--quiet", "--jobs", "1"], cwd=site, capture_output=True, text=True,
        check=False)
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup((site / "_site" / "fa-af" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert page.find("label", attrs={"for": "site-search"}).get_text() == "کاوش"
    assert page.find("summary").get_text() == "فهرست"  # "Menu": still the theme's
    english = BeautifulSoup((site / "_site" / "index.html").read_text(encoding="utf-8"),
                            "html.parser")
    assert english.find("label", attrs={"for": "site-search"}).get_text() == "Search"


# -- dates -----------------------------------------------------------------------------


def _in(language: str, date: PartialDate) -> tuple[str, str | None]:
    with datetext.written_in(language):
        return datetext.text(date), datetext.solar_hijri(date)


def test_known_dates_in_the_solar_hijri_calendar() -> None:
    assert _in("fa-AF", PartialDate(year=2025, month=3, day=21))[1] == "۱ حمل ۱۴۰۴"
    # 1403 is a leap year: Hut has 30 days.
    assert _in("fa-AF", PartialDate(year=2025, month=3, day=20))[1] == "۳۰ حوت ۱۴۰۳"
    assert _in("ps", PartialDate(year=2025, month=3, day=21))[1] == "۱ وری ۱۴۰۴"
    assert _in("fa-AF", PartialDate(year=2021, month=8, day=15))[1] == "۲۴ اسد ۱۴۰۰"


def test_a_gregorian_month_spans_two_hijri_months_and_a_year_two_years() -> None:
    assert _in("fa-AF", PartialDate(year=2025, month=4))[1] == "حمل\N{EN DASH}ثور ۱۴۰۴"
    assert _in("ps", PartialDate(year=2025, month=4))[1] == "وری\N{EN DASH}غویی ۱۴۰۴"
    # March 2025 runs from Hut 1403 into Hamal 1404.
    assert _in("fa-AF", PartialDate(year=2025, month=3))[1] == "حوت ۱۴۰۳\N{EN DASH}حمل ۱۴۰۴"
    assert _in("fa-AF", PartialDate(year=2025))[1] == "۱۴۰۳\N{EN DASH}۱۴۰۴"


def test_cldr_dates_keep_the_precision_given() -> None:
    assert _in("fa-AF", PartialDate(year=2025, month=4)) [0] == "اپریل ۲۰۲۵"
    assert _in("ur", PartialDate(year=2025, month=4)) == ("اپریل 2025", None)
    assert _in("ps", PartialDate(year=2025))[0] == "۲۰۲۵"
    assert _in("en", PartialDate(year=2025, month=4, day=22)) == ("22 April 2025", None)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_a_day_in_the_solar_hijri_calendar_is_the_same_day(day: dt.date) -> None:
    shown = _in("fa-AF", PartialDate(year=day.year, month=day.month, day=day.day))[1]
    assert shown is not None
    western = shown.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    number, month, year = western.split(" ")
    back = jdatetime.date(int(year), datetext.AFGHAN_MONTHS["fa"].index(month) + 1,
                          int(number)).togregorian()
    assert back == day


@given(st.integers(min_value=1000, max_value=9999), st.integers(min_value=1, max_value=12),
       st.sampled_from(["fa-AF", "ps", "ur", "ar"]))
def test_a_month_never_shows_a_day(year: int, month: int, language: str) -> None:
    import re

    text, hijri = _in(language, PartialDate(year=year, month=month))
    assert len(re.findall(r"[0-9\u06f0-\u06f9\u0660-\u0669]+", text)) == 1
    if hijri is not None:
        assert len(re.findall(r"[\u06f0-\u06f9]+", hijri)) in (1, 2)  # a year or two
        assert "\N{EN DASH}" in hijri


# -- which passages are in which language ------------------------------------------------


def _marked(template: str, text: str) -> str:
    token = MARK_FALLBACKS.set(True)
    try:
        from markupsafe import Markup, escape

        return resolve_marks(str(Markup(template) % escape(Fallback(text, "en", "ltr"))))
    finally:
        MARK_FALLBACKS.reset(token)


def test_a_fallback_is_marked_in_the_text_and_bare_where_no_element_may_stand() -> None:
    assert _marked("<p>%s</p>", "India") == '<p><bdi lang="en" dir="ltr">India</bdi></p>'
    assert _marked('<a title="%s">x</a>', "India") == '<a title="India">x</a>'
    assert _marked("<title>%s</title>", "India") == "<title>India</title>"
    assert _marked("<select><option>%s</option></select>", "India") == (
        "<select><option>India</option></select>")
    assert _marked("<svg><text>%s</text></svg>", "India") == "<svg><text>India</text></svg>"
    assert _marked('<p title="a">%s</p>', 'x" onclick="y') == (
        '<p title="a"><bdi lang="en" dir="ltr">x&#34; onclick=&#34;y</bdi></p>')


def test_a_phrase_keeps_its_fallbacks_marked() -> None:
    phrase = compose("Events involving %(name)s", {"name": Fallback("India", "en", "ltr")})
    assert phrase == "Events involving India"
    token = MARK_FALLBACKS.set(True)
    try:
        html = resolve_marks(phrase.__html__())  # type: ignore[attr-defined]
    finally:
        MARK_FALLBACKS.reset(token)
    assert html == 'Events involving <bdi lang="en" dir="ltr">India</bdi>'
    assert compose("%(n)s events", {"n": "3"}) == "3 events"


def test_bytes_of_a_compiled_catalog_are_read_as_gettext_does() -> None:
    """The ``.mo`` the theme ships is a catalog Python's gettext reads."""
    import gettext

    data = (LOCALE / "ur" / "LC_MESSAGES" / "messages.mo").read_bytes()
    catalog = gettext.GNUTranslations(BytesIO(data))
    assert catalog.gettext("Search") == "تلاش"
    assert catalog.ngettext("%(count)s event", "%(count)s events", 2) == "%(count)s واقعات"


# -- a site's own catalog: the site's words, not ours (found by an outside test) ---------


def _site_with_catalog(tmp_path: Path, po: str | bytes) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "languages", site)
    own = site / "templates" / "locale" / "fa_AF" / "LC_MESSAGES"
    own.mkdir(parents=True)
    data = po.encode("utf-8") if isinstance(po, str) else po
    (own / "messages.po").write_bytes(data)
    return site


def _cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kabul_brief", *args, "--content", "content"],
                          cwd=site, capture_output=True, text=True, check=False)


_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'


def test_a_sites_catalog_cannot_put_script_or_break_an_attribute(tmp_path: Path) -> None:
    site = _site_with_catalog(tmp_path, _HEADER + (
        'msgid "Search"\nmsgstr "\\"><script>alert(1)</script>"\n\n'
        'msgid "Actors, events, disputes…"\n'
        'msgstr "بازیگران \\"و\\" <b onmouseover=x>رویدادها</b>"\n\n'
        'msgid "With <a href=\\"%(url)s\\">%(other)s</a>."\n'
        'msgstr "با <a href=\\"%(url)s\\" onclick=\\"x()\\">%(other)s</a>'
        '<img src=x onerror=y>."\n'))
    built = _cli(site, "build", "--out", "_site", "--quiet")
    assert built.returncode == 0, built.stderr
    html = (site / "_site" / "fa-af" / "index.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html5lib")
    assert not [s for s in page.find_all("script") if s.get("type") != "application/ld+json"
                and not s.get("src")]
    assert not [tag for tag in page.find_all(True)
                if any(name.startswith("on") for name in tag.attrs)]
    assert page.find("label", attrs={"for": "site-search"}).get_text() == (
        '"><script>alert(1)</script>')  # shown as the text it is
    assert page.find("input", id="site-search")["placeholder"] == (
        'بازیگران "و" <b onmouseover=x>رویدادها</b>')  # the attribute whole
    india = BeautifulSoup((site / "_site" / "fa-af" / "actors" / "india" / "index.html")
                          .read_text(encoding="utf-8"), "html5lib")
    assert not india.find_all("img") and not india.find_all(attrs={"onclick": True})


@pytest.mark.parametrize(("po", "line", "said"), [
    (_HEADER + 'msgid "Go"\nmsgstr "%(nope)s"\n', 5, "names nope"),
    (_HEADER + 'msgid "About %(name)s"\nmsgstr "100 % %(name)s"\n', 5, "no format"),
    (_HEADER + 'msgid "%(count)s event"\nmsgid_plural "%(count)s events"\n'
     'msgstr[0] "%(count)s رویداد"\nmsgstr[1] "%(count)s % رویداد"\n', 5, "no format"),
    (_HEADER.encode() + b'msgid "Go"\nmsgstr "\xff\xfe"\n', 6, "not UTF-8"),
    # found by a second outside test: each ended in a traceback
    ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=klingon\\n"\n\n'
     'msgid "Go"\nmsgstr "x"\n', None, "cannot be read"),
    ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
     '"Plural-Forms: nplurals=2; plural=(n/0);\\n"\n\nmsgid "Go"\nmsgstr "x"\n', None,
     "cannot be read"),
    (_HEADER + 'msgid "%(count)s event"\nmsgid_plural "%(count)s events"\n'
     'msgstr[0] "%(count)d رویداد"\nmsgstr[1] "%(count)d رویداد"\n', 5, "no format"),
])
def test_a_catalog_a_build_could_not_fill_is_an_error_in_check_and_build(
        tmp_path: Path, po: str | bytes, line: int | None, said: str) -> None:
    site = _site_with_catalog(tmp_path, po)
    for args in (("check",), ("build", "--out", "_site", "--quiet")):
        done = _cli(site, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert "Traceback" not in done.stderr
        errors = [row for row in done.stderr.splitlines() if ": error: " in row]
        assert len(errors) == 1, done.stderr
        where = "templates/locale/fa_AF/LC_MESSAGES/messages.po"
        assert errors[0].startswith(where + (f":{line}:" if line else ":")), errors[0]
        assert said in errors[0] and errors[0].endswith("[bad-catalog]")
    assert not (site / "_site").exists()


def test_a_compiled_catalog_that_is_no_catalog_is_an_error_in_check_and_build(
        tmp_path: Path) -> None:
    site = _site_with_catalog(tmp_path, b"")
    own = site / "templates" / "locale" / "fa_AF" / "LC_MESSAGES"
    (own / "messages.po").unlink()
    (own / "messages.mo").write_bytes(b"not a compiled catalog at all")
    for args in (("check",), ("build", "--out", "_site", "--quiet")):
        done = _cli(site, *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr, (args, done.stderr)
        assert "messages.mo: error: the catalog cannot be read" in done.stderr, done.stderr


def test_a_translated_link_goes_where_its_message_sends_it(tmp_path: Path) -> None:
    """A translation of a message with a link keeps the message's href (a page URL the
    view fills in): not another value, not an address of its own."""
    site = _site_with_catalog(tmp_path, _HEADER + (
        'msgid "With <a href=\\"%(url)s\\">%(other)s</a>."\n'
        'msgstr "با <a href=\\"%(other)s\\">%(other)s</a> <a href=\\"https://evil.example/\\">'
        'x</a>."\n'))
    mutate_name = site / "content" / "actors" / "taliban.yaml"
    text = mutate_name.read_text(encoding="utf-8")
    mutate_name.write_text(text.replace("fa-AF: حکومت طالبان", 'fa-AF: "javascript:alert(1)"'),
                           encoding="utf-8")
    assert _cli(site, "build", "--out", "_site", "--quiet").returncode == 0
    page = BeautifulSoup((site / "_site" / "fa-af" / "actors" / "india" / "index.html")
                         .read_text(encoding="utf-8"), "html5lib")
    hrefs = [str(a.get("href")) for a in page.find_all("a")]
    assert not any(h.startswith(("javascript:", "https://evil")) for h in hrefs), hrefs


def test_a_standing_page_named_like_a_language_folder_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "languages", site)
    (site / "content" / "pages" / "fa-af.md").write_text("---\ntitle: X\n---\nText.\n",
                                                         encoding="utf-8")
    for args in (("check",), ("build", "--out", "_site", "--quiet")):
        done = _cli(site, *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "content/pages/fa-af.md:1:1: error: page id 'fa-af' is reserved" in done.stderr


def test_dates_before_the_year_1000_are_written_in_the_language_too() -> None:
    text, hijri = _in("fa-AF", PartialDate(year=900, month=3))
    assert text == "مارچ ۹۰۰"
    assert hijri == "حوت ۲۷۸\N{EN DASH}حمل ۲۷۹"
    assert _in("fa-AF", PartialDate(year=500))[1] is None  # before the Solar Hijri era
    assert _in("ur", PartialDate(year=622, month=7, day=16)) == ("16 جولائی، 622", None)
