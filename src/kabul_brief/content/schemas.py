"""The fields of every record kind: the contract of ``CONTENT_MODEL.md`` as data.

The validator reads records with these definitions and ``kabul-brief schema``
exports them as JSON Schema, so the two always agree.
"""

from __future__ import annotations

import re
from typing import Any, Final

from kabul_brief.content.dates import PartialDate
from kabul_brief.content.fieldtypes import (
    ID_RE,
    INVALID,
    Bool,
    Choice,
    Date,
    Day,
    Field,
    FieldPath,
    FieldType,
    JSONSchema,
    ListOf,
    Number,
    OneOf,
    ReadContext,
    Ref,
    SpdxLicense,
    Struct,
    Text,
    Translatable,
    Url,
    id_text,
)
from kabul_brief.content.yamlsource import MappingNode, Node
from kabul_brief.kinds import KINDS, RECORD_KINDS
from kabul_brief.languages import DIRECTIONS, LANGUAGE_HINT, LANGUAGE_RE

ACTOR_KINDS: Final = (
    "person", "state", "government", "organisation", "armed-group", "multilateral", "group",
)
PLACE_KINDS: Final = ("country", "region", "city", "town", "site", "border")
EVENT_KINDS: Final = (
    "attack", "meeting", "visit", "statement", "policy", "military", "agreement",
    "displacement", "other",
)
ARTICLE_KINDS: Final = ("analysis", "news", "explainer")
TREND_DIRECTIONS: Final = ("improved", "deteriorated", "unchanged")
DISPUTE_STATUSES: Final = ("active", "dormant", "resolved")
ANCHOR_NAME_RE: Final = re.compile(r"^(?!p[0-9]+$)" + ID_RE.pattern.removeprefix("^"))
"""A ``{#name}`` anchor: an id that is not ``pN``. Match with ``fullmatch``."""


def markdown(description: str = "text") -> Text:
    return Text(markdown=True, description=description)


def text(description: str) -> Translatable:
    """A text an editor may give in several languages (``CONTENT_MODEL.md``,
    "Languages")."""
    return Translatable(Text(description=description))


def translatable_markdown(description: str) -> Translatable:
    return Translatable(markdown(description))


def _end_not_before_start(start: str, end: str) -> Any:
    def check(values: dict[str, Any], node: MappingNode, ctx: ReadContext) -> None:
        first, last = values.get(start), values.get(end)
        if isinstance(first, PartialDate) and isinstance(last, PartialDate) and (
            last.end < first.start
        ):
            end_node = next(v for k, v in node.value if k.value == end)
            ctx.report(
                end_node,
                "date-order",
                f"{end} {last.iso} is before {start} {first.iso}",
                f"{end} must not precede {start}.",
            )

    return check


def _updated_not_before_date(values: dict[str, Any], node: MappingNode,
                             ctx: ReadContext) -> None:
    """``updated`` may not start before ``date``: feeds and JSON-LD read a coarse
    ``updated: 2025`` as 1 January, which would put an update before its publication."""
    first, last = values.get("date"), values.get("updated")
    if isinstance(first, PartialDate) and isinstance(last, PartialDate) and (
        last.end >= first.start > last.start
    ):
        end_node = next(v for k, v in node.value if k.value == "updated")
        ctx.report(
            end_node,
            "date-order",
            f"updated {last.iso} may fall before date {first.iso}",
            f"Give updated at least as precisely as date (such as {first.iso}).",
        )


# -- citations ---------------------------------------------------------------

ARTICLE_CITATION: Final = Struct(
    "article citation",
    (
        Field(name="article", type=Ref("article"), required=True),
        Field(
            name="anchor",
            type=Text(description="paragraph anchor",
                      pattern=ID_RE,
                      pattern_hint="An anchor is pN (paragraph N) or a name given with {#name}."),
            doc="pN for paragraph N, or a name given with {#name} at a paragraph's end",
        ),
    ),
)
SOURCE_CITATION: Final = Struct(
    "source citation",
    (
        Field(name="source", type=Ref("source"), required=True),
        Field(name="locator", type=Text(description="locator"),
              doc="page, section or timestamp"),
    ),
)
URL_CITATION: Final = Struct(
    "link citation",
    (
        Field(name="url", type=Url(), required=True),
        Field(name="title", type=Text(description="title"), required=True),
        Field(name="publisher", type=Text(description="publisher")),
        Field(name="date", type=Date()),
    ),
)
CITATION: Final = OneOf(
    "citation",
    (("article", ARTICLE_CITATION), ("source", SOURCE_CITATION), ("url", URL_CITATION)),
    shorthand=lambda source_id: {"source": source_id},
    shorthand_type=Ref("source"),
    description=(
        "Cite {article: ID, anchor: pN}, {source: ID} or {url: https://..., title: ...};"
        " a bare id is short for {source: ID}."
    ),
    shape_code="citation-shape",
)
SOURCES: Final = ListOf(CITATION, min_items=1, noun="citation", description="citations")


