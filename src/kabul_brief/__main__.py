"""``python -m kabul_brief``: the same command line as ``kabul-brief``."""

from kabul_brief.cli import main

raise SystemExit(main())
