"""The network of actors, drawn at build time: the whole picture on the network page
(one layout for wide screens, a narrower one for phones) and, on each actor's page,
its own ties.

An actor's kind is told by the shape of its mark and by its colour (the colours are
the stylesheet's, for light and dark mode); a legend in the figure says which is
which. Every mark is a link to the actor's page, and every picture has its text
equivalent, a list of the ties.

The layout is deterministic (the same content gives the same bytes) and is measured
while it is made: an initial layout from networkx (a seeded spring layout) is
repaired until no two marks are close, no line passes within :data:`CLEARANCE` of
an actor it does not join, and every label has a place of its own, inside the
picture, that meets no other label and no mark (labels go beside, above or below
their mark, where they cross the fewest lines). Where no such place is left the
marks in the way are pushed apart and, failing that, the picture grows.
Label widths are reckoned from a table of the widest of the sans-serif fonts the
theme may show (see :func:`label_width`), so that a label is never wider than its
box.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from kabul_brief.content import model as m
from kabul_brief.content.schemas import ACTOR_KINDS
from kabul_brief.publish.interface import N_
from kabul_brief.publish.views import Kit, Link

if TYPE_CHECKING:
    import networkx as nx

NETWORK_MAX_DRAWN: Final = 30
"""The wide picture shows at most this many actors, the most connected; more would be
an unreadable tangle. The list below it has every actor."""
NETWORK_NARROW_DRAWN: Final = 15
"""The phone's picture shows at most this many (the most connected)."""
NEIGHBOURS_DRAWN: Final = 12
"""An actor's own picture shows at most this many of its ties, the strongest."""
NETWORK_SEED: Final = 20250427
"""Fixed seed of the initial layout: the same content always gives the same layout."""

RADIUS: Final = 8.0
"""Nominal radius of a mark; the shapes reach at most 12 from their centre."""
REACH: Final = 12.0
CLEARANCE: Final = REACH + 4
"""No line passes nearer than this to the centre of an actor it does not join."""
GAP: Final = 2 * REACH + 10
"""Least distance between two marks' centres."""
LABEL_PAD: Final = 3.0
"""Least gap between two labels' boxes, and between a label and a mark."""
ASCENT: Final = 1.07
DESCENT: Final = 0.40
"""A label's box above and below its baseline, in ems: the largest line box of the
fonts of :data:`_ADVANCE` (Noto Sans: 1.069 and 0.293; Source Sans 3: 1.024, 0.4)."""

_ADVANCE: Final = (
    278, 334, 482, 646, 572, 901, 750, 275, 339, 339, 545, 584, 285, 334, 285, 413, 572, 572,
    572, 572, 572, 572, 572, 572, 572, 572, 334, 334, 584, 584, 584, 611, 976, 723, 723, 723,
    740, 667, 611, 778, 765, 389, 557, 723, 611, 943, 813, 796, 667, 796, 723, 667, 611, 756,
    667, 967, 667, 667, 611, 334, 413, 334, 584, 557, 549, 604, 633, 557, 633, 591, 387, 633,
    657, 305, 305, 620, 305, 982, 657, 619, 633, 633, 454, 557, 434, 657, 569, 856, 578, 569,
    500, 394, 551, 394, 584,
)
"""Advance widths of the printable ASCII characters (space to tilde) in thousandths of an
em: for each, the widest of Noto Sans Bold, Liberation Sans Bold (Arial's metrics) and
Source Sans 3 SemiBold, the faces a label in weight 600 is likely shown in."""
_OTHER: Final = 700
_WIDE: Final = 1000

SHAPES: Final[dict[str, str]] = {
    "person": "M-8,0 A8,8 0 1,0 8,0 A8,8 0 1,0 -8,0 Z",
    "state": "M-7,-7 H7 V7 H-7 Z",
    "government": "M0,-10 L10,0 L0,10 L-10,0 Z",
    "organisation": "M9,0 L4.5,7.8 L-4.5,7.8 L-9,0 L-4.5,-7.8 L4.5,-7.8 Z",
    "armed-group": "M0,-12 L10.5,6 L-10.5,6 Z",
    "multilateral": "M0,-11 L2.8,-3.9 L10.5,-3.4 L4.6,1.5 L6.5,8.9 L0,4.8 L-6.5,8.9"
                    " L-4.6,1.5 L-10.5,-3.4 L-2.8,-3.9 Z",
    "group": "M0,12 L10.5,-6 L-10.5,-6 Z",
}
"""SVG path data of each kind's mark, centred on (0, 0), of about the same area."""
SHAPE_NAMES: Final[dict[str, str]] = {
    "person": "circle", "state": "square", "government": "diamond", "organisation": "hexagon",
    "armed-group": "triangle", "multilateral": "star", "group": "triangle pointing down",
}
KIND_NAMES: Final[dict[str, str]] = {
    "person": N_("Person"), "state": N_("State"), "government": N_("Government"),
    "organisation": N_("Organisation"), "armed-group": N_("Armed group"),
    "multilateral": N_("Multilateral body"), "group": N_("Group"),
}
assert set(SHAPES) == set(SHAPE_NAMES) == set(KIND_NAMES) == set(ACTOR_KINDS)