def _sources_field() -> Field:
    return Field(name="sources", type=SOURCES, required=True,
                 doc="citations: {article, anchor}, {source, locator} or {url, title, ...}")


class DraftFlag(Bool):
    """``draft:``. A value that is not true or false is kept as INVALID among the
    fields of its record, so that the record is not taken for a published one while
    the references of a record with errors are checked."""

    __slots__ = ()

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        value = super().read(node, path, ctx)
        if value is INVALID:
            ctx.partial = INVALID
        return value


def _draft_field() -> Field:
    """``draft: true`` keeps a record or article out of the published build."""
    return Field(name="draft", type=DraftFlag(),
                 doc="true keeps it out of the site; build --drafts and serve show it")


CORRECTION: Final = Struct(
    "correction",
    (
        Field(name="date", type=Day(description="a correction's date"), required=True,
              doc="the day the correction was made, YYYY-MM-DD"),
        Field(name="text", type=translatable_markdown("correction text"), required=True,
              doc="what was wrong and what is right now (Markdown)"),
    ),
)


def _corrections_field() -> Field:
    """``corrections:``, on every kind: each shown on its page before the body, and
    listed with every other on ``/corrections/`` and in its feed."""
    return Field(name="corrections", type=ListOf(CORRECTION, noun="correction"),
                 doc="corrections of what the page said: {date: YYYY-MM-DD, text: ...}")


def _ids(kind: str, **options: Any) -> ListOf:
    return ListOf(Ref(kind), unique=True, noun=kind, **options)


# -- records -----------------------------------------------------------------

ROLE: Final = Struct(
    "role",
    (
        Field(name="title", type=text("role title"), required=True),
        Field(name="of", type=Ref("actor"), required=True),
        Field(name="from", type=Date()),
        Field(name="to", type=Date(nullable=True)),
    ),
    checks=(_end_not_before_start("from", "to"),),
)
LINK: Final = Struct(
    "link",
    (
        Field(name="url", type=Url(), required=True),
        Field(name="title", type=Text(description="title"), required=True),
    ),
)

ACTOR: Final = Struct(
    "actor",
    (
        Field(name="id", type=id_text(), required=True),
        Field(name="name", type=text("name"), required=True),
        Field(name="kind", type=Choice(ACTOR_KINDS, description="actor kind"), required=True),
        Field(name="aliases", type=Translatable(ListOf(Text(description="alias"), unique=True,
                                                       description="aliases")),
              doc="other names; mentions in article bodies are linked"),
        Field(name="roles", type=ListOf(ROLE)),
        Field(name="country", type=Ref("place")),
        Field(name="summary", type=translatable_markdown("summary")),
        Field(name="links", type=ListOf(LINK)),
        _corrections_field(),
        _draft_field(),
    ),
)

PLACE: Final = Struct(
    "place",
    (
        Field(name="id", type=id_text(), required=True),
        Field(name="name", type=text("name"), required=True),
        Field(name="kind", type=Choice(PLACE_KINDS, description="place kind"), required=True),
        Field(name="within", type=Ref("place")),
        Field(
            name="coordinates",
            type=ListOf(
                Number(-180, 180, "a coordinate"), min_items=2, max_items=2, noun="number",
                positions=(
                    Number(-90, 90, "a coordinate", "latitude",
                           "coordinates are [lat, lon]: latitude first."),
                    Number(-180, 180, "a coordinate", "longitude"),
                ),
            ),
            doc="[lat, lon]",
        ),
        Field(name="summary", type=translatable_markdown("summary")),
        _corrections_field(),
        _draft_field(),
    ),
)

EVENT_ACTOR: Final = OneOf(
    "event actor",
    (("id", Struct("event actor", (
        Field(name="id", type=Ref("actor"), required=True),
        Field(name="role", type=text("role")),
    ))),),
    shorthand=lambda actor_id: {"id": actor_id},
    shorthand_type=Ref("actor"),
    description="An event actor is an actor id, or {id: ACTOR-ID, role: ...}.",
)

