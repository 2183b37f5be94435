"""Command line: ``kabul-brief check | schema`` (and ``python -m kabul_brief``).

The only module that prints. Exit status: 0 success, 1 content errors, 2 bad usage.
Content errors never show a traceback; a bug does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kabul_brief import __version__
from kabul_brief.content.schemas import json_schemas
from kabul_brief.errors import ContentErrors
from kabul_brief.pipeline import load_site

EXIT_OK = 0
EXIT_CONTENT_ERRORS = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kabul-brief",
        description="Validate structured news-analysis content and publish it as a static site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate the content; write nothing")
    check.add_argument("--content", type=Path, default=Path("content"),
                       help="content folder (default: content)")

    schema = commands.add_parser(
        "schema", help="write a JSON Schema per content kind, for editors' YAML tooling"
    )
    schema.add_argument("--out", type=Path, default=Path("schema"),
                        help="folder to write the schemas to (default: schema)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args.content)
    if args.command == "schema":
        return _schema(args.out)
    raise AssertionError(args.command)  # pragma: no cover - argparse rejects others


def _report(errors: ContentErrors) -> int:
    print(errors.format(), file=sys.stderr)
    count = len(errors.errors)
    print(f"{count} error{'s' if count != 1 else ''} found; nothing was written.",
          file=sys.stderr)
    return EXIT_CONTENT_ERRORS


def _check(content: Path) -> int:
    try:
        site = load_site(content)
    except ContentErrors as errors:
        return _report(errors)
    counts = {
        "articles": len(site.articles), "events": len(site.events), "actors": len(site.actors),
        "places": len(site.places), "disputes": len(site.disputes),
        "relationships": len(site.relationships), "sources": len(site.sources),
    }
    print("content OK: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return EXIT_OK


def _schema(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (out / name).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n",
                                encoding="utf-8")
        print(out / name)
    return EXIT_OK