LABEL_MOST_EMS: Final = 16
"""The widest a label may be, in ems (about 28 letters): a longer name is cut at a
word, with an ellipsis (the mark's title and the list of ties give it whole), so that
one long name cannot make a picture thousands of pixels tall to find it room."""


def short_label(name: str, size: float) -> str:
    """``name``, or as many of its words (or letters, for one long word) as fit in
    :data:`LABEL_MOST_EMS` with an ellipsis."""
    most = LABEL_MOST_EMS * size
    if label_width(name, size) <= most:
        return name
    room = most - label_width("\u2026", size)
    words = name.split()
    kept: list[str] = []
    for word in words:
        if label_width(" ".join([*kept, word]), size) > room:
            break
        kept.append(word)
    text = " ".join(kept)
    if not kept:  # a first word too long on its own: as many of its letters as fit
        for char in words[0] if words else name:
            if label_width(text + char, size) > room:
                break
            text += char
    return text.rstrip(" ,;:-") + "\u2026"


def label_width(text: str, size: float) -> float:
    """The width of ``text`` set in weight 600 at ``size``, at most: a letter with
    accents counts as its base letter, a wide (East Asian) character as an em, any
    other character not in the table as 0.7 em."""
    total = 0
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            total += _ADVANCE[code - 32]
            continue
        if unicodedata.combining(char):
            continue
        base = unicodedata.normalize("NFD", char)[0]
        if 32 <= ord(base) < 127:
            total += _ADVANCE[ord(base) - 32]
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += _WIDE
        else:
            total += _OTHER
    return total * size / 1000


def _n(value: float) -> str:
    """A coordinate as short, stable text."""
    text = f"{value:.1f}"
    text = "0.0" if text == "-0.0" else text
    return text[:-2] if text.endswith(".0") else text


# -- geometry ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def meets(self, other: Box, pad: float = 0.0) -> bool:
        return (self.x0 < other.x1 + pad and other.x0 < self.x1 + pad
                and self.y0 < other.y1 + pad and other.y0 < self.y1 + pad)

    def near(self, x: float, y: float, reach: float) -> bool:
        """Whether a point's disc of radius ``reach`` meets the box."""
        dx = max(self.x0 - x, 0.0, x - self.x1)
        dy = max(self.y0 - y, 0.0, y - self.y1)
        return dx * dx + dy * dy < reach * reach

    def within(self, width: float, height: float) -> bool:
        return self.x0 >= 0 and self.y0 >= 0 and self.x1 <= width and self.y1 <= height

    def crossed(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether the segment from ``a`` to ``b`` passes through the box (Liang-Barsky)."""
        (ax, ay), (bx, by) = a, b
        dx, dy = bx - ax, by - ay
        low, high = 0.0, 1.0
        for p, q in ((-dx, ax - self.x0), (dx, self.x1 - ax),
                     (-dy, ay - self.y0), (dy, self.y1 - ay)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


def segment_distance(point: tuple[float, float], a: tuple[float, float],
                     b: tuple[float, float]) -> tuple[float, float, float]:
    """Distance from ``point`` to the segment ``a``-``b``, and the nearest point on it."""
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    nx_, ny_ = ax + t * dx, ay + t * dy
    return math.hypot(px - nx_, py - ny_), nx_, ny_


# -- the layout --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    """The baseline's anchor point."""
    anchor: str
    """``start``, ``middle`` or ``end`` (SVG ``text-anchor``)."""
    box: Box


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float
    positions: dict[str, tuple[float, float]]
    labels: dict[str, Label]


def _candidates(x: float, y: float, width: float, size: float
                ) -> Iterable[tuple[float, Label]]:
    """Places for a label beside its mark, each with the cost of its being there."""
    ascent, descent = ASCENT * size, DESCENT * size
    height = ascent + descent
    middle = y + (ascent - descent) / 2  # the baseline of a box centred on y
    side = REACH + LABEL_PAD
    corner = REACH * 0.7 + LABEL_PAD
    yield 0.0, Label(x + side, middle, "start", Box(x + side, middle - ascent,
                                                     x + side + width, middle + descent))
    yield 1.0, Label(x - side, middle, "end", Box(x - side - width, middle - ascent,
                                                   x - side, middle + descent))
    yield 1.5, Label(x, y + side + ascent, "middle",
                     Box(x - width / 2, y + side, x + width / 2, y + side + height))
    yield 1.5, Label(x, y - side - descent, "middle",
                     Box(x - width / 2, y - side - height, x + width / 2, y - side))
    for cost, top in ((2.2, y + side), (2.2, y - side - height)):  # below or above, to one side
        yield cost, Label(x - RADIUS, top + ascent, "start",
                          Box(x - RADIUS, top, x - RADIUS + width, top + height))
        yield cost, Label(x + RADIUS, top + ascent, "end",
                          Box(x + RADIUS - width, top, x + RADIUS, top + height))
    for cost, sx, sy in ((2.0, 1, -1), (2.0, 1, 1), (2.5, -1, -1), (2.5, -1, 1)):
        left = x + corner if sx > 0 else x - corner - width
        top = y - corner - height if sy < 0 else y + corner
        yield cost, Label(x + sx * corner, top + ascent, "start" if sx > 0 else "end",
                          Box(left, top, left + width, top + height))


_Segment = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True, slots=True)
class _Choice:
    cost: float
    label: Label
    labels: list[int]
    marks: list[int]

    @property
    def free(self) -> bool:
        return not self.labels and not self.marks


