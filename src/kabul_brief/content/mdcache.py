"""Markdown converted by earlier builds, kept on disk and keyed by content hash.

Converting Markdown is the largest part of loading. A text converts to the same
result as long as the text, the actor names that auto-linking looks for, and the
converting code are the same; the key digests all three (the code by the bytes of
the Markdown module and the versions of Python-Markdown and nh3), so editing the
converter or upgrading a library never serves a stale result.

The cache lives in ``.kabul-brief-cache/`` beside the content folder (like
``.pytest_cache``; ``KABUL_BRIEF_CACHE`` may name another place), is written only
by ``build`` and ``serve`` (``check`` writes nothing), holds just the texts of the
last build, and is replaced atomically. A missing, unreadable, foreign or
unauthenticated cache file (see ``diskcache``) is simply rebuilt.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from kabul_brief import kinds, themeids
from kabul_brief.content import fieldtypes, markup, mdprocessors
from kabul_brief.content.diskcache import KeyedCache, code_digest
from kabul_brief.content.markup import Rendered

CONVERTER_MODULES: Final = (markup, mdprocessors, fieldtypes, kinds, themeids)
"""The converter and every module of ours it imports (the tree steps, the id
pattern, the record kinds, the ids the theme reserves): editing any of them can change a result."""


def converter_digest() -> str:
    """What a conversion depends on besides its text: our code and its libraries."""
    return code_digest(CONVERTER_MODULES, ["markdown", "nh3"])


class MarkdownCache(KeyedCache[Rendered]):
    """Conversions by key; those used by this build are what :meth:`save` keeps."""

    FILE = "markdown.pickle"

    def __init__(self, folder: Path | None) -> None:
        super().__init__(folder)
        self._converter = converter_digest()
        self._keys: dict[tuple[str, bool, str, int | None], str] = {}
        """Each text's key, once worked out: a resident preview asks for the same
        texts on every edit."""

    def accepts(self, value: object) -> bool:
        return isinstance(value, Rendered)

    def key(self, text: str, paragraphs: bool, names: str, top_heading: int | None) -> str:
        """``names``: digest of the auto-linker's names (for article bodies)."""
        asked = (text, paragraphs, names if paragraphs else "", top_heading)
        known = self._keys.get(asked)
        if known is not None:
            return known
        hasher = hashlib.blake2b(self._converter.encode(), digest_size=20)
        hasher.update(b"\x00p" if paragraphs else b"\x00-")
        hasher.update(f"\x00h{top_heading}".encode())
        hasher.update(names.encode() if paragraphs else b"")
        hasher.update(b"\x00" + text.encode("utf-8", "surrogatepass"))
        key = self._keys[asked] = hasher.hexdigest()
        return key
