"""The theme's own files in a real browser: on every page kind no request fails (the
favicon included: none is asked for at an address the site does not have), the icons
and the social card a page names are served as images, and the text is set in the
theme's web fonts, loaded from the site itself."""

from __future__ import annotations

from typing import Any

import test_browser_site
from validators import tools

LOADED_FONTS = """async () => {
  await document.fonts.ready;
  return [...document.fonts].filter(f => f.status === "loaded")
    .map(f => `${f.family.replaceAll('"', '')} ${f.weight} ${f.style}`);
}"""
HEAD_LINKS = """() => ({
  icons: [...document.querySelectorAll('link[rel~="icon"], link[rel~="apple-touch-icon"]')]
    .map(l => l.href),
  card: document.querySelector('meta[property="og:image"]').content,
  body: getComputedStyle(document.body).fontFamily,
  nav: getComputedStyle(document.querySelector('.site-nav a')).fontFamily,
})"""


site = test_browser_site.site
"""The shipped content built once for the session and served (``tools.shared_site``)."""
browser = test_browser_site.browser


def test_no_request_fails_on_any_page_kind_and_its_icons_and_card_are_images(
    site: tools.Site, browser: Any
) -> None:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    failed: list[str] = []
    context.on("requestfailed", lambda request: failed.append(
        f"{request.url}: {request.failure}"))
    context.on("response", lambda response: failed.append(
        f"{response.url}: {response.status}") if response.status >= 400 else None)
    page = context.new_page()
    asked: set[str] = set()
    try:
        for kind, path in sorted(site.one_page_per_kind().items()):
            if kind == "404.html":  # its own status is 404 by design: not a failed asset
                continue
            page.goto(site.url(path), wait_until="networkidle")
            found = page.evaluate(HEAD_LINKS)
            assert len(found["icons"]) == 3, kind
            assert found["card"].startswith(site.base_url), kind
            asked.update([*found["icons"], found["card"]])
        for url in sorted(asked):
            response = context.request.get(url)
            assert response.status == 200, url
            assert response.headers["content-type"].startswith("image/"), url
    finally:
        context.close()
    assert not failed, "\n".join(failed)


def test_the_text_is_set_in_the_themes_web_fonts(site: tools.Site, browser: Any) -> None:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    fonts: list[str] = []
    context.on("response", lambda response: fonts.append(response.url)
               if response.url.endswith(".woff2") and response.ok else None)
    page = context.new_page()
    try:
        article = next(path for kind, path in site.one_page_per_kind().items()
                       if kind == "articles page")
        page.goto(site.url(article), wait_until="networkidle")
        loaded = page.evaluate(LOADED_FONTS)
        found = page.evaluate(HEAD_LINKS)
    finally:
        context.close()
    assert {"Source Serif 4 400 normal", "Source Serif 4 700 normal",
            "Source Sans 3 400 normal"} <= set(loaded), loaded
    assert found["body"].startswith('"Source Serif 4"')
    assert found["nav"].startswith('"Source Sans 3"')
    assert fonts and all(url.startswith(site.base_url + "static/fonts/") for url in fonts)
