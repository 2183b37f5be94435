"""``check --since REF``: published facts changed since a git revision without a new
correction.

The content folder as it was at REF (the published revision, in CI) is read out of
git, file by file as committed (``git ls-tree`` and ``git cat-file``: no attributes,
no filters, no checkout touched), into a temporary folder, and loaded and linked
with the same :func:`~kabul_brief.pipeline.load_site` as a build. Its records that
were published then (not drafts) are compared with the content now, record by
record:

- an event's ``date``, ``end``, ``circa``, ``place``, ``actors`` and each claim's text;
- a dispute's positions (each actor's text) and its trend points (date and direction);
- a relationship's trend points.

A record that changed in one of these needs a correction it did not have at REF
(a ``corrections:`` item not in its list then); each change without one is a warning
(``uncorrected-change``) at the changed field in today's file, with what it was and
what it is now. A published record that is gone, or is a draft now, left the site:
that is a warning too (``removed-record``), as a reader's link to it broke and no
correction can say why on a page that is not there. Records new since REF need
nothing.

Anything that makes the comparison impossible is a :class:`SinceError`, one line for
the command line to print as a usage error: git missing, the folder outside a git
work tree, a REF that names no commit, content at REF that does not load (it did not
build then either: compare with the revision that was published). Content that did
not exist at REF had nothing published: nothing to compare, no warning.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate
from kabul_brief.content.fieldtypes import FieldPath
from kabul_brief.content.linker import LinkState
from kabul_brief.content.loader import RawRecord
from kabul_brief.errors import ContentError, ContentErrors, Position
from kabul_brief.kinds import RECORD_KINDS

_SHOWN: Final = 60
"""How much of a changed text a hint quotes."""
_FILE_MODES: Final = frozenset({"100644", "100755"})
"""The git tree entries read: plain files (links and submodules are left out)."""


class SinceError(Exception):
    """The content cannot be compared with REF; the message is one line."""


@dataclass(frozen=True, slots=True)
class Before:
    """The content as it was at a revision."""

    ref: str
    commit: str
    """The commit REF named, abbreviated."""
    site: m.Site | None
    """Its published records; None when the content folder did not exist then."""


# -- reading the content at a revision -------------------------------------------


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise SinceError("git is not installed, and --since compares with a git"
                         " revision") from None
    except OSError as problem:
        raise SinceError(f"git could not run: {problem.strerror or problem}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SinceError(said[-1] if said else f"git {args[0]} failed")
    return done.stdout


def _work_tree(content_dir: Path) -> tuple[Path, str]:
    """The top of the git work tree holding ``content_dir``, and the folder's path in it
    (``content/``, or ``''`` at the top)."""
    try:
        top = _git(["rev-parse", "--show-toplevel"], content_dir).decode().strip()
        prefix = _git(["rev-parse", "--show-prefix"], content_dir).decode().strip()
    except SinceError as problem:
        if "not a git repository" not in str(problem):
            raise  # no git, or git's own refusal (a repository of another user): its words
        raise SinceError(f"{content_dir} is not in a git work tree, and --since compares"
                         " with a git revision") from None
    return Path(top), prefix


def _commit(ref: str, top: Path) -> str:
    """The full id of the commit ``ref`` names."""
    if not ref or ref.startswith("-") or any(c.isspace() or not c.isprintable() for c in ref):
        raise SinceError(f"{ref!r} is not a git revision")
    try:
        return _git(["rev-parse", "--verify", "--quiet", "--end-of-options",
                     f"{ref}^{{commit}}"], top).decode().strip()
    except SinceError:
        raise SinceError(f"{ref!r} names no commit of this repository (a branch, tag or"
                         " commit id, such as origin/main)") from None


def _tree_files(commit: str, prefix: str, top: Path) -> list[tuple[str, str]]:
    """(blob id, path below the content folder) of every plain file under ``prefix``."""
    listing = _git(["ls-tree", "-r", "-z", commit, "--", prefix or "."], top)
    files = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        path = PurePosixPath(name.decode("utf-8", "surrogateescape"))
        if kind != "blob" or mode not in _FILE_MODES:
            continue
        relative = path.relative_to(prefix) if prefix else path
        if relative.is_absolute() or ".." in relative.parts:  # git never writes these
            continue
        files.append((blob, relative.as_posix()))
    return files


def _write_blobs(files: list[tuple[str, str]], top: Path, into: Path) -> None:
    """Write each blob's bytes, as committed, to its path under ``into``."""
    data = _git(["cat-file", "--batch"], top,
                stdin="".join(f"{blob}\n" for blob, _ in files).encode())
    at = 0
    for blob, relative in files:
        header_end = data.index(b"\n", at)
        found, kind, size = data[at:header_end].decode().split()
        if found != blob or kind != "blob":
            raise SinceError(f"git gave {found} {kind} for {blob}")
        start = header_end + 1
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data[start:start + int(size)])
        at = start + int(size) + 1  # the blob's bytes, then a newline


