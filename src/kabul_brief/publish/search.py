"""Full-text search with Pagefind: the built site is indexed in its temporary folder,
before the swap, so ``--out`` never holds a site without its index.

Only pages that mark their main content with ``data-pagefind-body`` are indexed
(actors, events, disputes, articles); each carries a ``kind`` filter.

Determinism: Pagefind 1.5 writes the values of a filter in hash-map order, which
changes from run to run, and names the filter file and the metadata file after
their content. :func:`canonical_filters` sorts the values and renames both files
after a hash of the sorted content (same length, so the references inside the
metadata keep their byte layout), which makes two builds byte-identical again.
Everything else Pagefind writes is already the same from run to run.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Final

from kabul_brief.publish.urls import FOLDERS, Urls

_SIGNATURE: Final = b"pagefind_dcd"
_HASHED_RE: Final = re.compile(r"^(?P<lang>.+)_(?P<hash>[0-9a-f]+)$")

SEARCH_KINDS: Final[dict[str, str]] = {
    "actor": "Actor", "event": "Event", "dispute": "Dispute", "article": "Article",
}
"""Record kinds whose pages are indexed -> the value of their ``kind`` filter."""


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build stops and ``--out`` keeps the previous site."""


def index_site(folder: Path) -> None:
    """Write the Pagefind bundle into ``folder/pagefind/``."""
    command = [sys.executable, "-m", "pagefind", "--site", str(folder),
               "--output-subdir", Urls.PAGEFIND_FOLDER, "--glob", indexed_glob(), "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False,
                                timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"could not run Pagefind: {error}") from error
    if result.returncode != 0 or not (folder / Urls.PAGEFIND_FOLDER / "pagefind.js").is_file():
        output = (result.stderr or result.stdout)[-2000:]
        raise SearchIndexError(f"Pagefind failed (exit {result.returncode}): {output}")
    canonical_filters(folder / Urls.PAGEFIND_FOLDER)


def indexed_glob() -> str:
    """Only the folders of indexed kinds: Pagefind then does not parse the other pages
    (the timeline and the network page alone are megabytes) to find them unmarked."""
    return "{" + ",".join(FOLDERS[kind] for kind in SEARCH_KINDS) + "}/**/*.html"


def _head(data: bytes, i: int) -> tuple[int, int, int]:
    """CBOR item head at ``i``: (major type, argument, length of the head)."""
    major, info = data[i] >> 5, data[i] & 31
    if info < 24:
        return major, info, 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise SearchIndexError("unexpected indefinite-length CBOR in a Pagefind filter")
    return major, int.from_bytes(data[i + 1:i + 1 + size], "big"), 1 + size


def _end(data: bytes, i: int) -> int:
    """Offset just past the CBOR item starting at ``i``."""
    major, value, head = _head(data, i)
    i += head
    if major in (2, 3):
        return i + value
    if major in (4, 5):
        for _ in range(value * (2 if major == 5 else 1)):
            i = _end(data, i)
        return i
    if major == 6:
        return _end(data, i)
    return i


def _sorted_filter(data: bytes) -> bytes:
    """``[name, [[value, [pages]], ...]]`` with the values in sorted order."""
    body = data[len(_SIGNATURE):]
    major, count, head = _head(body, 0)
    if major != 4 or count != 2:
        return data
    name_end = _end(body, head)
    major, entries, values_head = _head(body, name_end)
    if major != 4:
        return data
    spans, i = [], name_end + values_head
    for _ in range(entries):
        end = _end(body, i)
        spans.append(body[i:end])
        i = end
    rebuilt = body[:name_end + values_head] + b"".join(sorted(spans)) + body[i:]
    return _SIGNATURE + rebuilt


def _rehash(name: str, content: bytes) -> str:
    """``en_0a1b2c3`` -> the same language and length of hash, from ``content``."""
    match = _HASHED_RE.match(name)
    if match is None:
        raise SearchIndexError(f"unexpected Pagefind file name {name!r}")
    digest = hashlib.sha256(content).hexdigest()[:len(match["hash"])]
    return f"{match['lang']}_{digest}"


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def canonical_filters(bundle: Path) -> None:
    """Sort filter values and rename the files that depend on them (see above)."""
    entry_path = bundle / "pagefind-entry.json"
    entry = entry_path.read_text(encoding="utf-8")
    for meta_path in sorted(bundle.glob("pagefind.*.pf_meta")):
        meta = gzip.decompress(meta_path.read_bytes())
        for filter_path in sorted((bundle / "filter").glob("*.pf_filter")):
            data = gzip.decompress(filter_path.read_bytes())
            if not data.startswith(_SIGNATURE):
                continue
            canonical = _sorted_filter(data)
            old = filter_path.stem
            new = _rehash(old, canonical)
            if old.encode() not in meta:
                continue
            meta = meta.replace(old.encode(), new.encode())
            filter_path.unlink()
            _write(filter_path.with_name(f"{new}.pf_filter"), canonical)
        old_meta = meta_path.name[len("pagefind."):-len(".pf_meta")]
        new_meta = _rehash(old_meta, meta)
        meta_path.unlink()
        _write(bundle / f"pagefind.{new_meta}.pf_meta", meta)
        entry = entry.replace(f'"{old_meta}"', f'"{new_meta}"')
    entry_path.write_text(entry, encoding="utf-8")
