"""The model as CSV tables and a Frictionless Data Package describing them.

A data journalist opens ``events.csv`` in one call (``pandas.read_csv``) and gets one
row per event with its date as written, its precision and the first and last day
of the whole period, so that nothing is turned into a day the sources do not give.
Lists of ids (an event's actors) are joined by ``;`` in the main tables (an id holds
no ``;``); lists of text (aliases, authors), which may, and every list, get one row
each in the long tables (``event_actors.csv``, ``claims.csv``, ``positions.csv``,
``trend_points.csv``, ``citations.csv``). Each table is described once, as its
columns: the same description writes the CSV's header and rows and the Table
Schema in ``datapackage.json``, which ``frictionless validate`` accepts.

CSV is RFC 4180: UTF-8, a header row, every field quoted where it must be, lines
ending in CRLF. Cells hold the text as written, also where it begins with ``=``,
``+``, ``-`` or ``@``: the files are data, not spreadsheets, and changing a
cell to defuse a spreadsheet formula would change the data; open them in a
spreadsheet with its import dialog, as text (see ``docs/data.md``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate
from kabul_brief.publish.data import pretty_json
from kabul_brief.publish.meta import site_slug
from kabul_brief.publish.urls import Urls

Row = tuple[str, ...]
LIST_SEPARATOR: Final = ";"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    """A Table Schema type: ``string``, ``date``, ``boolean``, ``integer``, ``number``."""
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    """The only values it may hold, where there is such a list."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[m.Site, Urls], Iterable[Row]]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    """(column, other table, its column)."""

    @property
    def path(self) -> str:
        return f"{Urls.DATA_FOLDER}/{self.name}.csv"


def _text(value: str | None) -> str:
    return "" if value is None else value


def _markdown(value: m.Markup | None) -> str:
    return "" if value is None else value.source


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _joined(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(values)


def _period(date: PartialDate | None, end: PartialDate | None = None) -> Row:
    """date as written, precision, first day, last day (of the range's end, if any)."""
    if date is None:
        return ("", "", "", "")
    last = end if end is not None else date
    return (date.iso, date.precision.value, date.start.isoformat(), last.end.isoformat())


def _permalink(urls: Urls, kind: str, record_id: str) -> str:
    return urls.absolute(urls.record(kind, record_id))


_PERIOD: Final = (
    Column("date", "string", "the date as written: YYYY, YYYY-MM or YYYY-MM-DD"),
    Column("precision", "string", "day, month or year: how precisely the date is known",
           choices=("day", "month", "year")),
    Column("start", "date", "the first day of the period the date names"),
    Column("end", "date", "the last day of the whole period (a range's end included)"),
)
_PERMALINK: Final = Column("permalink", "string", "the record's page on this site",
                           required=True)
_ID: Final = Column("id", "string", "the record's id", required=True)


def _events(site: m.Site, urls: Urls) -> Iterator[Row]:
    for event_id in site.timeline:
        event = site.events[event_id]
        end = ((event.end.iso, event.end.precision.value) if event.end is not None
               else ("", ""))
        yield (event.id, event.title, *_period(event.date, event.end), *end, _bool(event.circa),
               _text(event.as_reported), event.kind, _text(event.place),
               _joined(a.id for a in event.actors), _joined(event.disputes),
               _joined(event.relationships), _markdown(event.summary),
               _permalink(urls, "event", event.id))


def _event_actors(site: m.Site, urls: Urls) -> Iterator[Row]:
    for event_id in site.timeline:
        for actor in site.events[event_id].actors:
            yield (event_id, actor.id, _text(actor.role))


def _claims(site: m.Site, urls: Urls) -> Iterator[Row]:
    for event_id in site.timeline:
        for number, claim in enumerate(site.events[event_id].claims, 1):
            yield (event_id, str(number), claim.by, claim.text.source)


def _actors(site: m.Site, urls: Urls) -> Iterator[Row]:
    for actor in site.actors.values():
        yield (actor.id, actor.name, actor.kind, _text(actor.country),
               _markdown(actor.summary), _permalink(urls, "actor", actor.id))


def _actor_aliases(site: m.Site, urls: Urls) -> Iterator[Row]:
    for actor in site.actors.values():
        for number, alias in enumerate(actor.aliases, 1):
            yield (actor.id, str(number), alias)


def _places(site: m.Site, urls: Urls) -> Iterator[Row]:
    for place in site.places.values():
        latitude, longitude = (("", "") if place.coordinates is None
                               else (repr(place.coordinates[0]), repr(place.coordinates[1])))
        yield (place.id, place.name, place.kind, _text(place.within), latitude, longitude,
               _markdown(place.summary), _permalink(urls, "place", place.id))


def _disputes(site: m.Site, urls: Urls) -> Iterator[Row]:
    for dispute in site.disputes.values():
        yield (dispute.id, dispute.title, dispute.status, *_period(dispute.since),
               _joined(dispute.parties), _joined(dispute.involves), _markdown(dispute.summary),
               _permalink(urls, "dispute", dispute.id))


def _relationships(site: m.Site, urls: Urls) -> Iterator[Row]:
    for relationship in site.relationships.values():
        yield (relationship.id, relationship.title, relationship.parties[0],
               relationship.parties[1], _markdown(relationship.summary),
               _permalink(urls, "relationship", relationship.id))


def _positions(site: m.Site, urls: Urls) -> Iterator[Row]:
    for dispute in site.disputes.values():
        for number, position in enumerate(dispute.positions, 1):
            yield (dispute.id, str(number), position.actor, position.text.source)


def _trends(site: m.Site) -> Iterator[tuple[str, str, tuple[m.TrendPoint, ...]]]:
    for dispute in site.disputes.values():
        yield "dispute", dispute.id, dispute.trend
    for relationship in site.relationships.values():
        yield "relationship", relationship.id, relationship.trend


def _trend_points(site: m.Site, urls: Urls) -> Iterator[Row]:
    for kind, record_id, trend in _trends(site):
        for number, point in enumerate(trend, 1):
            yield (kind, record_id, str(number), *_period(point.date), _bool(point.circa),
                   _text(point.as_reported), point.direction, _markdown(point.note))


def _sources(site: m.Site, urls: Urls) -> Iterator[Row]:
    for source in site.sources.values():
        yield (source.id, source.title, _text(source.publisher), *_period(source.date),
               _text(source.url), _markdown(source.note), _permalink(urls, "source", source.id))


def _articles(site: m.Site, urls: Urls) -> Iterator[Row]:
    for article_id in site.articles_by_date:
        article = site.articles[article_id]
        yield (article.id, article.title, article.kind, *_period(article.date),
               "" if article.updated is None else article.updated.iso,
               _joined(article.actors), _joined(article.disputes),
               _markdown(article.summary), _permalink(urls, "article", article.id))


def _article_authors(site: m.Site, urls: Urls) -> Iterator[Row]:
    for article_id in site.articles_by_date:
        for number, author in enumerate(site.articles[article_id].authors, 1):
            yield (article_id, str(number), author)


def _cited(site: m.Site) -> Iterator[tuple[str, str, str, str, tuple[m.Citation, ...]]]:
    """(record kind, record id, fact, its number, its citations) for every cited fact."""
    for event_id in site.timeline:
        event = site.events[event_id]
        yield "event", event.id, "event", "", event.sources
        for number, claim in enumerate(event.claims, 1):
            yield "event", event.id, "claim", str(number), claim.sources
    for dispute in site.disputes.values():
        for number, position in enumerate(dispute.positions, 1):
            yield "dispute", dispute.id, "position", str(number), position.sources
    for kind, record_id, trend in _trends(site):
        for number, point in enumerate(trend, 1):
            yield kind, record_id, "trend_point", str(number), point.sources


def _citation(citation: m.Citation) -> Row:
    """type, target id, anchor or locator, url, title."""
    if isinstance(citation, m.ArticleCitation):
        anchor = citation.anchor or ("" if citation.paragraph is None
                                     else f"p{citation.paragraph}")
        return ("article", citation.article, anchor, "", "")
    if isinstance(citation, m.SourceCitation):
        return ("source", citation.source, _text(citation.locator), "", "")
    return ("url", "", "", citation.url, citation.title)


def _citations(site: m.Site, urls: Urls) -> Iterator[Row]:
    for kind, record_id, fact, number, citations in _cited(site):
        for citation in citations:
            yield (kind, record_id, fact, number, *_citation(citation))


_RECORD_KIND: Final = Column("record_kind", "string", "event, dispute or relationship",
                             required=True)
_NUMBER: Final = Column("number", "integer", "its place in the record's list, from 1")

TABLES: Final[tuple[Table, ...]] = (
    Table("events", "Events", (
        _ID, Column("title", "string", "what happened", required=True), *_PERIOD,
        Column("end_as_written", "string",
               "the range's end as written (YYYY, YYYY-MM or YYYY-MM-DD); empty for one date"),
        Column("end_precision", "string", "day, month or year: how precisely the end is known",
               choices=("day", "month", "year")),
        Column("circa", "boolean", "true where the date is approximate"),
        Column("as_reported", "string", "the date as the sources put it, if vague"),
        Column("kind", "string", "meeting, statement, attack, ...", required=True),
        Column("place", "string", "the place's id"),
        Column("actors", "string", "the actors' ids, joined by ;"),
        Column("disputes", "string", "the disputes' ids, joined by ;"),
        Column("relationships", "string", "the relationships' ids, joined by ;"),
        Column("summary", "string", "Markdown, as written"), _PERMALINK,
    ), _events, ("id",), (("place", "places", "id"),)),
    Table("event_actors", "Actors of each event", (
        Column("event", "string", "the event's id", required=True),
        Column("actor", "string", "the actor's id", required=True),
        Column("role", "string", "the actor's part in it, as written"),
    ), _event_actors, (), (("event", "events", "id"), ("actor", "actors", "id"))),
    Table("claims", "What each side says, event by event", (
        Column("event", "string", "the event's id", required=True), _NUMBER,
        Column("by", "string", "the claiming actor's id", required=True),
        Column("text", "string", "the claim in our words, Markdown as written"),
    ), _claims, ("event", "number"), (("event", "events", "id"), ("by", "actors", "id"))),
    Table("actors", "Actors", (
        _ID, Column("name", "string", "the name the site uses", required=True),
        Column("kind", "string", "person, state, government, ...", required=True),
        Column("country", "string", "the id of its country (a place)"),
        Column("summary", "string", "Markdown, as written"), _PERMALINK,
    ), _actors, ("id",), (("country", "places", "id"),)),
    Table("actor_aliases", "Other names of each actor", (
        Column("actor", "string", "the actor's id", required=True), _NUMBER,
        Column("alias", "string", "another name it goes by", required=True),
    ), _actor_aliases, ("actor", "number"), (("actor", "actors", "id"),)),
    Table("places", "Places", (
        _ID, Column("name", "string", "the place's name", required=True),
        Column("kind", "string", "country, region, city, ...", required=True),
        Column("within", "string", "the id of the place it lies in"),
        Column("latitude", "number", "degrees north (WGS 84), where given"),
        Column("longitude", "number", "degrees east (WGS 84), where given"),
        Column("summary", "string", "Markdown, as written"), _PERMALINK,
    ), _places, ("id",), (("within", "places", "id"),)),
    Table("disputes", "Disputes", (
        _ID, Column("title", "string", "what is disputed", required=True),
        Column("status", "string", "active, dormant or resolved", required=True),
        *(Column(f"since_{c.name}", c.type, f"since: {c.description}") for c in _PERIOD),
        Column("parties", "string", "the parties' actor ids, joined by ;"),
        Column("involves", "string", "other actors' ids, joined by ;"),
        Column("summary", "string", "Markdown, as written"), _PERMALINK,
    ), _disputes, ("id",)),
    Table("relationships", "Relationships", (
        _ID, Column("title", "string", "the relationship's title", required=True),
        Column("party_a", "string", "the first party's actor id", required=True),
        Column("party_b", "string", "the second party's actor id", required=True),
        Column("summary", "string", "Markdown, as written"), _PERMALINK,
    ), _relationships, ("id",), (("party_a", "actors", "id"), ("party_b", "actors", "id"))),
    Table("positions", "Each party's position in a dispute", (
        Column("dispute", "string", "the dispute's id", required=True), _NUMBER,
        Column("actor", "string", "the actor's id", required=True),
        Column("position", "string", "Markdown, as written"),
    ), _positions, ("dispute", "number"),
        (("dispute", "disputes", "id"), ("actor", "actors", "id"))),
    Table("trend_points", "Trend points of disputes and relationships", (
        _RECORD_KIND, Column("record", "string", "its id", required=True), _NUMBER, *_PERIOD,
        Column("circa", "boolean", "true where the date is approximate"),
        Column("as_reported", "string", "the date as the sources put it, if vague"),
        Column("direction", "string", "improved, deteriorated or unchanged", required=True,
               choices=("improved", "deteriorated", "unchanged")),
        Column("note", "string", "Markdown, as written"),
    ), _trend_points, ("record_kind", "record", "number")),
    Table("sources", "Sources", (
        _ID, Column("title", "string", "the source's title", required=True),
        Column("publisher", "string", "who published it"), *_PERIOD,
        Column("url", "string", "the source's own address"),
        Column("note", "string", "Markdown, as written"), _PERMALINK,
    ), _sources, ("id",)),
    Table("articles", "Articles", (
        _ID, Column("title", "string", "the headline", required=True),
        Column("kind", "string", "analysis, news or explainer", required=True), *_PERIOD,
        Column("updated", "string", "when the desk updated it, as written"),
        Column("actors", "string", "the actors it is tagged with, joined by ;"),
        Column("disputes", "string", "the disputes it is tagged with, joined by ;"),
        Column("summary", "string", "Markdown, as written"), _PERMALINK,
    ), _articles, ("id",)),
    Table("article_authors", "The authors of each article", (
        Column("article", "string", "the article's id", required=True), _NUMBER,
        Column("author", "string", "an author, as written", required=True),
    ), _article_authors, ("article", "number"), (("article", "articles", "id"),)),
    Table("citations", "What each fact cites", (
        _RECORD_KIND, Column("record", "string", "its id", required=True),
        Column("fact", "string", "event, claim, position or trend_point", required=True),
        Column("number", "integer", "the claim's, position's or point's number (empty for "
               "the event itself)"),
        Column("type", "string", "article, source or url", required=True),
        Column("target", "string", "the cited article's or source's id"),
        Column("anchor", "string", "the paragraph of an article, or a source's locator"),
        Column("url", "string", "a cited web page's address"),
        Column("title", "string", "a cited web page's title"),
    ), _citations),
)
"""Every CSV under ``data/``, in the data package's order."""


def _csv(table: Table, site: m.Site, urls: Urls) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(column.name for column in table.columns)
    writer.writerows(table.rows(site, urls))
    return buffer.getvalue().encode("utf-8")


def _schema(table: Table) -> dict[str, Any]:
    fields = []
    for column in table.columns:
        field: dict[str, Any] = {"name": column.name, "type": column.type,
                                 "description": column.description}
        constraints: dict[str, Any] = {}
        if column.required:
            constraints["required"] = True
        if column.choices:
            constraints["enum"] = list(column.choices)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": other, "fields": key}}
            for column, other, key in table.foreign_keys]
    return schema


def _licenses(settings: m.SiteSettings) -> list[dict[str, str]]:
    if settings.license is None:
        return []
    return [{"name": settings.license,
             "path": f"https://spdx.org/licenses/{settings.license}.html",
             "title": settings.license}]


DATAPACKAGE_PATH: Final = f"{Urls.DATA_FOLDER}/datapackage.json"


def table_files(site: m.Site, urls: Urls) -> dict[str, bytes]:
    """Site path -> bytes: every CSV and ``datapackage.json``."""
    files = {table.path: _csv(table, site, urls) for table in TABLES}
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": f"{site_slug(site.settings)}-data",
        "title": site.settings.title,
        "homepage": urls.base,
        "resources": [
            {"name": table.name, "title": table.title, "path": f"{table.name}.csv",
             "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "schema": _schema(table)}
            for table in TABLES],
    }
    licenses = _licenses(site.settings)
    if licenses:
        package["licenses"] = licenses
    if site.settings.description:
        package["description"] = site.settings.description
    files[DATAPACKAGE_PATH] = pretty_json(package)
    return files
