"""Build the site from a checkout without installing: ``python build.py [options]``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from kabul_brief.__main__ import run

run(["build", *sys.argv[1:]])
