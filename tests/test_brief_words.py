"""Our words, not the agency's: no run of 12 words of the report is in our content.

The report itself is not kept in the repository: only hashes of its 12-word runs.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HASHES = REPO / "tests" / "fixtures" / "brief" / "report-12gram-hashes.txt"
RUN = 12


def words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", text)


def run_hashes(text: str) -> dict[str, str]:
    found = words(text)
    return {
        hashlib.sha256(" ".join(found[i : i + RUN]).encode()).hexdigest()[:16]:
        " ".join(found[i : i + RUN])
        for i in range(len(found) - RUN + 1)
    }


def report_hashes() -> set[str]:
    lines = HASHES.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def copied_runs(text: str) -> list[str]:
    report = report_hashes()
    return [run for digest, run in run_hashes(text).items() if digest in report]


def test_the_check_finds_a_copied_run() -> None:
    sentence = "one two three four five six seven eight nine ten eleven twelve thirteen"
    digest = next(iter(run_hashes(sentence)))
    assert digest in run_hashes("Prefix. " + sentence.upper() + ", suffix")
    assert len(report_hashes()) > 400


def test_no_12_word_run_of_the_report_is_in_the_content() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "content").rglob("*"))
             if p.is_file()]
    assert copied_runs("\n".join(texts)) == []
