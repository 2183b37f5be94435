"""Write a deterministic synthetic content folder for benchmarks.

Sizes: S = 100 articles, 200 actors, 1,000 events; L = 1,000 articles, 2,000
actors, 10,000 events (each event with 1-4 actors and 1-3 citations), plus
places, sources, disputes and relationships with realistic cross-references.
The same size and seed always give byte-identical files.

    python bench/generate.py S /tmp/corpus-s
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Size:
    articles: int
    actors: int
    events: int
    places: int
    sources: int
    disputes: int
    relationships: int


SIZES = {
    "S": Size(articles=100, actors=200, events=1_000, places=100, sources=200, disputes=20,
              relationships=40),
    "L": Size(articles=1_000, actors=2_000, events=10_000, places=500, sources=2_000,
              disputes=100, relationships=300),
}
WORDS = (
    "delegation", "talks", "border", "refugees", "trade", "transit", "ministry", "statement",
    "envoy", "security", "province", "attack", "meeting", "agreement", "policy", "condemn",
    "assurance", "visit", "investment", "aid", "cooperation", "sanctuary", "insurgency",
    "crossing", "capital", "region", "officials", "spokesman", "reports", "analysts",
    "diplomatic", "regional", "bilateral", "economic", "political", "humanitarian",
)
ACTOR_KINDS = ("person", "state", "government", "organisation", "armed-group", "group")
EVENT_KINDS = ("attack", "meeting", "visit", "statement", "policy", "military", "other")


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def date(rng: random.Random) -> str:
    year = rng.randint(2015, 2025)
    precision = rng.random()
    if precision < 0.1:
        return str(year)
    if precision < 0.3:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def generate(size: Size, out: Path, seed: int = 2025) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for folder in ("actors", "places", "events", "disputes", "relationships", "sources",
                   "articles"):
        (out / folder).mkdir(parents=True)
    (out / "site.yaml").write_text(
        "title: Bench Brief\nbase_url: https://example.org/bench/\nlanguage: en\n",
        encoding="utf-8",
    )
    actors = [f"actor-{i}" for i in range(size.actors)]
    places = [f"place-{i}" for i in range(size.places)]
    sources = [f"source-{i}" for i in range(size.sources)]
    articles = [f"article-{i}" for i in range(size.articles)]
    paragraphs = 8

    for i, place in enumerate(places):
        within = f"\nwithin: place-{rng.randrange(i)}" if i and rng.random() < 0.7 else ""
        (out / "places" / f"{place}.yaml").write_text(
            f"id: {place}\nname: Place {i}\nkind: city{within}\n"
            f"coordinates: [{rng.uniform(-60, 60):.3f}, {rng.uniform(-170, 170):.3f}]\n",
            encoding="utf-8",
        )
    for i, actor in enumerate(actors):
        (out / "actors" / f"{actor}.yaml").write_text(
            f"id: {actor}\nname: Actor Number {i}\nkind: {rng.choice(ACTOR_KINDS)}\n"
            f"aliases: [Alias{i}]\ncountry: {rng.choice(places)}\n"
            f"summary: {sentence(rng, 20)}\n",
            encoding="utf-8",
        )
    for i, source in enumerate(sources):
        (out / "sources" / f"{source}.yaml").write_text(
            f"id: {source}\ntitle: Report {i}\npublisher: Wire {i % 17}\ndate: {date(rng)}\n"
            f"url: https://example.org/reports/{i}\n",
            encoding="utf-8",
        )

    def citation() -> str:
        if rng.random() < 0.5:
            return (f"{{article: {rng.choice(articles)}, "
                    f"anchor: p{rng.randint(1, paragraphs)}}}")
        return f"{{source: {rng.choice(sources)}}}"

    def trend() -> str:
        points = []
        for _ in range(rng.randint(1, 5)):
            points.append(
                f"  - date: {date(rng)}\n"
                f"    direction: {rng.choice(('improved', 'deteriorated', 'unchanged'))}\n"
                f"    note: {sentence(rng, 10)}\n    sources: [{citation()}]\n"
            )
        return "trend:\n" + "".join(points)

    disputes = [f"dispute-{i}" for i in range(size.disputes)]
    for i, dispute in enumerate(disputes):
        parties = rng.sample(actors, 2)
        (out / "disputes" / f"{dispute}.yaml").write_text(
            f"id: {dispute}\ntitle: Dispute {i}\nparties: [{', '.join(parties)}]\n"
            f"summary: {sentence(rng, 25)}\npositions:\n"
            + "".join(f"  - actor: {p}\n    position: {sentence(rng, 12)}\n"
                      f"    sources: [{citation()}]\n" for p in parties)
            + trend(),
            encoding="utf-8",
        )
    relationships = [f"relationship-{i}" for i in range(size.relationships)]
    for relationship in relationships:
        parties = rng.sample(actors, 2)
        (out / "relationships" / f"{relationship}.yaml").write_text(
            f"id: {relationship}\nparties: [{', '.join(parties)}]\n"
            f"summary: {sentence(rng, 20)}\n" + trend(),
            encoding="utf-8",
        )
    for i in range(size.events):
        event = f"event-{i}"
        involved = rng.sample(actors, rng.randint(1, 4))
        extra = ""
        if rng.random() < 0.2:
            extra += f"disputes: [{rng.choice(disputes)}]\n"
        if rng.random() < 0.2:
            extra += f"relationships: [{rng.choice(relationships)}]\n"
        if rng.random() < 0.2:
            extra += (f"claims:\n  - by: {involved[0]}\n    text: {sentence(rng, 12)}\n"
                      f"    sources: [{citation()}]\n")
        (out / "events" / f"{event}.yaml").write_text(
            f"id: {event}\ntitle: \"Event {i}: {sentence(rng, 6)}\"\ndate: {date(rng)}\n"
            f"kind: {rng.choice(EVENT_KINDS)}\nplace: {rng.choice(places)}\n"
            f"actors: [{', '.join(involved)}]\nsummary: {sentence(rng, 30)}\n{extra}"
            f"sources: [{', '.join(citation() for _ in range(rng.randint(1, 3)))}]\n",
            encoding="utf-8",
        )
    for i, article in enumerate(articles):
        tagged = rng.sample(actors, 3)
        body = []
        for p in range(paragraphs):  # ~600 words in all
            mention = f" Actor Number {rng.randrange(size.actors)} said so." if p % 2 else ""
            body.append(" ".join(sentence(rng, 12) for _ in range(6)) + mention)
        (out / "articles" / f"{article}.md").write_text(
            f"---\ntitle: Article {i}\ndate: {date(rng)}\nkind: analysis\n"
            f"authors: [Desk]\nsummary: {sentence(rng, 25)}\nactors: [{', '.join(tagged)}]\n"
            f"---\n" + "\n\n".join(body) + "\n",
            encoding="utf-8",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    generate(SIZES[args.size], args.out, args.seed)


if __name__ == "__main__":
    main()
