"""Link previews and the theme's own files, on the built site: every page names a social
card (``og:image``) that is there, a PNG of the size Open Graph expects, the same
bytes on every build, drawn again when the page's title changes and not otherwise;
every page links favicons that are there; the stylesheet's fonts are the theme's own
files, shipped with their licence."""

from __future__ import annotations

import io
import re
import shutil
import struct
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from test_site_support import BASIC, SHIPPED, build, copy_content

from kabul_brief.pipeline import Build, BuildRequest
from kabul_brief.publish.build import BuildReport

BASE = "https://example.org/kabul-brief/"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def html_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if "pagefind" not in p.parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content, built once."""
    out = tmp_path_factory.mktemp("cards") / "site"
    assert build(SHIPPED, out) == 0
    return out


def meta(soup: BeautifulSoup, key: str) -> str:
    found = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    assert found is not None, f"no <meta> {key}"
    return str(found["content"])


def file_of(out: Path, url: str, base: str = BASE) -> Path:
    assert url.startswith(base), f"{url} is not under {base}"
    return out / url[len(base):]


def chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order."""
    assert data.startswith(PNG_SIGNATURE)
    found, at = [], len(PNG_SIGNATURE)
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        found.append(data[at + 4:at + 8])
        at += 12 + length
    return found


def cards(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("card.png"))}


def _languages(built: Path) -> set[str]:
    """The further languages' folders: each has its own 404 page."""
    return {path.parent.name for path in built.glob("*/404.html")}


def test_every_page_names_its_own_card_an_existing_png_of_1200_by_630(built: Path) -> None:
    named: dict[str, Path] = {}
    languages = _languages(built)
    for path in html_pages(built):
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        where = path.relative_to(built).as_posix()
        folder, _, rest = where.partition("/")
        if folder in languages:
            # A page in a further language shows its original's card: the cards are
            # drawn in the theme's Latin fonts, which have no Arabic script.
            original = built / rest
            assert file_of(built, meta(soup, "og:image")) == (
                original.parent / "card.png" if rest not in ("index.html", "404.html")
                else built / "card.png"), where
            continue
        url = meta(soup, "og:image")
        card = file_of(built, url)
        data = card.read_bytes()
        assert data.startswith(PNG_SIGNATURE), f"{where}: {url} is not a PNG"
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (1200, 630), f"{where}: {url} is {image.size}"
        assert (meta(soup, "og:image:width"), meta(soup, "og:image:height")) == ("1200", "630")
        assert meta(soup, "og:image:type") == "image/png"
        assert meta(soup, "twitter:card") == "summary_large_image"
        alt = meta(soup, "og:image:alt")
        if where not in ("index.html", "404.html"):
            # a page's own card, beside it, saying its title
            assert card == path.parent / "card.png", f"{where} shows {url}"
            assert meta(soup, "og:title") in alt, f"{where}: card described as {alt!r}"
            named[where] = card
        else:
            assert card == built / "card.png"
    assert len(set(named.values())) == len(named)  # no two pages share one
    assert {p.relative_to(built).as_posix() for p in built.rglob("card.png")} == {
        card.relative_to(built).as_posix() for card in named.values()} | {"card.png"}


def test_pages_of_different_titles_have_different_cards(built: Path) -> None:
    india = (built / "actors/india/card.png").read_bytes()
    china = (built / "actors/china/card.png").read_bytes()
    assert india != china