class _Layout:
    """Repairs an initial layout until it is clean (see the module's docstring).
    Actors are numbered in the order given; positions are two lists of floats."""

    def __init__(self, nodes: Sequence[str], edges: Sequence[tuple[str, str]],
                 widths: dict[str, float], size: float, width: float, height: float,
                 start: dict[str, tuple[float, float]], fixed_width: bool) -> None:
        self.nodes = list(nodes)
        index = {n: i for i, n in enumerate(self.nodes)}
        self.edges = [(index[a], index[b]) for a, b in edges]
        self.widths = [widths[n] for n in self.nodes]
        self.size, self.width, self.height = size, width, height
        self.fixed_width = fixed_width
        self.xs = [start[n][0] for n in self.nodes]
        self.ys = [start[n][1] for n in self.nodes]
        degree = [0] * len(self.nodes)
        for a, b in self.edges:
            degree[a] += 1
            degree[b] += 1
        self.order = sorted(range(len(self.nodes)), key=lambda i: (-degree[i], self.nodes[i]))

    def _clamp(self) -> None:
        low = REACH + 2
        self.xs = [min(max(x, low), self.width - low) for x in self.xs]
        self.ys = [min(max(y, low), self.height - low) for y in self.ys]

    def _move(self, i: int, dx: float, dy: float) -> None:
        self.xs[i] += dx
        self.ys[i] += dy

    def _too_close(self) -> Iterable[tuple[int, int, float, float, float]]:
        """Pairs of marks nearer than :data:`GAP`: the two, the distance and the unit
        vector from the first to the second."""
        xs, ys, count = self.xs, self.ys, len(self.xs)
        for a in range(count):
            for b in range(a + 1, count):
                dx, dy = xs[b] - xs[a], ys[b] - ys[a]
                if abs(dx) >= GAP or abs(dy) >= GAP:
                    continue
                d = math.hypot(dx, dy)
                if d < GAP:
                    yield (a, b, d, *((dx / d, dy / d) if d > 1e-6 else _direction(a + b)))

    def _off_line(self) -> Iterable[tuple[int, int, int, float, float, float]]:
        """Marks nearer than :data:`CLEARANCE` to a line they are not on: the line's two
        ends, the mark, the distance and the unit vector from the line to the mark."""
        xs, ys = self.xs, self.ys
        for a, b in self.edges:
            ax, ay, bx, by = xs[a], ys[a], xs[b], ys[b]
            left, right = min(ax, bx) - CLEARANCE, max(ax, bx) + CLEARANCE
            top, bottom = min(ay, by) - CLEARANCE, max(ay, by) + CLEARANCE
            for c, (cx, cy) in enumerate(zip(xs, ys, strict=True)):
                if not (left < cx < right and top < cy < bottom) or c in (a, b):
                    continue
                d, qx, qy = segment_distance((cx, cy), (ax, ay), (bx, by))
                if d >= CLEARANCE:
                    continue
                if d > 1e-6:
                    yield a, b, c, d, (cx - qx) / d, (cy - qy) / d
                else:
                    length = math.hypot(bx - ax, by - ay) or 1.0
                    yield a, b, c, d, -(by - ay) / length, (bx - ax) / length

    def separate(self, rounds: int = 300) -> bool:
        """Push marks apart, and marks off lines they do not join; True once none is
        too close."""
        for _ in range(rounds):
            moved = False
            for a, b, d, ux, uy in list(self._too_close()):
                push = (GAP - d) / 2 + 0.5
                self._move(a, -ux * push, -uy * push)
                self._move(b, ux * push, uy * push)
                moved = True
            for a, b, c, d, ux, uy in list(self._off_line()):
                push = CLEARANCE - d + 0.5
                self._move(c, ux * push * 0.7, uy * push * 0.7)
                self._move(a, -ux * push * 0.3, -uy * push * 0.3)
                self._move(b, -ux * push * 0.3, -uy * push * 0.3)
                moved = True
            self._clamp()
            if not moved:
                return True
        return self.clean()

    def clean(self) -> bool:
        return next(iter(self._too_close()), None) is None and next(
            iter(self._off_line()), None) is None

    def _blockers(self, node: int, box: Box, placed: dict[int, Label]
                  ) -> tuple[list[int], list[int]] | None:
        """The actors whose labels, and those whose marks, are in the way of ``box``;
        None for a box outside the picture."""
        if not box.within(self.width, self.height):
            return None
        return ([o for o, label in placed.items() if box.meets(label.box, LABEL_PAD)],
                [o for o, (x, y) in enumerate(zip(self.xs, self.ys, strict=True))
                 if o != node and box.near(x, y, REACH + LABEL_PAD)])

    def _choices(self, node: int, placed: dict[int, Label], segments: list[_Segment]
                 ) -> list[_Choice]:
        """Each place for ``node``'s label inside the picture, cheapest first: its cost
        (crossing a line costs most), and the actors whose labels and marks are in its
        way."""
        found = []
        for cost, label in _candidates(self.xs[node], self.ys[node], self.widths[node],
                                       self.size):
            blockers = self._blockers(node, label.box, placed)
            if blockers is not None:
                crossings = sum(1 for a, b in segments if label.box.crossed(a, b))
                found.append(_Choice(cost + 4 * crossings, label, *blockers))
        return sorted(found, key=lambda choice: choice.cost)

    def _segments(self) -> list[_Segment]:
        return [((self.xs[a], self.ys[a]), (self.xs[b], self.ys[b])) for a, b in self.edges]

    def place_labels(self) -> tuple[dict[int, Label], dict[int, list[int]]]:
        """A place for each label, the most connected first; a label with none free
        may take the place of labels already placed that can move to another. Then
        each label in turn moves to a cheaper free place, while one is found. Also,
        for each label left without a place, the actors in the way of its least
        crowded place."""
        placed: dict[int, Label] = {}
        stuck: dict[int, list[int]] = {}
        segments = self._segments()
        for node in self.order:
            choices = self._choices(node, placed, segments)
            free = [c.label for c in choices if c.free]
            if free:
                placed[node] = free[0]
            elif not self._displace(node, choices, placed, segments):
                crowded = [c.labels + c.marks for c in choices]
                stuck[node] = min(crowded, key=len) if crowded else []
        for _ in range(4):
            better = False
            for node in self.order:
                if node not in placed:
                    continue
                rest = {k: v for k, v in placed.items() if k != node}
                choices = [c for c in self._choices(node, rest, segments) if c.free]
                now = next(c.cost for c in choices if c.label == placed[node])
                if choices[0].cost < now - 1e-9:
                    placed[node] = choices[0].label
                    better = True
            if not better:
                break
        return placed, stuck

    def _displace(self, node: int, choices: list[_Choice], placed: dict[int, Label],
                  segments: list[_Segment]) -> bool:
        """Give ``node`` a place held only by other labels, each of which moves to a
        free place of its own; True if that could be done."""
        for choice in choices:
            if choice.marks:
                continue
            trial = {k: v for k, v in placed.items() if k not in choice.labels}
            trial[node] = choice.label
            for other in choice.labels:
                again = [c.label for c in self._choices(other, trial, segments) if c.free]
                if not again:
                    break
                trial[other] = again[0]
            else:
                placed.clear()
                placed.update(trial)
                return True
        return False

    def push(self, stuck: dict[int, list[int]]) -> None:
        """Move the actors in the way of a label away from its actor."""
        centre = (self.width / 2, self.height / 2)
        for index, (node, blockers) in enumerate(stuck.items()):
            x, y = self.xs[node], self.ys[node]
            if not blockers:  # no place inside the picture: towards the middle
                dx, dy = centre[0] - x, centre[1] - y
                d = math.hypot(dx, dy) or 1.0
                self._move(node, dx / d * 12, dy / d * 12)
                continue
            for other in dict.fromkeys(blockers):
                d = math.hypot(self.xs[other] - x, self.ys[other] - y)
                ux, uy = (((self.xs[other] - x) / d, (self.ys[other] - y) / d) if d > 1e-6
                          else _direction(index))
                self._move(other, ux * 12, uy * 12)
                self._move(node, -ux * 6, -uy * 6)
        self._clamp()

    def grow(self, factor: float) -> None:
        """More room: taller, and wider too unless the width is fixed."""
        self.height *= factor
        self.ys = [y * factor for y in self.ys]
        if not self.fixed_width:
            self.width *= factor
            self.xs = [x * factor for x in self.xs]

    def run(self) -> Layout:
        placed: dict[int, Label] = {}
        for attempt in range(400):
            clean = self.separate()
            placed, stuck = self.place_labels()
            if clean and not stuck:
                break
            self.push(stuck)
            if attempt % 8 == 7:
                self.grow(1.1)
        return Layout(self.width, self.height,
                      {n: (self.xs[i], self.ys[i]) for i, n in enumerate(self.nodes)},
                      {self.nodes[i]: label for i, label in placed.items()})


