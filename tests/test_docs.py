"""The editor guide documents every error code the validator can print."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CALL_RE = re.compile(
    r"(?<!def )(?:sink\.add|\breport|_report|\bwarn)\("  # a call that reports a problem,
    r"\s*(?:[^()\"]|\([^()]*\))*?\"([a-z]+(?:-[a-z]+)*)\""  # its first string argument
)
CODE_RE = re.compile(r"\b\w*code\b(?::\s*str)?\s*=\s*\"([a-z]+(?:-[a-z]+)*)\"")
TABLE_RE = re.compile(r"^\| `([a-z-]+)` \|", re.MULTILINE)


def emitted_codes() -> set[str]:
    codes: set[str] = set()
    for path in (REPO / "src" / "kabul_brief").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes.update(CALL_RE.findall(text))
        codes.update(CODE_RE.findall(text))
    return codes


def test_every_error_code_is_in_the_editor_guide() -> None:
    documented = set(TABLE_RE.findall((REPO / "docs" / "editing.md").read_text("utf-8")))
    emitted = emitted_codes()
    assert {"unknown-reference", "yaml-tag", "link-scheme", "duplicate-id"} <= emitted
    assert emitted - documented == set()
    assert documented - emitted == set()