def test_two_builds_give_the_same_card_bytes_with_no_metadata(
    built: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    assert build(SHIPPED, again) == 0
    first, second = cards(built), cards(again)
    assert first and first == second
    for name, data in first.items():
        assert set(chunks(data)) <= {b"IHDR", b"PLTE", b"IDAT", b"IEND"}, name


def test_og_image_is_absolute_under_the_base_url_path(tmp_path: Path) -> None:
    base = "https://news.example.net/deep/brief/"
    out = tmp_path / "site"
    assert build(BASIC, out, base) == 0
    for path in html_pages(out):
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        assert file_of(out, meta(soup, "og:image"), base).is_file()
        for link in soup.select('link[rel~="icon"], link[rel~="apple-touch-icon"]'):
            href = str(link["href"])
            assert href.startswith("/deep/brief/static/")
            assert (out / href[len("/deep/brief/"):]).is_file()


def _report(content: Path, out: Path) -> BuildReport:
    report = Build(BuildRequest(content=content, out=out)).run().report
    assert report is not None
    return report


def test_a_card_is_drawn_again_when_its_title_changes_and_not_otherwise(
    tmp_path: Path
) -> None:
    content = copy_content(BASIC, tmp_path)
    out = tmp_path / "site"
    first = _report(content, out)
    assert len(first.cards) == first.card_count > 10  # all drawn the first time
    card = out / "events/takeover/card.png"
    before = card.read_bytes()

    events = content / "events" / "events.yaml"
    text = events.read_text("utf-8")
    events.write_text(text.replace("Fighters enter", "Armed fighters enter", 1), "utf-8")
    summary = _report(content, out)
    assert "events/takeover/index.html" in summary.rendered  # the page shows the summary
    assert summary.cards == ()  # but no card does
    assert card.read_bytes() == before

    events.write_text(text.replace("title: Taliban take Kabul", "title: Kabul falls", 1),
                      "utf-8")
    retitled = _report(content, out)
    assert retitled.cards == ("events/takeover/card.png",)
    assert card.read_bytes() != before
    fresh = tmp_path / "fresh"
    _report(content, fresh)
    assert cards(out) == cards(fresh)


def test_a_card_changed_by_hand_is_drawn_again(tmp_path: Path) -> None:
    """The front page's (made in the plan) and a record page's (whose view is not even
    made when nothing it read changed)."""
    out = tmp_path / "site"
    _report(BASIC, out)
    defaced = ("card.png", "events/takeover/card.png")
    good = {name: (out / name).read_bytes() for name in defaced}
    for name in defaced:
        (out / name).write_bytes(b"defaced")
    assert _report(BASIC, out).cards == defaced
    assert {name: (out / name).read_bytes() for name in defaced} == good


def test_every_page_links_favicons_that_are_there(built: Path) -> None:
    for path in html_pages(built):
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        icons = {str(link.get("type")): str(link["href"])
                 for link in soup.select('link[rel~="icon"]')}
        assert set(icons) == {"image/svg+xml", "image/png"}, path
        touch = soup.select_one('link[rel~="apple-touch-icon"]')
        assert touch is not None
        for href in [*icons.values(), str(touch["href"])]:
            assert (built / href.removeprefix("/kabul-brief/")).is_file(), href
    svg = (built / "static/favicon.svg").read_text("utf-8")
    assert svg.startswith("<svg") and 'viewBox="0 0 32 32"' in svg
    with Image.open(built / "static/favicon-32.png") as image:
        assert image.size == (32, 32)
    with Image.open(built / "static/apple-touch-icon.png") as image:
        assert image.size == (180, 180) and image.mode == "RGB"  # no transparency


def test_the_stylesheet_fonts_are_the_themes_own_with_their_licence(built: Path) -> None:
    css = (built / "static/style.css").read_text("utf-8")
    faces = re.findall(r"@font-face\s*\{([^}]*)\}", css)
    assert len(faces) >= 4
    families = set()
    for face in faces:
        assert "font-display: swap" in face
        [url] = re.findall(r'url\("([^"]+)"\)', face)
        assert not url.startswith(("http:", "https:", "//", "/"))  # self-hosted, relative
        font = built / "static" / url
        assert font.read_bytes()[:4] == b"wOF2", url
        families.add(re.search(r'font-family: "([^"]+)"', face).group(1))  # type: ignore[union-attr]
    body = re.search(r"--serif: ([^;]+);", css).group(1)  # type: ignore[union-attr]
    ui = re.search(r"--sans: ([^;]+);", css).group(1)  # type: ignore[union-attr]
    latin = {body.split(",")[0].strip('" '), ui.split(",")[0].strip('" ')}
    arabic = {"Noto Naskh Arabic", "Noto Nastaliq Urdu"}  # Dari and Pashto; Urdu
    assert latin | arabic == families
    for family in arabic:  # fetched only for Arabic-script text, on the pages that use it
        for face in faces:
            if f'"{family}"' in face:
                assert "unicode-range: U+0600-06FF" in face, face
    assert re.search(r':lang\(fa\), :lang\(ps\) \{[^}]*"Noto Naskh Arabic"', css)
    assert re.search(r':lang\(ur\) \{[^}]*"Noto Nastaliq Urdu"', css)
    fonts = built / "static/fonts"
    total = sum(p.stat().st_size for p in fonts.glob("*.woff2") if "-latin-" in p.name)
    assert total < 150_000, f"the Latin web fonts every page fetches weigh {total} bytes"
    licences = sorted(fonts.glob("OFL*.txt"))
    assert len(licences) == len(families)  # one per family, as its package ships it
    for licence in licences:
        assert "SIL Open Font License, Version 1.1" in licence.read_text("utf-8")


def test_a_font_of_the_sites_own_draws_its_cards(tmp_path: Path) -> None:
    """The cards take the theme's font files as the pages do: a site's own file of the
    same name (here the sans, for the labels) is the one drawn with."""
    site = tmp_path / "site"
    content = copy_content(BASIC, site)
    out = site / "_site"
    before = _report(content, out)
    kept = (out / "events/takeover/card.png").read_bytes()
    fonts = site / "templates/static/fonts"
    fonts.mkdir(parents=True)
    theme = Path(__file__).resolve().parents[1] / "templates/static/fonts"
    shutil.copy(theme / "source-serif-4-latin-400-normal.woff2",
                fonts / "source-sans-3-latin-600-normal.woff2")
    after = _report(content, out)
    assert len(after.cards) == before.card_count  # every card drawn again
    assert (out / "events/takeover/card.png").read_bytes() != kept


def test_a_title_of_one_huge_word_is_cut_in_a_few_lines_at_once() -> None:
    """A 20,000-letter word in a title (hostile content) once took minutes a card."""
    from kabul_brief.publish.cards import wrap

    def length(text: str) -> float:
        return 10.0 * len(text)

    lines = wrap("W" * 20_000 + " end", length, 300.0)
    assert 1 < len(lines) <= 13
    assert all(length(line) <= 300.0 for line in lines)
    assert wrap("abcdefghijklmnop", length, 50.0) == ["abcde", "fghij", "klmno", "p"]
