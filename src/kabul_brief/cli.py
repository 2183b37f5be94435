"""Command line: ``kabul-brief check | build | serve | new | init | schema``, or
``python -m kabul_brief``.

The only module that prints. Exit status: 0 success, 1 content errors, 2 bad usage or
a system refusal (a full disk, a folder not ours to write), 130 interrupted (Ctrl-C),
143 terminated (SIGTERM: a CI job cancelled, a container stopped), which is handled
as Ctrl-C is (see :mod:`kabul_brief.stopping`): the working folder is removed and
``--out`` left as it was, or, when the signal came as the new site was being swapped
in, the line says that it is there.
Content errors and those never show a traceback; a bug does. Paths and messages are
printed with control characters escaped: one problem is one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import sys
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Never

from kabul_brief import __version__, stopping
from kabul_brief.errors import ContentError, ContentErrors, escape_controls, template_error
from kabul_brief.folders import site_theme
from kabul_brief.publish.writer import OutputError
from kabul_brief.stopwatch import Stopwatch
from kabul_brief.workers import default_workers

if TYPE_CHECKING:
    from tqdm import tqdm

    from kabul_brief.pipeline import Build
    from kabul_brief.publish.build import BuildReport

# The commands import the rest of the program when they run: a build with nothing to
# do answers "up to date" without loading Markdown, Jinja or the content model.

EXIT_OK = 0
EXIT_CONTENT_ERRORS = 1
EXIT_USAGE = 2


def _stopped(command: str, stop: KeyboardInterrupt, what: str = "") -> int:
    """The one line for a command stopped by a signal (Ctrl-C, SIGTERM, SIGHUP), and
    its exit status."""
    stopping.tell(f"kabul-brief {command}: {stopping.said(stop)}{what}")
    return stopping.exit_status(stop)


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return number


def _port(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return number


def _host(text: str) -> str:
    if not text.strip():  # the socket layer takes "" for every network: say so instead
        raise argparse.ArgumentTypeError(
            "expected an address such as 127.0.0.1 (this machine only) or 0.0.0.0 (every"
            " network), got an empty one")
    return text.strip()


def _parser() -> argparse.ArgumentParser:
    from kabul_brief.content.scaffold import NEW_KINDS

    parser = argparse.ArgumentParser(
        prog="kabul-brief",
        description="Validate structured news-analysis content and publish it as a static site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate the content; write nothing")
    check.add_argument("--content", type=Path, default=Path("content"),
                       help="content folder (default: content)")
    check.add_argument("--format", choices=("text", "github"), default="text",
                       help="text (default), or GitHub Actions annotations")
    check.add_argument("--since", default=None, metavar="REF",
                       help="also warn where a published fact (a date, place, actors, claim,"
                            " position, trend) changed since the git revision REF (the"
                            " published one, such as origin/main) without a new correction")
    _add_strict(check)
    _add_templates(check)

    build = commands.add_parser("build", help="validate the content and write the static site")
    build.add_argument("--content", type=Path, default=Path("content"),
                       help="content folder (default: content)")
    build.add_argument("--out", type=Path, default=Path("_site"),
                       help="folder the site is written to, replaced whole (default: _site)")
    build.add_argument("--base-url", default=None, metavar="URL",
                       help="absolute URL the site is published at (default: site.yaml base_url)")
    _add_templates(build)
    build.add_argument("--jobs", "-j", type=_positive, default=default_workers(), metavar="N",
                       help="render with N processes (default: one per core)")
    _add_strict(build)
    loudness = build.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", "-q", action="store_true",
                          help="print nothing but errors")
    loudness.add_argument("--verbose", "-v", action="store_true",
                          help="also list every file written")
    build.add_argument("--timings", action="store_true",
                       help="also print the time each phase of the build took")
    build.add_argument("--drafts", action="store_true",
                       help="also build the records and articles marked draft: true")

    serve = commands.add_parser(
        "serve", help="preview the site, drafts included, rebuilding and reloading on every"
                      " change"
    )
    serve.add_argument("--content", type=Path, default=Path("content"),
                       help="content folder (default: content)")
    serve.add_argument("--host", type=_host, default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only;"
                            " 0.0.0.0 for every network it is on)")
    serve.add_argument("--port", type=_port, default=8000,
                       help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--open", action="store_true",
                       help="open the preview in the web browser once it is built")
    _add_templates(serve)

    new = commands.add_parser("new", help="create a new content file from a title or name")
    new.add_argument("kind", choices=NEW_KINDS, help="what to create")
    new.add_argument("title", help="its title or name, in any script")
    new.add_argument("--id", dest="record_id", default=None, metavar="ID",
                     help="its id (default: made from a title in Latin letters)")
    new.add_argument("--content", type=Path, default=Path("content"),
                     help="content folder (default: content)")

    init = commands.add_parser(
        "init", help="create a new site folder with example content, ready to build")
    init.add_argument("folder", type=Path, metavar="DIR",
                      help="the new site's folder; created if missing, refused if not empty")

    schema = commands.add_parser(
        "schema", help="write a JSON Schema per content kind, for editors' YAML tooling"
    )
    schema.add_argument("--out", type=Path, default=Path("schema"),
                        help="folder to write the schemas to (default: schema)")
    return parser


def _add_templates(command: argparse.ArgumentParser) -> None:
    command.add_argument("--templates", type=Path, default=None, metavar="DIR",
                         help="the site's own templates, which override the theme's files"
                              " of the same path (default: templates beside the content"
                              " folder)")


def _add_strict(command: argparse.ArgumentParser) -> None:
    command.add_argument("--strict", action="store_true",
                         help="treat warnings as errors (exit 1)")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        try:
            return _check(args.content, args.format, args.strict, args.templates,
                          args.since)
        except KeyboardInterrupt as stop:
            return _stopped("check", stop)
    if args.command == "schema":
        return _schema(args.out)
    if args.command == "build":
        try:
            return _build(args.content, args.out, args.base_url, args)
        except KeyboardInterrupt as stop:  # before the build began
            return _stopped("build", stop,
                            f"; {escape_controls(str(args.out))} was left as it was")
        except OSError as problem:  # reading the content or templates, or the cache
            return _usage_error(_describe(problem))
    if args.command == "new":
        return _new(args.content, args.kind, args.title, args.record_id)
    if args.command == "init":
        return _init(args.folder)
    if args.command == "serve":
        return _serve(args.content, args.host, args.port, args.open, args.templates)
    raise AssertionError(args.command)  # pragma: no cover - argparse rejects others


def _report(errors: ContentErrors, output_format: str = "text") -> int:
    if output_format == "github":
        for error in errors.errors:
            print(error.format_github())
    else:
        print(errors.format(), file=sys.stderr)
    count = len(errors.errors)
    print(f"{count} error{'s' if count != 1 else ''} found; nothing was written.",
          file=sys.stderr)
    return EXIT_CONTENT_ERRORS


def _warnings(warnings: Sequence[ContentError], output_format: str = "text") -> None:
    for warning in warnings:
        if output_format == "github":
            print(warning.format_github())
        else:
            print(warning.format(), file=sys.stderr)


def _strict_refusal(refused: ContentErrors, output_format: str = "text") -> int:
    """The warnings that ``--strict`` made errors; nothing was written."""
    _warnings(refused.errors, output_format)
    count = len(refused.errors)
    print(f"{count} error{'s' if count != 1 else ''} found (warnings, with --strict);"
          " nothing was written.", file=sys.stderr)
    return EXIT_CONTENT_ERRORS


def _check(content: Path, output_format: str = "text", strict: bool = False,
           templates: Path | None = None, since: str | None = None) -> int:
    from jinja2 import TemplateError

    from kabul_brief.content.since import SinceError
    from kabul_brief.pipeline import Build, BuildRequest, StrictWarnings

    build = Build(BuildRequest(
        content=content, templates=templates, workers=default_workers(), strict=strict,
        since=since, warn=lambda warnings: _warnings(warnings, output_format)))
    try:
        outcome = build.run()
    except SinceError as problem:  # no git, no such revision: nothing to compare with
        print(f"kabul-brief check: error: --since: {escape_controls(str(problem))}",
              file=sys.stderr)
        return EXIT_USAGE
    except StrictWarnings as refused:
        return _strict_refusal(refused, output_format)
    except ContentErrors as errors:
        return _report(errors, output_format)
    except TemplateError as problem:  # a site's own template that does not compile
        print(template_error(problem, build.templates_shown), file=sys.stderr)
        return EXIT_CONTENT_ERRORS
    site = outcome.site
    assert site is not None
    from kabul_brief.kinds import KINDS, SUMMARY

    counts = {KINDS[name].plural.lower(): len(site.records(name)) for name in SUMMARY}
    print("content OK: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    before = outcome.before
    if before is not None:
        then = (f"{escape_controls(str(content))} did not exist then: nothing was published"
                if before.site is None else "published facts compared")
        print(f"since {escape_controls(before.ref)} ({before.commit}): {then}")
    return EXIT_OK


def _build(content: Path, out: Path, base_url: str | None, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if base_url is not None:
        from kabul_brief.baseurl import BaseUrlError, normalize_base_url

        try:
            base_url = normalize_base_url(base_url)
        except BaseUrlError as problem:
            return _usage_error(problem)
    from kabul_brief.pipeline import Build, BuildRequest

    clock = Stopwatch()
    with ProgressBar(enabled=not args.quiet) as bar:
        build = Build(BuildRequest(
            content=content, out=out, base_url=base_url, templates=args.templates,
            workers=args.jobs, strict=args.strict, drafts=args.drafts, progress=bar.update,
            warn=_warnings, stopwatch=clock))
        try:
            return _build_with(build, started, args, clock)
        except KeyboardInterrupt as stop:
            if build.swapped_in():  # the signal came after the swap
                return _stopped("build", stop, f"; the new site was already written to"
                                               f" {escape_controls(str(out))}")
            raise


def _build_with(build: Build, started: float, args: argparse.Namespace,
                clock: Stopwatch) -> int:
    from jinja2 import TemplateError

    from kabul_brief.pipeline import StrictWarnings
    from kabul_brief.publish.search import SearchIndexError

    out = build.request.out
    assert out is not None
    try:
        outcome = build.run()
    except StrictWarnings as refused:
        return _strict_refusal(refused)
    except ContentErrors as errors:
        return _report(errors)
    except OutputError as problem:  # --out would destroy something else
        return _usage_error(problem)
    except TemplateError as problem:  # a site's own template that does not compile or run
        print(template_error(problem, build.templates_shown), file=sys.stderr)
        print(f"nothing was written; {escape_controls(str(out))} was left as it was.",
              file=sys.stderr)
        return EXIT_CONTENT_ERRORS
    except (OSError, SearchIndexError) as problem:  # a full disk, a folder not ours
        if build.publishing:
            return _usage_error(f"could not write {out} ({_describe(problem)});"
                                " it was left as it was")
        raise  # reading the content or the templates: main says so
    if args.quiet:
        return EXIT_OK
    try:
        if outcome.report is None:
            print(f"up to date: {out} holds the {outcome.kept} files this content builds"
                  f" (checked in {time.perf_counter() - started:.2f} s)")
            print(_how_to_look(None, args.content))
        else:
            _print_report(outcome.report, out, time.perf_counter() - started, args, clock)
    except OSError as problem:  # the site is built all the same
        _silence_stdout()
        if not isinstance(problem, BrokenPipeError):  # nobody reads it: no news
            stopping.tell(f"kabul-brief build: the site was written to"
                          f" {escape_controls(str(out))}, but its report could not be"
                          f" printed: {escape_controls(_describe(problem))}")
    return EXIT_OK


def _silence_stdout() -> None:
    """After stdout failed (its reader gone, its disk full): print nothing more there,
    rather than fail again on every line."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115