def _direction(index: int) -> tuple[float, float]:
    """A fixed direction for pushing apart two marks at the same place."""
    angle = index * 2.399963  # the golden angle: successive pushes spread around
    return math.cos(angle), math.sin(angle)


def lay_out(nodes: Sequence[str], edges: Sequence[tuple[str, str]],
            names: dict[str, str], size: float, width: float, height: float,
            start: dict[str, tuple[float, float]], fixed_width: bool = False) -> Layout:
    """Lay out ``nodes`` (in a fixed order), starting from ``start`` (positions in any
    unit: they are scaled to the picture) and cropped to what it draws; where room is
    short the picture grows, taller only if ``fixed_width``."""
    xs = [start[n][0] for n in nodes]
    ys = [start[n][1] for n in nodes]
    margin = REACH + 4

    def scale(value: float, low: float, high: float, extent: float) -> float:
        if high - low < 1e-9:
            return extent / 2
        return margin + (value - low) / (high - low) * (extent - 2 * margin)

    placed = {n: (scale(start[n][0], min(xs), max(xs), width),
                  scale(start[n][1], min(ys), max(ys), height)) for n in nodes}
    widths = {n: label_width(names[n], size) for n in nodes}
    layout = _Layout(nodes, edges, widths, size, width, height, placed, fixed_width).run()
    return _cropped(layout)


