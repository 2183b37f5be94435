"""``python -m kabul_brief`` and the ``kabul-brief`` command. Ctrl-C and SIGTERM are
handled from here on, before the command line's own imports (see
:mod:`kabul_brief.stopping`): an interrupt at any moment is one line."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from kabul_brief import stopping


def run(argv: Sequence[str] | None = None) -> NoReturn:
    stopping.install()
    try:
        from kabul_brief.cli import main

        status = main(argv)
    except KeyboardInterrupt as stop:  # before the command began, or as it ended
        arguments = sys.argv[1:] if argv is None else argv
        command = next((a for a in arguments if not a.startswith("-")), "")
        named = f" {command}" if command.isalpha() and command.isascii() else ""
        print(f"kabul-brief{named}: {stopping.said(stop)}", file=sys.stderr)
        status = stopping.exit_status(stop)
    stopping.exit_with(status)


if __name__ == "__main__":
    run()
