"""Packaging hook: the wheel carries the default theme inside the package.

The theme's source is the repository's top-level ``templates/``; building copies it to
``kabul_brief/theme/`` in the wheel, where :func:`kabul_brief.folders.package_theme`
finds it. An editable install and ``PYTHONPATH=src`` read ``templates/`` itself. All
other settings are in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

THEME_SOURCE = Path(__file__).resolve().parent / "templates"


class BuildWithTheme(build_py):
    """``build_py``, then the theme copied into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # the package runs from the checkout, beside templates/
            return
        target = Path(self.build_lib) / "kabul_brief" / "theme"
        shutil.rmtree(target, ignore_errors=True)  # no file left from an earlier build
        shutil.copytree(THEME_SOURCE, target,
                        ignore=shutil.ignore_patterns(".*", "__pycache__", "*.py[co]"))


setup(cmdclass={"build_py": BuildWithTheme})