def _cropped(layout: Layout) -> Layout:
    """The layout moved so that its marks and labels start 4 units from the top left
    corner, and the picture ends 4 units beyond them."""
    boxes = [label.box for label in layout.labels.values()]
    boxes += [Box(x - REACH, y - REACH, x + REACH, y + REACH)
              for x, y in layout.positions.values()]
    if not boxes:
        return layout
    left = min(b.x0 for b in boxes) - 4
    top = min(b.y0 for b in boxes) - 4
    right = max(b.x1 for b in boxes) + 4
    bottom = max(b.y1 for b in boxes) + 4

    def moved(box: Box) -> Box:
        return Box(box.x0 - left, box.y0 - top, box.x1 - left, box.y1 - top)

    return Layout(
        width=math.ceil(right - left), height=math.ceil(bottom - top),
        positions={n: (x - left, y - top) for n, (x, y) in layout.positions.items()},
        labels={n: Label(label.x - left, label.y - top, label.anchor, moved(label.box))
                for n, label in layout.labels.items()},
    )


# -- the pictures' data ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    link: Link | None
    """None for the actor whose own page this is."""
    kind: str
    x: str
    y: str
    shape: str
    label: str
    """The name as drawn: cut short if very long (:func:`short_label`)."""
    label_x: str | None
    label_y: str | None
    anchor: str
    title: str
    """"India (state): 9 ties"."""