def _print_report(report: BuildReport, out: Path, elapsed: float, args: argparse.Namespace,
                  clock: Stopwatch) -> None:
    print(f"built {report.total} files into {out} for {report.base_url} in {elapsed:.2f} s:")
    print("  " + ", ".join(f"{what} {count}" for what, count in report.counts))
    reused = report.pages - len(report.rendered)
    print(f"  rendered {len(report.rendered)} of {report.pages} pages"
          + (f"; {reused} unchanged since the last build were kept" if reused else ""))
    cards = report.card_count
    print(f"  drew {len(report.cards)} of {cards} social cards"
          + (f"; {cards - len(report.cards)} showing the same text were kept"
             if cards > len(report.cards) else ""))
    print(_how_to_look(report.base_url, args.content))
    if args.timings:
        for phase, seconds in clock.phases:
            print(f"  {seconds:7.2f} s  {phase}")
    if args.verbose:
        for rendered in report.rendered:
            print(f"  rendered {rendered}")
        for card in report.cards:
            print(f"  drew {card}")
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            print(f"  {path.relative_to(out).as_posix()}")


def _how_to_look(base_url: str | None, content: Path) -> str:
    """The line that says how to see the site: the built folder opened as it is finds
    none of its links when the site lives under a path (``/kabul-brief/``)."""
    command = "kabul-brief serve"
    if os.path.normpath(content) != "content":  # --content=VALUE: a name may start with -
        command += f" --content={_shell_word(os.fspath(content))}"
    path = urllib.parse.urlsplit(base_url or "").path
    if path in ("", "/"):  # or unknown: a build with nothing to do read no site.yaml
        return f"  to look at it: {command}"
    return (f"  to look at it: {command} (its links start with"
            f" {escape_controls(path)}, which a file server started in the built folder"
            " does not have)")


