"""``check --since REF``: published facts changed since a git revision without a new
correction.

The content folder as it was at REF (the published revision, in CI) is read out of
git, file by file as committed (``git ls-tree`` and ``git cat-file``: no attributes,
no filters, no checkout touched), into a temporary folder, and loaded and linked
with the same :func:`~kabul_brief.pipeline.load_site` as a build. Its records that
were published then (not drafts) are compared with the content now, record by
record:

- an event's ``date``, ``end``, ``circa``, ``kind``, ``place``, ``actors`` (with their
  roles) and each claim's text;
- an actor's ``name`` and ``roles``; a place's ``name``, ``coordinates`` and ``within``;
- a dispute's ``status``, ``parties``, positions (each actor's text) and trend points
  (date and direction);
- a relationship's trend points; a source's ``date`` and ``url``.

A record that changed in one of these needs a correction that is new since REF: more
corrections than then, one of them in words REF's did not hold (rewording or
re-dating a published correction is no new one). Each change without one is a
warning (``uncorrected-change``) at the changed field in today's file, with what it
was and what it is now. A published record that is gone, or is a draft now, left the
site: that is a warning too (``removed-record``), as a reader's link to it broke and
no correction can say why on a page that is not there. Records new since REF need
nothing.

Corrections are the public record, so they are watched on every kind: one published
at REF and gone now is ``correction-removed``, one changed is ``correction-changed``;
a new one dated before REF's commit day is ``correction-backdated``, one dated after
today (UTC) ``correction-future``.

Anything that makes the comparison impossible is a :class:`SinceError`, one line for
the command line to print as a usage error: git missing, the folder outside a git
work tree, a REF that names no commit, content at REF that does not load (it did not
build then either: compare with the revision that was published). Content that did
not exist at REF had nothing published: nothing to compare, no warning.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator
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
    day: dt.date
    """The commit's committer date (UTC): corrections new since are dated no earlier."""


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
        raise SinceError(_said(done.stderr.decode("utf-8", "replace"), args[0]))
    return done.stdout


def _said(stderr: str, command: str) -> str:
    """What git said, as one line: its ``fatal:`` or ``error:`` line (its advice,
    indented and over several lines, left out), and for a repository it refuses, how
    to let it read it."""
    lines = [" ".join(line.split()) for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return f"git {command} failed"
    said = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0])
    said = said.partition(":")[2].strip() if said.startswith(("fatal:", "error:")) else said
    if "dubious ownership" in said:
        return (f"git refuses to read the repository ({said}); if it is to be trusted,"
                " `git config --global --add safe.directory PATH` (PATH its top folder)"
                " lets git read it")
    return f"git: {said}"


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
    stamp = _git(["show", "-s", "--format=%ct", commit], top).decode().strip()
    day = dt.datetime.fromtimestamp(int(stamp), dt.UTC).date()
    files = _tree_files(commit, prefix, top)
    if not files:
        return Before(ref=ref, commit=short, site=None, day=day)
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
    return Before(ref=ref, commit=short, site=site, day=day)


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
    anchor: str = ""
    """What tells apart items of one key whose values may move between them (a trend
    point's note); empty where nothing does."""


def _match(lost: list[_Item], added: list[_Item], key: Callable[[_Item], Hashable | None]
           ) -> tuple[list[tuple[_Item, _Item]], list[_Item], list[_Item]]:
    """Pairs, in order, each of ``lost`` with the first of ``added`` of the same
    ``key`` (None: pair with nothing); returns the pairs and what is left of each."""
    waiting: dict[Hashable, deque[_Item]] = defaultdict(deque)
    for item in added:
        found = key(item)
        if found is not None:
            waiting[found].append(item)
    pairs, left = [], []
    for item in lost:
        found = key(item)
        bucket = waiting.get(found) if found is not None else None
        if bucket:
            pairs.append((item, bucket.popleft()))
        else:
            left.append(item)
    taken = {id(other) for _, other in pairs}
    return pairs, left, [item for item in added if id(item) not in taken]


def _items(old: list[_Item], new: list[_Item], noun: str,
           moved: str = "") -> Iterator[_Change]:
    """Each fact of ``old`` that ``new`` no longer has, paired with what stands there
    now: first a fact of the same key and anchor (two points of one day whose
    directions were swapped are two changes), then the same key and value (a note
    reworded changes no fact), then the same key, else (when ``moved`` names the
    field) the next fact ``new`` added; else it was removed. Facts only added need
    nothing."""
    _, lost, added = _match(old, new, lambda i: (i.key, i.value, i.anchor))
    anchored, lost, added = _match(lost, added, lambda i: (i.key, i.anchor) if i.anchor else None)
    for item, now in anchored:
        if item.value != now.value:
            yield _Change(f"{noun} {item.key}", item.shown, now.shown, now.path)
    _, lost, added = _match(lost, added, lambda i: (i.key, i.value))
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