@dataclass(frozen=True, slots=True)
class Edge:
    x1: str
    y1: str
    x2: str
    y2: str
    ends: str
    """The ids of the two actors it joins, space-separated."""
    kind: str
    """``relationship`` (a recorded relationship) or ``events`` (shared events only)."""
    weight: str


@dataclass(frozen=True, slots=True)
class Picture:
    id: str
    title: str
    width: int
    height: int
    label_size: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True, slots=True)
class Key:
    """One line of a legend: an actor kind, its mark and what it is called."""

    kind: str
    name: str
    shape: str
    shape_name: str


@dataclass(frozen=True, slots=True)
class Connection:
    actor: Link
    relationships: tuple[Link, ...]
    shared_events: int


@dataclass(frozen=True, slots=True)
class NetworkEntry:
    anchor: str
    """Element id of the actor's entry in the list: ``actor_ID``."""
    actor: Link
    connections: tuple[Connection, ...]


@dataclass(frozen=True, slots=True)
class Network:
    wide: Picture | None
    narrow: Picture | None
    """The picture for narrow screens: fewer actors, bigger labels."""
    key: tuple[Key, ...]
    """The kinds the pictures show."""
    entries: tuple[NetworkEntry, ...]
    """The text equivalent: each connected actor and its connections, by name."""
    unconnected: tuple[Link, ...]
    drawn: str
    """Which actors the picture shows: "16 actors" or "the 30 most connected of 2000 actors"."""
    drawn_narrow: str | None
    """Which actors the phone's picture shows, when it shows fewer."""


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """An actor's own ties, for its page: a picture and the list of them."""

    name: str
    picture: Picture
    key: tuple[Key, ...]
    ties: tuple[Connection, ...]
    """Every tie, strongest first: those the picture shows, in its order, then the rest."""
    drawn: int
    whole: str
    """URL of the actor's entry on the network page."""


def _keys(kit: Kit, kinds: Iterable[str]) -> tuple[Key, ...]:
    shown = set(kinds)
    return tuple(Key(k, kit.say(KIND_NAMES[k]), SHAPES[k], SHAPE_NAMES[k]) for k in ACTOR_KINDS
                 if k in shown)


def _ties(kit: Kit, count: int) -> str:
    return kit.say_n("%(count)s tie", "%(count)s ties", count)


def _actors(kit: Kit, count: int) -> str:
    return kit.say_n("%(count)s actor", "%(count)s actors", count)


def _node_title(kit: Kit, name: str, kind: str, ties: str) -> str:
    """"Pakistan (state): 3 ties"."""
    return kit.say("%(name)s (%(kind)s): %(ties)s", name=name,
                   kind=kit.say(KIND_NAMES[kind]).lower(), ties=ties)


def _weight(shared_events: int) -> str:
    return _n(1.0 + min(shared_events, 4) * 0.6)


def network_graph(site: m.Site) -> nx.Graph[str]:
    """Actors as nodes; an edge per pair joined by a relationship or a shared event."""
    import networkx as nx  # here, not at the top: it is slow to import, and only this needs it

    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(sorted(site.actors))
    relationships: dict[tuple[str, str], list[str]] = {}
    shared: dict[tuple[str, str], int] = {}
    for relationship_id, relationship in site.relationships.items():
        first, second = sorted(relationship.parties)
        relationships.setdefault((first, second), []).append(relationship_id)
    for actor_id, related in site.backlinks.related_actors.items():
        for other in related:
            if actor_id < other.id:
                shared[(actor_id, other.id)] = other.shared_events
    for a, b in sorted(relationships.keys() | shared.keys()):
        graph.add_edge(a, b, relationships=tuple(relationships.get((a, b), ())),
                       shared_events=shared.get((a, b), 0))
    return graph