def _shell_word(text: str) -> str:
    """``text`` as one word for a POSIX shell that reads back as ``text``, on one line:
    quoted as ``shlex`` quotes, or, if it holds a character a terminal would not show
    (a tab, a newline, an escape), as ``$'...'`` with that character escaped."""
    if text.isprintable():
        return shlex.quote(text)
    escaped = "".join(
        "\\\\" if char == "\\" else "\\'" if char == "'"
        else char if char.isprintable() else
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else
        f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}"
        for char in text)
    return f"$'{escaped}'"


def _usage_error(problem: Exception | str) -> int:
    print(f"kabul-brief build: error: {escape_controls(str(problem))}", file=sys.stderr)
    return EXIT_USAGE


def _describe(problem: Exception) -> str:
    """An OSError as ``reason: path`` (its errno name would say little to an editor)."""
    if isinstance(problem, OSError) and problem.strerror:
        where = problem.filename
        return f"{problem.strerror}: {where}" if where is not None else problem.strerror
    return str(problem)


class ProgressBar:
    """A bar on the terminal for builds of more than a few hundred pages; nothing when
    stderr is not a terminal (CI logs get the plain report lines only)."""

    MIN_PAGES: Final = 300

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._bar: tqdm[Never] | None = None

    def update(self, done: int, total: int) -> None:
        if not self._enabled or total < self.MIN_PAGES:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="page", desc="pages", leave=False,
                             file=sys.stderr, dynamic_ncols=True)
        self._bar.update(done - self._bar.n)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


