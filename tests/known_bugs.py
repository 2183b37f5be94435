"""Bugs the hostile-content scanner finds on the current code, in one place.

Each names the problems (scanner lines) that are its own, and the payloads of
``test_hostile_scanner`` that show it. The main tests excuse these problems only;
``test_known_bug_is_fixed`` is a strict xfail per bug and payload. When a fix is
merged, that xfail XPASSes and fails: remove the bug from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bug:
    """A bug the scanner finds on the current code: which problems are its."""

    reason: str
    payloads: tuple[str, ...]
    matches: Callable[[str], bool]


KNOWN_BUGS: dict[str, Bug] = {
    "timelinejs-unescaped": Bug(
        "data/timeline.json puts the event title and the site title and tagline raw into"
        " TimelineJS headline/text, which TimelineJS renders as HTML (publish/exports.py"
        " timelinejs(): event.title, site.settings.title and tagline are not escaped)",
        ("script", "svg-onload", "close-script", "cdata", "comment", "data-url", "raw-html"),
        lambda p: p.startswith("data/timeline.json "),
    ),
    "url-bidi": Bug(
        "Url fields (link url, citation url, source url, site.yaml base_url) accept bidi"
        " overrides (U+202E); pages write them raw into href/src/action (and the sitemap"
        " into <loc>, which wants them percent-encoded), so a link reads reversed:"
        " content/fieldtypes.py Url() refuses only white space",
        ("bidi",),
        lambda p: "\\u202e" in p and (
            "control, line-separator or bidi character in " in p or "odd location" in p
        ),
    ),
    "control-characters": Bug(
        "text and URL fields accept control characters written as YAML escapes (\\x00,"
        " \\x07, \\x1b, \\x7f): check passes, then feed.xml is not well-formed XML (XML 1.0"
        " forbids them), timeline.ics carries them (RFC 5545 forbids CTLs in TEXT) and"
        " hrefs keep \\x00; Text()/Url() should refuse them as content errors",
        ("control",),
        lambda p: p.startswith(("feed.xml: not well-formed", "timeline.ics:"))
        or "control, line-separator or bidi character in href=" in p,
    ),
}