CLAIM: Final = Struct(
    "claim",
    (
        Field(name="by", type=Ref("actor"), required=True),
        Field(name="text", type=translatable_markdown("claim text"), required=True),
        _sources_field(),
    ),
)


def _dated_fields() -> tuple[Field, ...]:
    return (
        Field(name="circa", type=Bool(), doc="the date is approximate"),
        Field(name="as_reported", type=text("as reported"),
              doc="the source's own wording of the date, e.g. 'earlier this year'"),
    )


EVENT: Final = Struct(
    "event",
    (
        Field(name="id", type=id_text(), required=True),
        Field(name="title", type=text("title"), required=True),
        Field(name="date", type=Date(), required=True),
        Field(name="end", type=Date(), doc="last day/month/year of a range"),
        *_dated_fields(),
        Field(name="kind", type=Choice(EVENT_KINDS, description="event kind"), required=True),
        Field(name="place", type=Ref("place")),
        Field(name="actors", type=ListOf(EVENT_ACTOR)),
        Field(name="disputes", type=_ids("dispute")),
        Field(name="relationships", type=_ids("relationship")),
        Field(name="summary", type=translatable_markdown("summary")),
        Field(name="claims", type=ListOf(CLAIM)),
        _sources_field(),
        _corrections_field(),
        _draft_field(),
    ),
    checks=(_end_not_before_start("date", "end"),),
)

POSITION: Final = Struct(
    "position",
    (
        Field(name="actor", type=Ref("actor"), required=True),
        Field(name="position", type=translatable_markdown("position"), required=True),
        _sources_field(),
    ),
)
TREND_POINT: Final = Struct(
    "trend point",
    (
        Field(name="date", type=Date(), required=True),
        *_dated_fields(),
        Field(name="direction", type=Choice(TREND_DIRECTIONS, description="direction"),
              required=True),
        Field(name="note", type=translatable_markdown("note")),
        _sources_field(),
    ),
)

DISPUTE: Final = Struct(
    "dispute",
    (
        Field(name="id", type=id_text(), required=True),
        Field(name="title", type=text("title"), required=True),
        Field(name="parties", type=_ids("actor", min_items=2), required=True),
        Field(name="involves", type=_ids("actor")),
        Field(name="status", type=Choice(DISPUTE_STATUSES, description="dispute status"),
              doc="defaults to active"),
        Field(name="since", type=Date()),
        Field(name="summary", type=translatable_markdown("summary")),
        Field(name="positions", type=ListOf(POSITION)),
        Field(name="trend", type=ListOf(TREND_POINT)),
        _corrections_field(),
        _draft_field(),
    ),
)

RELATIONSHIP: Final = Struct(
    "relationship",
    (
        Field(name="id", type=id_text(), required=True),
        Field(name="title", type=text("title"),
              doc="defaults to the parties' names"),
        Field(name="parties", type=_ids("actor", min_items=2, max_items=2), required=True),
        Field(name="summary", type=translatable_markdown("summary")),
        Field(name="trend", type=ListOf(TREND_POINT)),
        _corrections_field(),
        _draft_field(),
    ),
)

SOURCE: Final = Struct(
    "source",
    (
        Field(name="id", type=id_text(), required=True),
        Field(name="title", type=text("title"), required=True),
        Field(name="publisher", type=Text(description="publisher")),
        Field(name="date", type=Date()),
        Field(name="url", type=Url()),
        Field(name="note", type=translatable_markdown("note")),
        _corrections_field(),
        _draft_field(),
    ),
)

ARTICLE: Final = Struct(
    "article",
    (
        Field(name="id", type=id_text(), doc="defaults to the file name without .md"),
        Field(name="title", type=text("title"), required=True),
        Field(name="date", type=Date(), required=True),
        Field(name="updated", type=Date()),
        Field(name="kind", type=Choice(ARTICLE_KINDS, description="article kind"),
              doc="defaults to analysis"),
        Field(name="authors", type=ListOf(Text(description="author"), unique=True)),
        Field(name="summary", type=translatable_markdown("summary")),
        Field(name="actors", type=_ids("actor")),
        Field(name="disputes", type=_ids("dispute")),
        Field(name="sources", type=_ids("source")),
        _corrections_field(),
        _draft_field(),
    ),
    checks=(_end_not_before_start("date", "updated"), _updated_not_before_date),
)

