"""What each page read of the model, recorded as its view is made.

The dependency graph of a build: every record page's view is made from a site whose
mappings and tuples note each key they are asked for (:func:`tracked`), so the graph
follows the code that makes the views and cannot drift from it, as a hand-kept table
of "the actor page shows these" would. A read is a short string, ``FIELD/KEY``:
``events/event-1`` (that event's record), ``backlinks.actor_events/actor-1`` (the
events listing that actor), or ``events/`` (which events there are, in which order:
any iteration, ``len`` or listing of the mapping). A page's view is a pure function
of the values of the keys it read, so if none of them changed since the build that
recorded them, the page's bytes are the ones it had then (a page that reads a key
only under some condition read the same keys again, since everything it decided on
is the same).

Shared by all pages, and so not recorded per page: the templates, the chrome (the
site's settings, navigation, base URL) and the program's version; see
:mod:`~kabul_brief.publish.build`.

The helpers that remember a result for several pages (the links and event items of
:class:`~kabul_brief.publish.views.Kit`) remember what it read with it
(:func:`remembered`), and every page that takes the result takes those reads too.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final, TypeVar

from kabul_brief.content import model as m

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

BACKLINKS: Final = "backlinks."
"""Prefix of the reads of reverse indexes: ``backlinks.actor_events/actor-1``."""
_UNTRACKED: Final = frozenset({"settings", "backlinks", "history_missing"})
"""Site fields not recorded per key: the settings are in every page's shared inputs;
the reverse indexes are recorded each on its own; why the history is missing is read
by the warnings alone (and follows from the revision, in every page's inputs)."""

_reading: list[set[str]] = []
"""The reads of the pages (and remembered helpers) being made, innermost last."""


def note(read: str) -> None:
    if _reading:
        _reading[-1].add(read)


@contextmanager
def reading() -> Iterator[set[str]]:
    """Collect what the code inside reads; an enclosing collection gets it too."""
    found: set[str] = set()
    _reading.append(found)
    try:
        yield found
    finally:
        _reading.pop()
        if _reading:
            _reading[-1].update(found)


def remembered(cache: dict[Hashable, tuple[T, frozenset[str]]], key: Hashable,
               compute: Callable[[], T]) -> T:
    """``cache[key]``, computed once; whoever takes it is told what computing it read."""
    hit = cache.get(key)
    if hit is None:
        with reading() as found:
            value = compute()
        cache[key] = (value, frozenset(found))
        return value
    if _reading:
        _reading[-1].update(hit[1])
    return hit[0]


class TrackedMapping(Mapping[K, V]):
    """A read-only view of a model mapping that notes what is asked of it."""

    __slots__ = ("_data", "_name")

    def __init__(self, name: str, data: Mapping[K, V]) -> None:
        self._name = name
        self._data = data

    def __getitem__(self, key: K) -> V:
        note(f"{self._name}/{key}")
        return self._data[key]

    def get(self, key: K, default: Any = None) -> Any:
        note(f"{self._name}/{key}")
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        note(f"{self._name}/{key}")
        return key in self._data

    def __iter__(self) -> Iterator[K]:
        note(f"{self._name}/")
        return iter(self._data)

    def __len__(self) -> int:
        note(f"{self._name}/")
        return len(self._data)

    def keys(self) -> Any:
        note(f"{self._name}/")
        return self._data.keys()

    def values(self) -> Any:
        return [self[key] for key in self]

    def items(self) -> Any:
        return [(key, self[key]) for key in self]

    def __eq__(self, other: object) -> bool:
        note(f"{self._name}/")
        return dict(self.items()) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TrackedMapping({self._name!r}, {self._data!r})"


class TrackedTuple(tuple[T, ...]):
    """A model tuple (the timeline) that notes being read at all: as a whole."""

    _name: str = ""

    def __getitem__(self, index: Any) -> Any:
        note(f"{self._name}/")
        return super().__getitem__(index)

    def __iter__(self) -> Iterator[T]:
        note(f"{self._name}/")
        return super().__iter__()

    def __len__(self) -> int:
        note(f"{self._name}/")
        return super().__len__()

    def __contains__(self, item: object) -> bool:
        note(f"{self._name}/")
        return super().__contains__(item)


def _tracked_tuple(name: str, values: tuple[T, ...]) -> tuple[T, ...]:
    kind = type(f"Tracked_{name}", (TrackedTuple,), {"_name": name, "__slots__": ()})
    return kind(values)  # type: ignore[no-any-return]


def tracked(site: m.Site) -> m.Site:
    """The same site, its reads noted while a :func:`reading` is open."""
    backlinks = dataclasses.replace(site.backlinks, **{
        field.name: TrackedMapping(BACKLINKS + field.name, getattr(site.backlinks, field.name))
        for field in dataclasses.fields(site.backlinks)
    })
    changes: dict[str, Any] = {"backlinks": backlinks}
    for field in dataclasses.fields(site):
        if field.name in _UNTRACKED:
            continue
        value = getattr(site, field.name)
        if isinstance(value, Mapping):
            changes[field.name] = TrackedMapping(field.name, value)
        elif isinstance(value, tuple):
            changes[field.name] = _tracked_tuple(field.name, value)
        else:  # a new kind of field: track it here before it reaches the views
            raise TypeError(f"Site.{field.name} cannot be tracked")
    return dataclasses.replace(site, **changes)


def _digest(value: object) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"),
                           digest_size=12).hexdigest()


def key_digests(site: m.Site) -> dict[str, str]:
    """Every read a page can make -> a digest of what it gives now: comparing two
    builds' digests tells which reads changed."""
    found: dict[str, str] = {}
    for name, value in _fields(site):
        if isinstance(value, Mapping):
            found[f"{name}/"] = _digest(tuple(value))
            for key, item in value.items():
                found[f"{name}/{key}"] = _digest(item)
        else:
            found[f"{name}/"] = _digest(value)
    return found


def changed_reads(before: Mapping[str, str], now: Mapping[str, str]) -> set[str]:
    """The reads whose value differs (a key that appeared or went away included)."""
    return {key for key in before.keys() | now.keys() if before.get(key) != now.get(key)}


def _fields(site: m.Site) -> Iterator[tuple[str, Any]]:
    """(name of the read's field, its value) for every field a page can read."""
    for field in dataclasses.fields(site):
        if field.name not in _UNTRACKED:
            yield field.name, getattr(site, field.name)
    for field in dataclasses.fields(site.backlinks):
        yield BACKLINKS + field.name, getattr(site.backlinks, field.name)


def changed_between(before: m.Site, now: m.Site) -> set[str]:
    """The reads that give something else in ``now`` than in ``before``, by comparing
    the two models (as a resident preview holds both): the same answer as comparing
    their :func:`key_digests`, without digesting every record."""
    changed: set[str] = set()
    for (name, old), (_, new) in zip(_fields(before), _fields(now), strict=True):
        if old is new:
            continue
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            if old != new:
                changed.add(f"{name}/")
            continue
        if tuple(old) != tuple(new):
            changed.add(f"{name}/")
        for key in old.keys() | new.keys():
            was, is_now = old.get(key, _MISSING), new.get(key, _MISSING)
            if was is not is_now and was != is_now:
                changed.add(f"{name}/{key}")
    return changed


_MISSING: Final = object()