def content_before(ref: str, content_dir: Path, workers: int = 1) -> Before:
    """The published content of ``content_dir`` as it was at ``ref``, linked."""
    from kabul_brief.pipeline import display_root, load_site

    top, prefix = _work_tree(content_dir)
    commit = _commit(ref, top)
    short = commit[:12]
    files = _tree_files(commit, prefix, top)
    if not files:
        return Before(ref=ref, commit=short, site=None)
    with tempfile.TemporaryDirectory(prefix="kabul-brief-since-") as folder:
        then = Path(folder) / "content"
        then.mkdir()
        _write_blobs(files, top, then)
        try:
            site = load_site(then, workers, shown=f"{ref}:{display_root(content_dir)}")
        except ContentErrors as errors:
            count = len(errors.errors)
            first = errors.errors[0]
            raise SinceError(
                f"the content at {ref} does not load ({count} error{'s' if count != 1 else ''};"
                f" the first: {first.position}: {first.message}): compare with the revision"
                " that was published") from None
    return Before(ref=ref, commit=short, site=site)


# -- comparing -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Change:
    what: str
    """What changed, as the message says it ("date", "the claim by india")."""
    was: str
    now: str
    path: FieldPath
    """Where, in today's record."""


def _date(date: PartialDate | None) -> str:
    return "none" if date is None else date.iso


def _text(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "\u2026")


def _field(raw: RawRecord, name: str) -> FieldPath:
    """The field's path if today's record writes it, else the record's own."""
    return (name,) if name in raw.data else ()


def _scalars(old: Any, new: Any, raw: RawRecord,
             fields: Iterable[tuple[str, str, Any]]) -> Iterator[_Change]:
    """(field, what it is called, how its value is shown) of each field compared."""
    for name, called, show in fields:
        was, now = show(old), show(new)
        if was != now:
            yield _Change(called, was, now, _field(raw, name))


@dataclass(frozen=True, slots=True)
class _Item:
    """One item of a list of facts: matched by ``key`` (its speaker, its date) first."""

    key: str
    value: str
    shown: str
    path: FieldPath = ()


def _items(old: list[_Item], new: list[_Item], noun: str,
           moved: str = "") -> Iterator[_Change]:
    """Each fact of ``old`` that ``new`` no longer has, paired with what stands there
    now: a fact of the same key, else (when ``moved`` names the field) the next fact
    ``new`` added; else it was removed. Facts only added need nothing."""
    remaining = Counter((i.key, i.value) for i in new)
    lost = []
    for item in old:
        if remaining[(item.key, item.value)] > 0:
            remaining[(item.key, item.value)] -= 1
        else:
            lost.append(item)
    added = []
    for item in new:
        if remaining[(item.key, item.value)] > 0:
            remaining[(item.key, item.value)] -= 1
            added.append(item)
    for item in lost:
        same = next((i for i in added if i.key == item.key), None)
        if same is None and moved and added:
            same = added[0]
        if same is not None:
            added.remove(same)
            field = same.path if same.key == item.key or not moved else (*same.path[:-1], moved)
            yield _Change(f"{noun} {item.key}", item.shown, same.shown, field)
        else:
            yield _Change(f"{noun} {item.key}", item.shown, "removed",
                          (item.path[0],) if item.path else ())


def _trend(points: Iterable[m.TrendPoint], raw: RawRecord | None) -> list[_Item]:
    """A trend's points; with today's raw record, each at the point as written."""
    written = list(enumerate(raw.data.get("trend", []))) if raw is not None else []
    items = []
    for point in points:
        path: FieldPath = ()
        for n, (index, item) in enumerate(written):
            if item["date"] == point.date and item["direction"] == point.direction:
                path = ("trend", index, "direction")
                del written[n]
                break
        items.append(_Item(point.date.iso, point.direction,
                           f"{point.direction} ({point.date.iso})", path))
    return items