def _picture(kit: Kit, graph: nx.Graph[str], drawn: list[str], picture_id: str,
             title: str, size: int, width: float, height: float,
             fixed_width: bool = False) -> Picture:
    """The picture of the actors ``drawn`` and the ties among them."""
    import networkx as nx

    # A new graph, not graph.subgraph(): a subgraph view of few nodes iterates them in
    # set order, which changes from run to run, and so would the layout.
    sub: nx.Graph[str] = nx.Graph()
    sub.add_nodes_from(drawn)
    edges = sorted((min(a, b), max(a, b)) for a, b in graph.edges(drawn) if a in sub and b in sub)
    sub.add_edges_from(edges)
    start = ({n: (float(p[0]), float(p[1])) for n, p in
              nx.spring_layout(sub, seed=NETWORK_SEED, iterations=200).items()}
             if len(drawn) > 1 else {n: (0.0, 0.0) for n in drawn})
    actors = kit.site.actors
    names = {n: short_label(actors[m.ActorId(n)].name, size) for n in drawn}
    pairs = [(a, b) for a, b in edges]
    layout = lay_out(drawn, pairs, names, size, width, height, start, fixed_width)
    nodes = []
    for n in drawn:
        x, y = layout.positions[n]
        label = layout.labels.get(n)
        kind = actors[m.ActorId(n)].kind
        nodes.append(Node(
            id=n, link=kit.actor(n), kind=kind, x=_n(x), y=_n(y), shape=SHAPES[kind],
            label=names[n], label_x=_n(label.x) if label else None,
            label_y=_n(label.y) if label else None,
            anchor=label.anchor if label else "middle",
            title=_node_title(kit, actors[m.ActorId(n)].name, kind,
                              _ties(kit, graph.degree(n))),
        ))
    lines = []
    for a, b in pairs:
        data = graph.edges[a, b]
        (x1, y1), (x2, y2) = layout.positions[a], layout.positions[b]
        lines.append(Edge(_n(x1), _n(y1), _n(x2), _n(y2), f"{a} {b}",
                          "relationship" if data["relationships"] else "events",
                          _weight(data["shared_events"])))
    return Picture(id=picture_id, title=title, width=int(layout.width),
                   height=int(layout.height), label_size=size, nodes=tuple(nodes),
                   edges=tuple(lines))


def _most_connected(graph: nx.Graph[str], connected: list[str], most: int) -> list[str]:
    return sorted(sorted(connected, key=lambda n: (-graph.degree(n), n))[:most])


def _drawn_text(kit: Kit, drawn: int, connected: int) -> str:
    if drawn == connected:
        return _actors(kit, drawn)
    return kit.say_n("the most connected of %(connected)s actors",
                     "the %(count)s most connected of %(connected)s actors", drawn,
                     connected=connected)


def network(kit: Kit) -> Network:
    site = kit.site
    graph = network_graph(site)
    connected = sorted(n for n in graph.nodes if graph.degree(n) > 0)
    wide_drawn = _most_connected(graph, connected, NETWORK_MAX_DRAWN)
    narrow_drawn = _most_connected(graph, connected, NETWORK_NARROW_DRAWN)
    drawn = _drawn_text(kit, len(wide_drawn), len(connected))
    narrow_text = _drawn_text(kit, len(narrow_drawn), len(connected))
    wide = narrow = None
    if wide_drawn:
        edges = sum(1 for a, b in graph.edges(wide_drawn) if a in wide_drawn and b in wide_drawn)
        wide = _picture(kit, graph, wide_drawn, "network_wide",
                        kit.say("Network of actors: %(drawn)s, %(ties)s", drawn=drawn,
                                ties=_ties(kit, edges)),
                        15, 800, 560)
        narrow = _picture(kit, graph, narrow_drawn, "network_narrow",
                          kit.say("Network of actors: %(drawn)s", drawn=narrow_text), 14, 340,
                          max(320, 44 * len(narrow_drawn)), fixed_width=True)
    entries = []
    for n in sorted(connected, key=lambda n: (site.actors[m.ActorId(n)].name.casefold(), n)):
        connections = []
        for other in sorted(graph.neighbors(n),
                            key=lambda o: (site.actors[m.ActorId(o)].name.casefold(), o)):
            data = graph.edges[n, other]
            connections.append(Connection(
                actor=kit.actor(other),
                relationships=tuple(kit.relationship(r) for r in data["relationships"]),
                shared_events=data["shared_events"],
            ))
        entries.append(NetworkEntry(f"actor_{n}", kit.actor(n), tuple(connections)))
    unconnected = tuple(kit.actor(a) for a in site.actors if graph.degree(a) == 0)
    return Network(wide=wide, narrow=narrow,
                   key=_keys(kit, (site.actors[m.ActorId(n)].kind for n in wide_drawn)),
                   entries=tuple(entries), unconnected=unconnected, drawn=drawn,
                   drawn_narrow=narrow_text if len(narrow_drawn) < len(wide_drawn) else None)