def _serve(content: Path, host: str, port: int, open_browser: bool,
           templates: Path | None = None) -> int:
    from kabul_brief.serve import idle_timeout, serve

    try:
        idle_timeout()
    except ValueError as problem:
        print(f"kabul-brief serve: error: {escape_controls(str(problem))}", file=sys.stderr)
        return EXIT_USAGE

    def say(message: str) -> None:
        try:
            print(message, flush=True)
        except OSError:  # nobody reads the messages any more (`serve | tee`, tee gone):
            _silence_stdout()  # the preview serves on

    def show(url: str) -> None:
        import webbrowser

        if not webbrowser.open(url):
            say(f"no web browser could be opened: open {url} yourself")

    if not content.is_dir():
        from kabul_brief.pipeline import require_content_folder

        try:
            require_content_folder(content)
        except ContentErrors as errors:
            print(errors.format(), file=sys.stderr)
            return EXIT_CONTENT_ERRORS
    try:
        theme = site_theme(content, templates)
    except ContentErrors as errors:
        print(errors.format(), file=sys.stderr)
        return EXIT_CONTENT_ERRORS
    try:
        serve(content, theme, templates, host, port, say, show if open_browser else None)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM
        say("stopped")
    except OSError as problem:  # the port is taken, or not ours to bind
        where = f"[{host}]" if ":" in host else host
        print(f"kabul-brief serve: error: cannot serve on {escape_controls(where)}:{port}:"
              f" {escape_controls(_describe(problem))}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _new(content: Path, kind: str, title: str, record_id: str | None) -> int:
    from kabul_brief.content.scaffold import ScaffoldError, create

    try:
        created = create(content, kind, title, dt.date.today(), record_id)
    except ScaffoldError as problem:
        print(f"kabul-brief new: error: {escape_controls(str(problem))}", file=sys.stderr)
        return EXIT_USAGE
    print(created.path)
    return EXIT_OK


def _init(folder: Path) -> int:
    from kabul_brief.newsite import NewSiteError, create_site

    try:
        written = create_site(folder)
    except NewSiteError as problem:
        print(f"kabul-brief init: error: {escape_controls(str(problem))}", file=sys.stderr)
        return EXIT_USAGE
    shown = escape_controls(str(folder))
    print(f"created a new site in {shown} ({len(written)} files); to build it:"
          f" cd {shown} && kabul-brief build")
    return EXIT_OK


def _schema(out: Path) -> int:
    from kabul_brief.content.schemas import json_schemas

    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, schema in json_schemas().items():
            (out / name).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n",
                                    encoding="utf-8")
            print(out / name)
    except OSError as problem:  # --out is a file, or not ours to write
        print(f"kabul-brief schema: error: cannot write {escape_controls(str(out))}:"
              f" {escape_controls(_describe(problem))}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
