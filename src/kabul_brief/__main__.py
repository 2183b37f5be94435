"""``python -m kabul_brief`` and the ``kabul-brief`` command. Ctrl-C and SIGTERM are
handled from here on, before the command line's own imports (see
:mod:`kabul_brief.stopping`): an interrupt at any moment is one line."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from kabul_brief import stopping


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """Only the first signal raises (see :mod:`kabul_brief.stopping`), wherever it
    lands: in the command, which says so; before it began, said here; or once it has
    its status, which then stands (a build that is done is done)."""
    stopping.install()
    status: int | None = None
    try:
        from kabul_brief.cli import main

        status = main(argv)
        stopping.ignore_further()
    except KeyboardInterrupt as stop:
        if status is None:
            arguments = sys.argv[1:] if argv is None else argv
            command = next((a for a in arguments if not a.startswith("-")), "")
            named = f" {command}" if command.isalpha() and command.isascii() else ""
            stopping.tell(f"kabul-brief{named}: {stopping.said(stop)}")
            status = stopping.exit_status(stop)
    stopping.exit_with(status)


if __name__ == "__main__":
    run()
