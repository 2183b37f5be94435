"""Full-text search with Pagefind: the built site is indexed in its temporary folder,
before the swap, so ``--out`` never holds a site without its index.

Every record kind's pages are indexed (:data:`~kabul_brief.kinds.SEARCHED_KINDS`),
and of each page only its own text: the templates mark the record's heading and its
own prose with ``data-pagefind-body`` (several elements a page), never its sidebar,
its lists of related records, its notes or navigation, and ``data-pagefind-ignore``
inside them keeps out the kind label, citation marks and text for screen readers
alone. The first carries the ``kind`` filter. A record's name and aliases weigh 10,
the most Pagefind allows, and ``search.js`` ranks on those weights (see there), so
that the record's own page comes first for each of its names.

Shards: an archive's pages are indexed in shards of about a thousand pages, each its
own Pagefind bundle (the first at ``pagefind/``, the others at
``pagefind/shard-N/``), which the search page merges (Pagefind's ``mergeIndex``).
A page's shard follows from a hash of its path, so it stays put as the archive
grows, until the number of shards changes. A shard whose pages are all unchanged
since the previous build is kept as it was (hard-linked), not indexed again: an
edit re-indexes the thousand pages around it, not the archive. Shards are indexed
two at a time, and Pagefind's memory stays that of one shard, not of the archive.

Determinism: Pagefind 1.5 writes the values of a filter in hash-map order, which
changes from run to run, and names the filter file and the metadata file after
their content. :func:`canonical_filters` sorts the values and renames both files
after a hash of the sorted content (same length, so the references inside the
metadata keep their byte layout), which makes two builds byte-identical again.
Pagefind's command line indexes pages in the order a folder lists them, which
depends on the file system (a tmpfs differs from a disk) and changes the index: the
pages are fed to Pagefind in sorted order instead (:mod:`.pagefind_index`).
Everything else Pagefind writes is already the same from run to run.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

from kabul_brief import stopping
from kabul_brief.content import model as m
from kabul_brief.folders import files_in
from kabul_brief.kinds import SEARCHED_KINDS
from kabul_brief.publish import writer
from kabul_brief.publish.urls import FOLDERS, Urls, output_path

_SIGNATURE: Final = b"pagefind_dcd"
_HASHED_RE: Final = re.compile(r"^(?P<lang>.+)_(?P<hash>[0-9a-f]+)$")

SEARCH_KINDS: Final[dict[str, str]] = {kind.name: kind.label for kind in SEARCHED_KINDS}
"""Record kinds whose pages are indexed -> the value of their ``kind`` filter."""


PAGES_PER_SHARD: Final = 1000
SHARD_PREFIX: Final = "shard-"
"""Folders of the shards after the first, inside the bundle folder."""
_CONCURRENT: Final = 2
"""Pagefind runs at once: it uses about one and a half cores for a shard."""
_INDEXER: Final = Path(__file__).with_name("pagefind_index.py")


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build stops and ``--out`` keeps the previous site."""


def indexed_paths(site: m.Site, urls: Urls, folders: Iterable[str] = ()) -> list[str]:
    """Site paths of every indexed page, in the main language and in each further
    language's folder (Pagefind indexes each language apart, by the pages' ``lang``)."""
    paths = [urls.record_path(kind, record_id)
             for kind in SEARCH_KINDS for record_id in site.records(kind)]
    return paths + [folder + path for folder in folders for path in paths]


def shard_of(path: str, shards: int) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "big") % shards


def shard_folder(number: int) -> str:
    """Where shard ``number`` goes inside the bundle folder ("" for the first)."""
    return "" if number == 0 else f"{SHARD_PREFIX}{number}/"


