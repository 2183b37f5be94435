"""Build the site from a checkout without installing: ``python build.py [options]``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from kabul_brief.cli import main

raise SystemExit(main(["build", *sys.argv[1:]]))