def _event(old: m.Event, new: m.Event, raw: RawRecord) -> Iterator[_Change]:
    yield from _scalars(old, new, raw, (
        ("date", "the date", lambda e: _date(e.date)),
        ("end", "the end", lambda e: _date(e.end)),
        ("circa", "circa", lambda e: str(e.circa).lower()),
        ("place", "the place", lambda e: e.place or "none"),
        ("actors", "the actors", lambda e: ", ".join(sorted(a.id for a in e.actors)) or "none"),
    ))

    def claims(event: m.Event) -> list[_Item]:
        return [_Item(claim.by, claim.text.source, _text(claim.text.source),
                      ("claims", i, "text")) for i, claim in enumerate(event.claims)]

    yield from _items(claims(old), claims(new), "the claim by")


def _dispute(old: m.Dispute, new: m.Dispute, raw: RawRecord) -> Iterator[_Change]:
    def positions(dispute: m.Dispute) -> list[_Item]:
        return [_Item(p.actor, p.text.source, _text(p.text.source), ("positions", i, "position"))
                for i, p in enumerate(dispute.positions)]

    yield from _items(positions(old), positions(new), "the position of")
    yield from _items(_trend(old.trend, None), _trend(new.trend, raw), "the trend point of",
                      moved="date")


def _relationship(old: m.Relationship, new: m.Relationship,
                  raw: RawRecord) -> Iterator[_Change]:
    yield from _items(_trend(old.trend, None), _trend(new.trend, raw), "the trend point of",
                      moved="date")


_COMPARED: Final[dict[str, Any]] = {
    "event": _event, "dispute": _dispute, "relationship": _relationship}
"""The kinds whose published facts are compared, and how."""


def _new_correction(old: Any, new: Any) -> bool:
    """Whether ``new`` has a correction ``old`` did not have."""
    then = Counter((c.date, c.text.source) for c in old.corrections)
    return any(count > then[key] for key, count in
               Counter((c.date, c.text.source) for c in new.corrections).items())


def _how(change: _Change) -> str:
    """What the hint says after what changed: how to add the correction."""
    return ("If that mends a mistake, say so on the record with a correction (its date:"
            " the day it is published):\n"
            "  corrections:\n"
            "    - date: YYYY-MM-DD\n"
            f"      text: An earlier version gave {change.what} as {change.was}.")


def uncorrected_changes(before: Before, now: LinkState, display_root: str
                        ) -> tuple[ContentError, ...]:
    """The warnings: each published fact of ``before`` changed in ``now`` (every
    record linked, drafts included) on a record with no new correction, and each
    published record gone or a draft now."""
    if before.site is None:
        return ()
    raws = {(raw.kind, raw.id): raw for raw in now.loaded.records}
    since = f"since {before.ref}"
    warnings: list[ContentError] = []

    def warn(position: Position, code: str, message: str, hint: str) -> None:
        warnings.append(ContentError(position=position, code=code, message=message,
                                     hint=hint, severity="warning"))

    for kind in RECORD_KINDS:
        for record_id, old in before.site.records(kind.name).items():
            new = now.records[kind.name].get(record_id)
            label = f"{kind.name} {record_id!r}"
            if new is None or new.draft:
                where = (raws[(kind.name, record_id)].position("draft") if new is not None
                         else Position(path=f"{display_root.rstrip('/')}/{old.origin.path}"))
                gone = "is a draft now" if new is not None else "was removed"
                warn(where, "removed-record",
                     f"{label} was published at {before.ref} and {gone}: its page is gone",
                     "Readers' links to it break, and no correction can say why. Keep it"
                     " published and correct it (corrections:) instead; if it must go, say"
                     " so in a correction on a record that stays.")
                continue
            compare = _COMPARED.get(kind.name)
            if compare is None or _new_correction(old, new):
                continue
            raw = raws[(kind.name, record_id)]
            for change in compare(old, new, raw):
                warn(raw.position(*change.path), "uncorrected-change",
                     f"{label}: {change.what} changed {since} without a new correction",
                     f"It was {change.was} at {before.ref} ({before.commit}), now"
                     f" {change.now}. {_how(change)}")
    return tuple(warnings)
