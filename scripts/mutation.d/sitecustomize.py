"""Copied by scripts/mutation into the mutated tree's ``src/`` so that every Python
started by a test (a build in a subprocess) loads it.

While mutmut records which tests reach which function (``MUTANT_UNDER_TEST=stats``)
a mutated function called in a subprocess would ask mutmut for its configuration,
which it reads from the working folder: a test's temporary site has none, and the
subprocess would fail. What a subprocess reaches is not recorded anyway, so there it
runs the original code. With a real mutant active, subprocesses run the mutant.
"""

import os

if os.environ.get("MUTANT_UNDER_TEST") == "stats":
    del os.environ["MUTANT_UNDER_TEST"]