PAGE: Final = Struct(
    "page",
    (
        Field(name="id", type=id_text(), doc="defaults to the file name without .md"),
        Field(name="title", type=text("title"), required=True),
        Field(name="summary", type=translatable_markdown("summary")),
        _corrections_field(),
        _draft_field(),
    ),
)

TRANSLATION: Final = Struct(
    "translation",
    (
        Field(name="title", type=Text(description="title"), required=True),
        Field(name="summary", type=markdown("summary")),
        Field(name="translator", type=Text(description="translator"),
              doc="who translated it"),
        Field(name="reviewed", type=Bool(),
              doc="a native-speaking editor has reviewed it; defaults to false"),
        _draft_field(),
    ),
)
"""The front matter of an article's or page's translation, ``STEM.CODE.md``: the rest
(date, actors, sources, ...) comes from the original."""

LANGUAGE: Final = Struct(
    "language",
    (
        Field(name="code", type=Text(description="language tag", pattern=LANGUAGE_RE,
                                     pattern_hint=LANGUAGE_HINT), required=True,
              doc="a BCP 47 tag; its pages live under /CODE-in-lowercase/"),
        Field(name="name", type=Text(description="language name"), required=True,
              doc="the language's name in itself, shown in the language switcher"),
        Field(name="direction", type=Choice(DIRECTIONS, description="direction"),
              doc="ltr or rtl; defaults to the language's own (rtl for fa, ps, ur, ar)"),
    ),
)

SITE: Final = Struct(
    "site settings",
    (
        Field(name="title", type=text("title"), required=True),
        Field(name="tagline", type=text("tagline")),
        Field(name="base_url", type=Url(address=False), required=True,
              doc="absolute URL the site is published at"),
        Field(name="language", type=Text(
            description="language tag",
            pattern=LANGUAGE_RE,
            pattern_hint=LANGUAGE_HINT,
        ), doc="the main language; defaults to en"),
        Field(name="languages", type=ListOf(LANGUAGE, noun="language"),
              doc="the site's further languages: {code, name, direction}"),
        Field(name="description", type=text("description")),
        Field(name="license", type=SpdxLicense(),
              doc="the licence of the site's content and data, as an SPDX id"),
    ),
)

RECORD_SCHEMAS: Final[dict[str, Struct]] = {
    struct.name: struct
    for struct in (ACTOR, PLACE, EVENT, DISPUTE, RELATIONSHIP, SOURCE, ARTICLE, PAGE)
}
"""The fields of each kind of :data:`~kabul_brief.kinds.RECORD_KINDS`, by its name."""
if set(RECORD_SCHEMAS) != set(KINDS):
    raise AssertionError("every kind of kabul_brief.kinds needs its fields here")

#: Record kinds kept as YAML under ``content/FOLDER/``, by kind name.
YAML_KINDS: Final[dict[str, tuple[str, Struct]]] = {
    kind.name: (kind.folder, RECORD_SCHEMAS[kind.name])
    for kind in RECORD_KINDS if not kind.markdown
}


def record_json_schema(kind: str) -> JSONSchema:
    """JSON Schema of one content file of ``kind``: one record or a list of records."""
    struct: FieldType
    if kind == "site":
        struct, many = SITE, False
    elif kind == TRANSLATION_KIND:
        struct, many = TRANSLATION, False
    else:
        struct, many = RECORD_SCHEMAS[kind], not KINDS[kind].markdown
    record = struct.json_schema()
    schema: JSONSchema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://kabul-brief.invalid/schema/{kind}.schema.json",
        "title": f"Kabul Brief {kind}"
        + (" (front matter)" if kind == TRANSLATION_KIND
           or (kind != "site" and KINDS[kind].markdown) else ""),
    }
    if many:
        schema["oneOf"] = [record, {"type": "array", "items": record, "minItems": 1}]
    else:
        schema.update(record)
    return schema


TRANSLATION_KIND: Final = "translation"
"""The schema of an article's or page's translation (``STEM.CODE.md``), beside the kinds."""
SCHEMA_KINDS: Final = (
    "site", *(kind.name for kind in RECORD_KINDS if kind.markdown), *YAML_KINDS,
    TRANSLATION_KIND)


def json_schemas() -> dict[str, JSONSchema]:
    """File name -> JSON Schema, for every kind of content file."""
    return {f"{kind}.schema.json": record_json_schema(kind) for kind in SCHEMA_KINDS}