def _note(note: object) -> str:
    text = note.source if isinstance(note, m.Markup) else note
    return " ".join(text.split()) if isinstance(text, str) else ""


def _trend(points: Iterable[m.TrendPoint], raw: RawRecord | None) -> list[_Item]:
    """A trend's points; with today's raw record, each at the point as written."""
    written = list(enumerate(raw.data.get("trend", []))) if raw is not None else []
    items = []
    for point in points:
        path: FieldPath = ()
        note = _note(point.note)
        for n, (index, item) in enumerate(written):
            if (item["date"] == point.date and item["direction"] == point.direction
                    and _note(item.get("note")) == note):
                path = ("trend", index, "direction")
                del written[n]
                break
        items.append(_Item(point.date.iso, point.direction,
                           f"{point.direction} ({point.date.iso})", path, note))
    return items


def _event(old: m.Event, new: m.Event, raw: RawRecord) -> Iterator[_Change]:
    def actors(event: m.Event) -> str:
        return ", ".join(sorted(a.id if a.role is None else f"{a.id} ({a.role})"
                                for a in event.actors)) or "none"

    yield from _scalars(old, new, raw, (
        ("date", "the date", lambda e: _date(e.date)),
        ("end", "the end", lambda e: _date(e.end)),
        ("circa", "circa", lambda e: str(e.circa).lower()),
        ("kind", "the kind", lambda e: e.kind),
        ("place", "the place", lambda e: e.place or "none"),
        ("actors", "the actors", actors),
    ))

    def claims(event: m.Event) -> list[_Item]:
        return [_Item(claim.by, claim.text.source, _text(claim.text.source),
                      ("claims", i, "text")) for i, claim in enumerate(event.claims)]

    yield from _items(claims(old), claims(new), "the claim by")


def _actor(old: m.Actor, new: m.Actor, raw: RawRecord) -> Iterator[_Change]:
    def roles(actor: m.Actor) -> str:
        return "; ".join(sorted(
            f"{r.title} of {r.of} ({_date(r.start)} to {_date(r.end)})"
            for r in actor.roles)) or "none"

    yield from _scalars(old, new, raw, (
        ("name", "the name", lambda a: _text(a.name)),
        ("roles", "the roles", roles),
    ))


def _place(old: m.Place, new: m.Place, raw: RawRecord) -> Iterator[_Change]:
    yield from _scalars(old, new, raw, (
        ("name", "the name", lambda p: _text(p.name)),
        ("coordinates", "the coordinates",
         lambda p: "none" if p.coordinates is None else f"{p.coordinates[0]}, {p.coordinates[1]}"),
        ("within", "the place it is within", lambda p: p.within or "none"),
    ))


def _source(old: m.Source, new: m.Source, raw: RawRecord) -> Iterator[_Change]:
    yield from _scalars(old, new, raw, (
        ("date", "the date", lambda r: _date(r.date)),
        ("url", "the address", lambda r: r.url or "none"),
    ))


def _dispute(old: m.Dispute, new: m.Dispute, raw: RawRecord) -> Iterator[_Change]:
    def positions(dispute: m.Dispute) -> list[_Item]:
        return [_Item(p.actor, p.text.source, _text(p.text.source), ("positions", i, "position"))
                for i, p in enumerate(dispute.positions)]

    yield from _scalars(old, new, raw, (
        ("status", "the status", lambda d: d.status),
        ("parties", "the parties", lambda d: ", ".join(sorted(d.parties)) or "none"),
    ))
    yield from _items(positions(old), positions(new), "the position of")
    yield from _items(_trend(old.trend, None), _trend(new.trend, raw), "the trend point of",
                      moved="date")


def _relationship(old: m.Relationship, new: m.Relationship,
                  raw: RawRecord) -> Iterator[_Change]:
    yield from _items(_trend(old.trend, None), _trend(new.trend, raw), "the trend point of",
                      moved="date")


_COMPARED: Final[dict[str, Any]] = {
    "actor": _actor, "place": _place, "event": _event, "dispute": _dispute,
    "relationship": _relationship, "source": _source}
"""The kinds whose published facts are compared, and how."""