def plan_shards(paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Shard folder ("" for the first) -> the site paths of its pages, sorted. A shard
    the hash left empty (only ever in a small site) is left out and the others
    numbered on; with nothing to index at all there is one empty shard (see
    :func:`index_site`)."""
    paths = sorted(paths)
    count = max(1, math.ceil(len(paths) / PAGES_PER_SHARD))
    by_number: dict[int, list[str]] = {n: [] for n in range(count)}
    for path in paths:
        by_number[shard_of(path, count)].append(path)
    filled = [pages for _, pages in sorted(by_number.items()) if pages]
    if not filled:
        return {shard_folder(0): ()}
    return {shard_folder(n): tuple(pages) for n, pages in enumerate(filled)}


def index_site(folder: Path, shards: Mapping[str, Sequence[str]],
               previous: Path | None = None, unchanged: Iterable[str] = ()) -> None:
    """Write the Pagefind bundles into ``folder/pagefind/``: the ``unchanged`` shards
    linked from the ``previous`` bundle folder, the others indexed now. Each shard is
    indexed in a staging folder of its own (links to its pages) and moved into place
    when done, so no run of Pagefind sees or writes another shard's files."""
    bundle = folder / Urls.PAGEFIND_FOLDER
    bundle.mkdir(exist_ok=True)
    kept: set[str] = set()
    if previous is not None:
        earlier = previous / Urls.PAGEFIND_FOLDER
        kept = {shard for shard in set(unchanged) & set(shards)
                if (earlier / shard / "pagefind-entry.json").is_file()}  # else index anew
        for shard in sorted(kept):
            _link_shard(earlier, bundle, shard)
    # Inside the new folder: a build killed now leaves it to the writer's clean-up.
    staging = Path(tempfile.mkdtemp(prefix=".search-staging-", dir=folder))
    running: list[tuple[str, Path, subprocess.Popen[str]]] = []
    try:
        for number, shard in enumerate(s for s in shards if s not in kept):
            site, output = staging / f"site-{number}", staging / f"bundle-{number}"
            for path in shards[shard]:
                page = output_path(path)
                writer.link_file(site, page, folder / page)
            if not shards[shard]:  # an archive with no record yet: index every page, so
                site = folder      # that the search page has its bundle all the same
            running.append((shard, output, _start(site, output, glob=bool(shards[shard]))))
            if len(running) >= _CONCURRENT:
                _finish(*running[0], bundle)
                running.pop(0)
        while running:
            _finish(*running[0], bundle)
            running.pop(0)
    finally:  # a build stopped (Ctrl-C, SIGTERM, a failed shard) stops its indexers
        _stop_indexers([process for _, _, process in running])
        shutil.rmtree(staging, ignore_errors=True)


def _stop_indexers(running: list[subprocess.Popen[str]]) -> None:
    """End the indexers still running, and wait for them; an interrupt waits."""
    with stopping.held():
        for process in running:
            process.terminate()  # the indexer ends its Pagefind, and waits for it
        for process in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _link_shard(previous: Path, bundle: Path, shard: str) -> None:
    """Link the files of one shard of the previous bundle folder into the new one
    (the first shard's: all but the other shards')."""
    for relative, path in files_in(previous / shard):
        if shard or not relative.startswith(SHARD_PREFIX):
            writer.link_file(bundle, shard + relative, Path(path))


def _start(site: Path, output: Path, glob: bool = True) -> subprocess.Popen[str]:
    """Pagefind through its Python API, fed the pages in sorted order (see
    :mod:`kabul_brief.publish.pagefind_index`), with ``glob`` only the pages of the
    indexed folders. ``-P`` and a script by its path: the working folder (the
    build's, and Pagefind's, which is ``site``) is not on ``sys.path``, so a
    ``pagefind/`` or ``pagefind.py`` there (a pull request can add one) does not run."""
    command = [sys.executable, "-P", str(_INDEXER), str(site.resolve()), str(output.resolve()),
               *(indexed_folders() if glob else [])]
    try:
        with stopping.held():  # a child started is a child the build will wait for
            # in a process group of its own: the build stops it, not the group's signal
            # (which, reaching it first, made the build report a failed Pagefind)
            return subprocess.Popen(command, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, cwd=site.resolve(),
                                    process_group=0)
    except OSError as error:
        raise SearchIndexError(f"could not run Pagefind: {error}") from error


def _finish(shard: str, output: Path, process: subprocess.Popen[str], bundle: Path) -> None:
    """Wait for one shard's Pagefind, check it, and move its bundle into place."""
    try:
        printed, _ = process.communicate(timeout=600)
    except subprocess.TimeoutExpired as error:
        process.kill()
        raise SearchIndexError(f"Pagefind took too long: {error}") from error
    if process.returncode != 0 or not (output / "pagefind.js").is_file():
        said = [line.strip() for line in printed.splitlines() if line.strip()]
        last = said[-1][-500:] if said else "it printed nothing"  # the error, not its traceback
        raise SearchIndexError(f"Pagefind failed (exit {process.returncode}): {last}")
    canonical_filters(output)
    if shard:
        os.rename(output, bundle / shard.rstrip("/"))
    else:
        for entry in sorted(output.iterdir()):
            os.rename(entry, bundle / entry.name)


def indexed_folders() -> list[str]:
    """Only the folders of indexed kinds: Pagefind then does not parse the other pages
    (the timeline and the network page alone are megabytes) to find them unmarked."""
    return [FOLDERS[kind] for kind in SEARCH_KINDS]


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
    entry_path.write_text(_sorted_languages(entry), encoding="utf-8")


def _sorted_languages(entry: str) -> str:
    """The entry file with its languages in sorted order: Pagefind writes them in
    hash-map order, which changes from run to run once a site has several. The file
    is written back as Pagefind writes it (compact JSON, text not escaped)."""
    data = json.loads(entry)
    languages = data.get("languages")
    if not isinstance(languages, dict) or len(languages) < 2:
        return entry
    data["languages"] = dict(sorted(languages.items()))
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def shard_digests(shards: Mapping[str, Sequence[str]], outputs: Mapping[str, str]
                  ) -> dict[str, str]:
    """Shard -> digest of its pages' output digests (``outputs``: by output path): a
    shard whose digest is the previous build's indexes to the same bundle."""
    digests = {}
    for shard, paths in shards.items():
        hasher = hashlib.blake2b(digest_size=16)
        for path in paths:
            page = output_path(path)
            hasher.update(f"{page}\x00{outputs[page]}\n".encode())
        digests[shard] = hasher.hexdigest()
    return digests