# -- an actor's own ties -----------------------------------------------------------------

_ROW: Final = 32.0
"""Distance between the rows of an actor's ties on its picture."""
_FAN: Final = 110.0
"""Horizontal distance from the actor to its ties."""


def _tie_text(kit: Kit, tie: Connection) -> str:
    """"relationship India and Pakistan; 2 shared events"."""
    parts = []
    if tie.relationships:
        parts.append(kit.say_n("relationship %(names)s", "relationships %(names)s",
                               len(tie.relationships),
                               names=kit.say(", ").join(r.text for r in tie.relationships)))
    if tie.shared_events:
        parts.append(kit.say_n("%(count)s shared event", "%(count)s shared events",
                               tie.shared_events))
    return kit.say("; ").join(parts)


def neighbourhood(kit: Kit, actor_id: m.ActorId) -> Neighbourhood | None:
    """The actor in the middle on the left, its strongest ties in a column on the
    right, each labelled to the right of its mark; None for an actor without ties.
    Every line starts at the actor, so none passes another's mark."""
    site, back = kit.site, kit.site.backlinks
    shared: dict[str, int] = {r.id: r.shared_events for r in back.related_actors[actor_id]}
    relationships: dict[str, list[str]] = {}
    for relationship_id in back.actor_relationships[actor_id]:
        parties = site.relationships[relationship_id].parties
        for party in dict.fromkeys(parties):
            if party != actor_id:
                relationships.setdefault(party, []).append(relationship_id)
    others = sorted(shared.keys() | relationships.keys(),
                    key=lambda o: (-len(relationships.get(o, ())), -shared.get(o, 0),
                                   site.actors[m.ActorId(o)].name.casefold(), o))
    if not others:
        return None
    ties = tuple(Connection(kit.actor(o), tuple(kit.relationship(r)
                                                for r in relationships.get(o, ())),
                            shared.get(o, 0)) for o in others)
    drawn = others[:NEIGHBOURS_DRAWN]
    size = 13
    top = REACH + 4
    height = top * 2 + _ROW * (len(drawn) - 1)
    centre = (REACH + 4, height / 2)
    x = centre[0] + _FAN
    ascent, descent = ASCENT * size, DESCENT * size
    item = site.actors[actor_id]
    nodes = [Node(id=actor_id, link=None, kind=item.kind, x=_n(centre[0]), y=_n(centre[1]),
                  shape=SHAPES[item.kind], label=item.name, label_x=None, label_y=None,
                  anchor="middle",
                  title=_node_title(kit, item.name, item.kind, _ties(kit, len(others))))]
    edges = []
    widest = 0.0
    for row, other in enumerate(drawn):
        y = top + row * _ROW
        actor = site.actors[m.ActorId(other)]
        label = short_label(actor.name, size)
        widest = max(widest, label_width(label, size))
        nodes.append(Node(
            id=other, link=kit.actor(other), kind=actor.kind, x=_n(x), y=_n(y),
            shape=SHAPES[actor.kind], label=label, label_x=_n(x + REACH + LABEL_PAD),
            label_y=_n(y + (ascent - descent) / 2), anchor="start",
            title=_node_title(kit, actor.name, actor.kind, _tie_text(kit, ties[row])),
        ))
        count = shared.get(other, 0)
        edges.append(Edge(_n(centre[0]), _n(centre[1]), _n(x), _n(y), f"{actor_id} {other}",
                          "relationship" if other in relationships else "events",
                          _weight(count)))
    picture = Picture(
        id="actor_ties_picture",
        title=kit.say("Ties of %(name)s: %(actors)s", name=item.name,
                      actors=_actors(kit, len(others)))
        + (kit.say(", the %(count)s strongest drawn", count=len(drawn))
           if len(drawn) < len(others) else ""),
        width=math.ceil(x + REACH + LABEL_PAD + widest + 4), height=math.ceil(height),
        label_size=size, nodes=tuple(nodes), edges=tuple(edges))
    return Neighbourhood(name=item.name, picture=picture,
                         key=_keys(kit, [item.kind,
                                         *(site.actors[m.ActorId(o)].kind for o in drawn)]),
                         ties=ties, drawn=len(drawn),
                         whole=f"{kit.urls.url(kit.urls.NETWORK_PATH)}#actor_{actor_id}")
