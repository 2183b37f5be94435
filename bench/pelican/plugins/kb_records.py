"""Pelican plugin for bench/run.py: one page per actor and per event, and a timeline.

It reads the Kabul Brief actor and event YAML files (unchanged, from the folder in
the KB_RECORDS setting), works out which events each actor is in, and renders
``actor.html``, ``event.html`` and ``timeline.html`` from the theme with Pelican's
own writer. It also puts ``kb_actors`` (id -> record) in the shared context so the
article template can show actor names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pelican import signals
from pelican.generators import Generator

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Record = dict[str, Any]


def _load(folder: Path) -> dict[str, Record]:
    records: dict[str, Record] = {}
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as stream:
            record = yaml.load(stream, Loader=_Loader)
        if "date" in record:
            record["date"] = str(record["date"])
        records[record["id"]] = record
    return records


class RecordsGenerator(Generator):  # type: ignore[misc]
    """Reads actors and events in generate_context, writes their pages in generate_output."""

    def generate_context(self) -> None:
        root = Path(self.settings["KB_RECORDS"])
        self.actors = _load(root / "actors")
        self.events = sorted(_load(root / "events").values(),
                             key=lambda event: (event["date"], event["id"]))
        self.by_actor: dict[str, list[Record]] = {actor: [] for actor in self.actors}
        for event in self.events:
            for actor in event.get("actors", ()):
                self.by_actor[actor].append(event)
        self.context["kb_actors"] = self.actors

    def generate_output(self, writer: Any) -> None:
        relative = self.settings["RELATIVE_URLS"]
        actor_page = self.get_template("actor")
        event_page = self.get_template("event")
        for actor_id, actor in self.actors.items():
            writer.write_file(f"actors/{actor_id}/index.html", actor_page, self.context,
                              relative, actor=actor, events=self.by_actor[actor_id])
        for event in self.events:
            writer.write_file(f"events/{event['id']}/index.html", event_page, self.context,
                              relative, event=event)
        writer.write_file("timeline/index.html", self.get_template("timeline"), self.context,
                          relative, events=self.events)


def get_generators(_pelican: object) -> type[Generator]:
    return RecordsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