def _key(correction: m.Correction) -> tuple[str, str]:
    return correction.date.iso, correction.text.source


@dataclass(frozen=True, slots=True)
class _Corrections:
    """How a record's corrections differ from REF's: each matched as a whole (its day
    and its text)."""

    added: tuple[tuple[int, m.Correction], ...]
    """Today's corrections that REF did not have, with their index in today's list."""
    lost: tuple[m.Correction, ...]
    """REF's corrections that today's list does not have as they were."""
    new: bool
    """Whether the record has a correction that is new since REF: more corrections
    than then, one of them in words REF's did not hold (rewording or re-dating one
    of REF's corrections is no new correction)."""


def _corrections(old: Any, new: Any) -> _Corrections:
    then: list[m.Correction] = list(getattr(old, "corrections", ()))
    now: list[m.Correction] = list(getattr(new, "corrections", ()))
    left = Counter(_key(c) for c in then)
    added = []
    for index, correction in enumerate(now):
        if left[_key(correction)] > 0:
            left[_key(correction)] -= 1
        else:
            added.append((index, correction))
    kept = Counter(_key(c) for c in now)
    lost = []
    for correction in then:
        if kept[_key(correction)] > 0:
            kept[_key(correction)] -= 1
        else:
            lost.append(correction)
    texts = {c.text.source for c in then}
    is_new = len(now) > len(then) and any(c.text.source not in texts for _, c in added)
    return _Corrections(tuple(added), tuple(lost), is_new)


def _how(change: _Change) -> str:
    """What the hint says after what changed: how to add the correction."""
    return ("If that mends a mistake, say so on the record with a correction (its date:"
            " the day it is published):\n"
            "  corrections:\n"
            "    - date: YYYY-MM-DD\n"
            f"      text: An earlier version gave {change.what} as {change.was}.")


def uncorrected_changes(before: Before, now: LinkState, display_root: str,
                        today: dt.date | None = None) -> tuple[ContentError, ...]:
    """The warnings: each published fact of ``before`` changed in ``now`` (every
    record linked, drafts included) on a record with no new correction, and each
    published record gone or a draft now."""
    if before.site is None:
        return ()
    today = today if today is not None else dt.datetime.now(dt.UTC).date()
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
            raw = raws[(kind.name, record_id)]
            corrections = _corrections(old, new)
            fresh = list(corrections.added)
            for lost in corrections.lost:
                twin = next(((i, c) for i, c in fresh
                             if c.date == lost.date or c.text.source == lost.text.source), None)
                shown = f"{lost.date.iso}, {_text(lost.text.source)}"
                if twin is None:
                    warn(raw.position("corrections"), "correction-removed",
                         f"{label}: a correction published at {before.ref} was removed",
                         f"It read: {shown}. A correction is the public record of a mistake:"
                         " keep it as it was, and add a new one if it was wrong itself.")
                    continue
                fresh.remove(twin)
                index, now_as = twin
                warn(raw.position("corrections", index), "correction-changed",
                     f"{label}: a correction published at {before.ref} was changed",
                     f"It was {shown}; now {now_as.date.iso}, {_text(now_as.text.source)}."
                     " Keep a published correction as it was, and add a new one (dated the"
                     " day it is published) to correct it.")
            for index, added in fresh:
                if added.date.start < before.day:
                    warn(raw.position("corrections", index, "date"), "correction-backdated",
                         f"{label}: a correction new since {before.ref} is dated"
                         f" {added.date.iso}, before that revision ({before.day.isoformat()})",
                         "Date a correction the day it is published, so that readers see"
                         " when the record was corrected.")
            compare = _COMPARED.get(kind.name)
            if compare is None or corrections.new:
                continue
            for change in compare(old, new, raw):
                warn(raw.position(*change.path), "uncorrected-change",
                     f"{label}: {change.what} changed {since} without a new correction",
                     f"It was {change.was} at {before.ref} ({before.commit}), now"
                     f" {change.now}. {_how(change)}")
    for kind in RECORD_KINDS:  # a correction dated after today, on any record
        for record_id, new in now.records[kind.name].items():
            old = before.site.records(kind.name).get(record_id)
            for index, added in _corrections(old, new).added:
                if added.date.start > today:
                    warn(raws[(kind.name, record_id)].position("corrections", index, "date"),
                         "correction-future",
                         f"{kind.name} {record_id!r}: a correction is dated {added.date.iso},"
                         f" after today ({today.isoformat()}, UTC)",
                         "Date a correction the day it is published.")
    return tuple(warnings)
