"""The element ids the default theme puts on its pages, in one place.

An editor's paragraph anchor (``{#name}``) becomes an element id on the page, so a
name the theme already uses (``site-search``, ``search``) would give two elements one
id: the header's search label and a ``#site-search`` link would find the wrong one.
The Markdown check refuses these names; a test builds the sites and asserts every id
that does not come from content is listed here, so a template that adds an id must
add it here too. A site's own templates (``templates/`` beside the content, or
``--templates``) are the site's business; this list covers the default theme.
"""

from __future__ import annotations

import re
from typing import Final

_SECTIONS: Final = (
    "actor_articles", "actor_disputes", "actor_events", "actor_relationships",
    "actor_role_events", "dispute_articles", "dispute_events", "dispute_positions",
    "dispute_trend", "event_claims", "place_events", "place_events_within",
    "relationship_events", "relationship_trend", "source_articles", "source_facts",
)
"""Headings of record pages' sections (``macros.html``)."""

_CHARTS: Final = ("actor_strip", "dispute_chart", "dispute_strip", "front_strip",
                   "relationship_chart", "timeline_strip")
"""Charts; each has ``_caption`` and ``_title`` ids (``partials/charts.html``)."""

THEME_IDS: Final[frozenset[str]] = frozenset({
    # base.html, search.html (search.js finds them by id)
    "main_content", "site-search", "search", "search-fallback",
    # front page, article and record pages, network page
    "active_disputes", "latest_articles", "recent_events", "drawn_on", "notes_heading",
    "whole_cites", "network_caption", "network_list", "network_title", "relationships_heading",
    "network_wide_title", "network_narrow_title", "actor_ties_caption",
    "actor_ties_picture_title", "corrections_heading",
    # the timeline's filter (timeline.js finds it by id)
    "timeline_filter",
    *_SECTIONS,
    *(f"{chart}_{part}" for chart in _CHARTS for part in ("caption", "title")),
})
"""Fixed ids of the default theme's templates."""

THEME_ID_PATTERNS: Final[tuple[re.Pattern[str], ...]] = tuple(re.compile(p) for p in (
    r"note_[0-9]+",             # numbered notes
    r"cites_p[0-9]+",           # the facts citing a paragraph
    r"claim_[0-9]+",            # claims of an event
    r"position_[0-9]+(?:_h)?",  # positions of a dispute and their headings
    r"trend_[0-9-]+(?:_[0-9]+)?",  # trend points, by date
    r"correction_[0-9-]+(?:_[0-9]+)?",  # a record's corrections, by day
    r"year_-?[0-9]+",           # timeline years
    r"(?:actor|kind|status)_[a-z0-9-]+",  # network entries, actor kinds, dispute statuses
))
"""Ids the theme makes from data: all hold ``_``, which an anchor name cannot."""


def is_theme_id(name: str) -> bool:
    """Whether the default theme may already use ``name`` as an element id."""
    return name in THEME_IDS or any(p.fullmatch(name) for p in THEME_ID_PATTERNS)
